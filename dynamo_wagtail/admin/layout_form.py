"""The layout of a type's entry form and its rules across fields, edited on a page of its own.

The layout changes no table; a rule is a database constraint. Both are kept off the builder's
page, which stays light. Saving goes through the pipeline like any definition change: a
conflict with a change saved meanwhile is refused, and so is a layout or a rule that names no
field of the type, or a rule that existing entries break.
"""

from __future__ import annotations

from typing import Any

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from .. import constraints as rules
from .. import layout as form_layout
from .. import pipeline
from ..errors import DefinitionError
from ..models import MetaModel
from ..schema.planner import Plan
from . import constraint_blocks, layout_blocks
from .block_fields import PostedBlockField, PostedBlockWidget


class MetaModelLayoutForm(WagtailAdminModelForm):
    layout = PostedBlockField(
        block=layout_blocks.layout_block(),
        required=False,
        label="Layout",
        help_text="Tabs, and in each tab fields, rows of fields side by side and sections. "
        "Fields left out follow in the first tab.",
    )
    constraints = PostedBlockField(
        block=constraint_blocks.constraint_block(),
        required=False,
        label="Rules across fields",
        help_text="Fields whose values no two entries share, and comparisons between two "
        "fields. Each is a database constraint: entries that break it are refused.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A field is chosen from the type's fields (a post naming another is refused).
        active = self.instance.fields.filter(trashed_at__isnull=True).order_by("order", "pk")
        names = [(f.name, f.verbose_name or f.name) for f in active] if self.instance.pk else []
        block = self._use_block("layout", layout_blocks.layout_block(names))
        rule_block = self._use_block("constraints", constraint_blocks.constraint_block(names))
        if not self.is_bound:
            try:
                stored = form_layout.parse(self.instance.layout)
            except form_layout.LayoutError:
                stored = []  # a row written around the engine: start the layout afresh
            self.initial["layout"] = layout_blocks.to_value(stored, block)
            try:
                stored_rules = rules.parse(self.instance.constraints)
            except rules.ConstraintError:
                stored_rules = []  # likewise
            self.initial["constraints"] = constraint_blocks.to_value(stored_rules, rule_block)
            self.initial["expected_version"] = self.instance.schema_version

    def _use_block(self, name: str, block: Any) -> Any:
        field = self.fields[name]
        field.block = block
        field.widget = PostedBlockWidget(block)
        return block

    def clean_layout(self) -> list[dict[str, Any]]:
        return layout_blocks.from_value(self.cleaned_data.get("layout"))

    def clean_constraints(self) -> list[dict[str, Any]]:
        return constraint_blocks.from_value(self.cleaned_data.get("constraints"))

    def apply(self, *, user: Any, confirm: bool = False, dry_run: bool = False) -> Plan:
        """Save the layout through the pipeline; a Conflict if the type changed meanwhile."""
        instance: MetaModel = self.instance
        expected = self.cleaned_data.get("expected_version")
        with pipeline.change(confirm=confirm, dry_run=dry_run, review=True) as session:
            current = MetaModel.objects.select_for_update().get(pk=instance.pk)
            if expected is not None and current.schema_version != expected:
                raise pipeline.Conflict(current)
            instance.updated_by = user
            instance.layout = self.cleaned_data["layout"]
            instance.constraints = self.cleaned_data["constraints"]
            instance.save()
            session.touch(instance)
        return session.plans[-1] if session.plans else Plan(None, None)

    def show_errors(self, exc: DefinitionError) -> None:
        for option, messages in exc.type_errors.items():
            for message in messages:
                self.add_error(option if option in ("layout", "constraints") else None, message)
        for uid, options in exc.field_errors.items():
            for option, messages in options.items():
                if option == rules.OPTION and option in exc.type_errors:
                    continue  # shown on the rules already
                for message in messages:
                    self.add_error(None, f"{exc.field_names.get(uid, uid)} ({option}): {message}")
