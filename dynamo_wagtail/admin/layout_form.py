"""The layout of a type's entry form, edited on a page of its own.

It changes no table, and it is kept off the builder's page, which stays light. Saving goes
through the pipeline like any definition change: a conflict with a change saved meanwhile
is refused, and so is a layout that names no field of the type.
"""

from __future__ import annotations

from typing import Any

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from .. import layout as form_layout
from .. import pipeline
from ..errors import DefinitionError
from ..models import MetaModel
from ..schema.planner import Plan
from . import layout_blocks
from .block_fields import PostedBlockField, PostedBlockWidget


class MetaModelLayoutForm(WagtailAdminModelForm):
    layout = PostedBlockField(
        block=layout_blocks.layout_block(),
        required=False,
        label="Layout",
        help_text="Tabs, and in each tab fields, rows of fields side by side and sections. "
        "Fields left out follow in the first tab.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A field is chosen from the type's fields (a post naming another is refused).
        active = self.instance.fields.filter(trashed_at__isnull=True).order_by("order", "pk")
        block = layout_blocks.layout_block(
            [(f.name, f.verbose_name or f.name) for f in active] if self.instance.pk else []
        )
        field = self.fields["layout"]
        field.block = block
        field.widget = PostedBlockWidget(block)
        if not self.is_bound:
            try:
                stored = form_layout.parse(self.instance.layout)
            except form_layout.LayoutError:
                stored = []  # a row written around the engine: start the layout afresh
            self.initial["layout"] = layout_blocks.to_value(stored, block)
            self.initial["expected_version"] = self.instance.schema_version

    def clean_layout(self) -> list[dict[str, Any]]:
        return layout_blocks.from_value(self.cleaned_data.get("layout"))

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
            instance.save()
            session.touch(instance)
        return session.plans[-1] if session.plans else Plan(None, None)

    def show_errors(self, exc: DefinitionError) -> None:
        for option, messages in exc.type_errors.items():
            for message in messages:
                self.add_error("layout" if option == "layout" else None, message)
        for uid, options in exc.field_errors.items():
            for option, messages in options.items():
                for message in messages:
                    self.add_error(None, f"{exc.field_names.get(uid, uid)} ({option}): {message}")
