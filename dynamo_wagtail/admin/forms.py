"""The content type form: type options, the field builder, and one apply on save."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.telepath import register as register_telepath
from wagtail.admin.telepath.widgets import SelectAdapter
from wagtail.blocks.base import get_error_json_data
from wagtail.blocks.stream_block import StreamValue

from .. import pipeline
from ..errors import DefinitionError
from ..models import MetaModel
from ..schema.planner import Plan
from ..validation import icon_names
from . import builder, field_choices
from .block_fields import PostedBlockField, PostedBlockWidget

LIST_OPTIONS = ("listing_columns", "search_fields", "ordering")


class IconSelect(forms.Select):
    """Wagtail's icons to choose from, each shown beside its name.

    The choices are read when the widget is made (a form's ``__init__``), so icons a site
    registers with the ``register_icons`` hook are offered too. An unknown name typed
    anyway is refused by the definition's check, with its message on the option.

    A hundred icons and more: the page carries a bare ``<select>`` of their names, and
    ``icon-select.js`` turns it into a grid of radios, each with its icon (from Wagtail's
    sprite) before its name. The panel's client-side definition carries no options (see
    ``IconSelectAdapter``): they would be in the page twice.
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, choices=[(name, name) for name in icon_names()])

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        # The chosen icon as the select's one option; every name once, space-separated, for
        # the controller to build the grid from (an <option> per icon weighed twice as much).
        names = [icon for icon, _ in self.choices]
        chosen = value if value in names else ""
        return format_html(
            '<div class="dynamo-icon-select" data-controller="dynamo-icon-select"'
            ' data-dynamo-icon-select-names-value="{}">'
            '<select name="{}"{}><option selected>{}</option></select></div>',
            " ".join(names),
            name,
            format_html(' id="{}"', attrs["id"]) if attrs.get("id") else "",
            chosen,
        )

    @property
    def media(self) -> forms.Media:
        return forms.Media(
            js=["dynamo_wagtail/js/icon-select.js"],
            css={"all": [field_choices.TYPE_FORM_CSS]},
        )


class IconSelectAdapter(SelectAdapter):
    """The icon panel's client-side definition: the select without its options.

    Wagtail packs each panel's widget into the page (``window.wagtail.editHandler``) to
    find its inputs there; with the options, they would be in the page twice.
    """

    def js_args(self, widget: IconSelect) -> list[Any]:
        return [mark_safe('<select name="__NAME__" id="__ID__"></select>')]


register_telepath(IconSelectAdapter(), IconSelect)


def _single_quoted(text: str) -> SafeString:
    """``text`` for an HTML attribute quoted with ': JSON's many " stay as they are (a
    third of the page was their escapes); &, ', < and > are escaped as ever."""
    escaped = text.replace("&", "&amp;").replace("'", "&#x27;")
    return mark_safe(escaped.replace("<", "&lt;").replace(">", "&gt;"))  # noqa: S308


#: Packed builder definitions: (block, language, relation targets) -> (block, JSON, context).
_DEFINITIONS: dict[tuple[Any, ...], tuple[Any, str, Any]] = {}


def definitions_digest(block_json: str) -> str:
    """The version of packed builder definitions, for their address (cached for good)."""
    return hashlib.sha256(block_json.encode()).hexdigest()[:16]


