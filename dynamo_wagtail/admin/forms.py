"""The content type form: type options, the field builder, and one apply on save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.blocks import BlockField
from wagtail.blocks.base import BlockWidget

from .. import layout as form_layout
from .. import pipeline
from ..errors import DefinitionError
from ..models import MetaModel
from ..schema.planner import Plan
from ..validation import icon_names
from . import builder, field_choices, layout_blocks

LIST_OPTIONS = ("listing_columns", "search_fields", "ordering")


class NameListField(forms.CharField):
    """A list of field names typed as "title, -price"."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    # Typed in text, cleaned to a list (as Django's SimpleArrayField, also a CharField).
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


class IconSelect(forms.RadioSelect):
    """Wagtail's icons to choose from, each shown beside its name.

    The choices are read when the widget is made (a form's ``__init__``), so icons a site
    registers with the ``register_icons`` hook are offered too. An unknown name typed
    anyway is refused by the definition's check, with its message on the option.
    """

    template_name = "dynamo_wagtail/admin/widgets/icon_select.html"
    option_template_name = "dynamo_wagtail/admin/widgets/icon_option.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, choices=[(name, name) for name in icon_names()])


class MetaModelForm(WagtailAdminModelForm):
    field_definitions = BlockField(block=builder.builder_block(), required=False, label="Fields")
    title_field = forms.CharField(
        required=False,
        max_length=63,
        help_text="The field whose value stands for an entry in listings, choosers and messages.",
    )
    listing_columns = field_choices.FieldNamesField(
        required=False, help_text="Fields shown in the listing, in builder order."
    )
    search_fields = field_choices.FieldNamesField(
        required=False, help_text="Fields the admin search looks in."
    )
    ordering = NameListField(required=False, help_text="e.g. -price, title")
    layout = BlockField(
        block=layout_blocks.layout_block(),
        required=False,
        label="Layout",
        help_text="Tabs, sections and rows of the editing form; fields left out follow in the "
        "first tab. Changing the layout changes no table.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        block = builder.builder_block()
        field = self.fields["field_definitions"]
        field.block = block
        field.widget = BlockWidget(block)
        if "icon" in self.fields:
            self.fields["icon"].widget = IconSelect()
        self._offer_fields()
        if not self.is_bound:
            try:
                stored = form_layout.parse(self.instance.layout)
            except form_layout.LayoutError:
                stored = []  # a row written around the engine: start the layout afresh
            self.initial["layout"] = layout_blocks.to_value(stored)
            self.initial["field_definitions"] = builder.initial_value(self.instance)
            self.initial["expected_version"] = (
                self.instance.schema_version if self.instance.pk else 0
            )

    def _offer_fields(self) -> None:
        """Title field, listing columns and search fields chosen from the type's fields."""
        names = list(
            self.instance.fields.filter(trashed_at__isnull=True)
            .order_by("order", "pk")
            .values_list("name", flat=True)
            if self.instance.pk
            else []
        )
        source = self.data if self.is_bound else self.initial
        chosen = {
            key: (source.getlist(key) if hasattr(source, "getlist") else source.get(key))
            for key in ("listing_columns", "search_fields")
        }
        title = source.get("title_field") or ""
        self.fields["title_field"].widget = field_choices.FieldNameSelect(
            field_choices.offered(names, title), blank="None: the entry's number"
        )
        for key in ("listing_columns", "search_fields"):
            offered = field_choices.offered(names, chosen[key] or [])
            self.fields[key].widget = field_choices.FieldNameCheckboxes(offered)

    def clean_layout(self) -> list[dict[str, Any]]:
        return layout_blocks.from_value(self.cleaned_data.get("layout"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for option in LIST_OPTIONS:
            if cleaned.get(option) is None:
                cleaned[option] = []
        return cleaned

    def apply(self, *, user: Any, confirm: bool = False, dry_run: bool = False) -> Plan:
        """Save the type and its fields through the pipeline; returns the plan it ran.

        Raises DefinitionError (placed on the form with :meth:`show_errors`),
        ConfirmationRequired, or Conflict; nothing is written then.
        """
        instance: MetaModel = self.instance
        expected = self.cleaned_data.get("expected_version")
        with pipeline.change(confirm=confirm, dry_run=dry_run, review=True) as session:
            if instance.pk:
                current = MetaModel.objects.select_for_update().get(pk=instance.pk)
                if expected is not None and current.schema_version != expected:
                    raise pipeline.Conflict(current)
            instance.updated_by = user
            for option in LIST_OPTIONS:
                setattr(instance, option, self.cleaned_data.get(option) or [])
            instance.save()
            builder.save_fields(instance, self.cleaned_data["field_definitions"])
            session.touch(instance)
        return session.plans[-1] if session.plans else Plan(None, None)

    def show_errors(self, exc: DefinitionError) -> None:
        """Put each message where the editor typed the value."""
        for option, messages in exc.type_errors.items():
            target = option if option in self.fields else None
            for message in messages:
                self.add_error(target, message)
        value = self.cleaned_data.get("field_definitions")
        if value is not None:
            stream_errors = builder.block_errors(exc, value)
            if stream_errors is not None:
                self.add_error("field_definitions", stream_errors)
                return
        if exc.field_errors:
            for uid, options in exc.field_errors.items():
                name = exc.field_names.get(uid, uid)
                for option, messages in options.items():
                    for message in messages:
                        self.add_error(None, ValidationError(f"{name} ({option}): {message}"))