class BuilderWidget(PostedBlockWidget):
    """The builder's StreamField: Wagtail's block widget, lighter, and knowing the saved fields.

    * The definition of every kind's block is packed once per set of kinds, language and
      relation targets, not on every request, and is not on the page: ``builder.js`` fetches
      it from its own address (:func:`definitions_digest` in it, so the browser keeps it)
      and then lets Wagtail's block controller render the stream.
    * Its data attributes are quoted with ', so the JSON's " need no escaping (they made a
      third of the page).
    * "Change kind to" shows on the blocks of saved fields only (``saved_ids``, a style
      the page carries), and ``builder.js`` opens "More options" where an option holds a
      value other than its default.
    """

    def __init__(
        self, block_def: Any, saved_ids: frozenset[str] = frozenset(), attrs: Any = None
    ) -> None:
        super().__init__(block_def, attrs=attrs)
        self.saved_ids = saved_ids

    def _build_block_json(self) -> None:
        key = (id(self.block_def), get_language(), tuple(builder.target_choices()))
        cached = _DEFINITIONS.get(key)
        if cached is None:
            super()._build_block_json()
            if len(_DEFINITIONS) > 32:
                _DEFINITIONS.clear()
            cached = _DEFINITIONS[key] = (self.block_def, self.block_json, self.js_context)
        self._js_context: Any = cached[2]
        self._block_json: str | None = cached[1]

    def definitions_url(self) -> str:
        block_json = self.block_json
        version = definitions_digest(block_json)
        return f"{reverse('dynamo_wagtail_builder_definitions')}?v={version}"

    def render_with_errors(
        self, name: str, value: Any, attrs: Any = None, errors: Any = None, renderer: Any = None
    ) -> SafeString:
        value = self.shown(value)
        state = json.dumps(self.block_def.get_form_state(value))
        error = json.dumps(get_error_json_data(errors.as_data()[0]) if errors else None)
        children = list(value) if isinstance(value, StreamValue) else []
        # Only ids read from the database go into the style (posted ids are the editor's).
        saved = sorted(self.saved_ids & {str(child.id) for child in children})
        sections = ",".join(f"#block-{uid}-section" for uid in saved)
        shown = f":is({sections}) [data-contentpath=convert_to]{{display:block}}" if saved else ""
        kinds = {child.block_type for child in children if str(child.id) in self.saved_ids}
        targets = {k: v for k, v in builder.convert_map().items() if k in kinds}
        return format_html(
            '<div class="dynamo-builder" data-controller="dynamo-builder" '
            "data-dynamo-builder-open-value='{}' data-dynamo-builder-targets-value='{}' "
            'data-dynamo-builder-definitions-value="{}">'
            "<style>.dynamo-builder [data-contentpath=convert_to]{{display:none}}{}</style>"
            '<div id="{}" data-block data-dynamo-builder-target="stream" '
            "data-w-block-arguments-value='[{},{}]'></div></div>",
            _single_quoted(json.dumps(builder.opened_blocks(children))),
            _single_quoted(json.dumps(targets, separators=(",", ":"))),
            self.definitions_url(),
            mark_safe(shown),  # noqa: S308 (uuids from the database)
            name,
            _single_quoted(state),
            _single_quoted(error),
        )

    @property
    def media(self) -> forms.Media:
        return super().media + forms.Media(js=["dynamo_wagtail/js/builder.js"])


#: Help texts of the type form, shorter than the model's.
SHORT_HELP = {
    "admin": "",
    "add_to_admin_menu": "Its own menu item, instead of under Snippets.",
    "menu_order": "0 comes first; empty: just before Reports.",
}


class MetaModelForm(WagtailAdminModelForm):
    field_definitions = PostedBlockField(
        block=builder.builder_block(), required=False, label="Fields"
    )
    # Labels say what they are; the builder's page keeps no help text it can do without.
    title_field = forms.CharField(required=False, max_length=63)
    listing_columns = field_choices.FieldNamesField(required=False)
    search_fields = field_choices.FieldNamesField(required=False, label="Searched fields")
    ordering = field_choices.FieldNamesField(required=False, label="Default ordering")
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        block = builder.builder_block()
        field = self.fields["field_definitions"]
        field.block = block
        saved = (
            self.instance.fields.filter(trashed_at__isnull=True).values_list("uid", flat=True)
            if self.instance.pk
            else []
        )
        field.widget = BuilderWidget(block, frozenset(str(uid) for uid in saved))
        if "icon" in self.fields:
            self.fields["icon"].widget = IconSelect()
        # Short help on the builder's page (it is weighed: docs/benchmarks.md, figure 8).
        for name, text in SHORT_HELP.items():
            if name in self.fields:
                self.fields[name].help_text = text
        self._offer_fields()
        if not self.is_bound:
            self.initial["field_definitions"] = builder.initial_value(self.instance)
            self.initial["expected_version"] = (
                self.instance.schema_version if self.instance.pk else 0
            )

    def _offer_fields(self) -> None:
        """Title field, listing columns, search fields and ordering chosen from the builder's
        fields."""
        source = self.data if self.is_bound else self.initial
        chosen = {
            key: (source.getlist(key) if hasattr(source, "getlist") else source.get(key))
            for key in ("listing_columns", "search_fields")
        }
        title = source.get("title_field") or ""
        # Only what is chosen goes in the page: the controller adds the builder's fields
        # (Wagtail's admin needs JavaScript anyway), which keeps the builder page light.
        self.fields["title_field"].widget = field_choices.FieldNameSelect(
            field_choices.offered(title), blank="None: the entry's number"
        )
        for key in ("listing_columns", "search_fields"):
            offered = field_choices.offered(chosen[key] or [])
            self.fields[key].widget = field_choices.FieldNameCheckboxes(offered)
        self.fields["ordering"].widget = field_choices.OrderingList()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        value = cleaned.get("field_definitions")
        if value is not None:
            refused = builder.convert_errors(value)
            if refused is not None:
                self.add_error("field_definitions", refused)
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
