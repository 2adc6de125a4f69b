"""The public form of a content type: what a visitor may fill in on an ``EntryFormPage``.

Built from the generated class, with the type's active fields only (never the
columns of Wagtail's mixins). Anonymous visitors must not see or reach more than
the form asks, so some kinds are left out:

* images, documents and pages (a select would list every one of them on the site),
  relations to static models (users, snippets) for the same reason;
* file uploads (files from strangers served from the site's own media domain);
* stream fields (a body of blocks needs the admin's editor);
* tags (a visitor's words would join the suggestions editors pick from);
* groups (lists of items need the admin's inline editor).

Links to other content types stay, limited to the entries visitors may see. Rich
text is typed as plain text and stored as escaped paragraphs: visitors never get to
write HTML. Choice fields honour the builder's radio-button option.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db import models
from django.utils.html import linebreaks

from ...entries import public

#: Kinds never offered on a public form (see the module docstring).
EXCLUDED_KINDS = frozenset(
    {"image", "document", "page", "file", "image_file", "stream", "tags", "group"}
)


def _offered(model: type[models.Model], name: str, kind: str) -> bool:
    if kind in EXCLUDED_KINDS:
        return False
    field = model._meta.get_field(name)
    if not getattr(field, "editable", True):
        return False
    if field.is_relation:
        return hasattr(field.related_model, "dynamo_spec")
    return True


def public_field_names(model: type[models.Model]) -> list[str]:
    """Names of the fields a visitor fills in, in builder order."""
    spec = model.dynamo_spec  # type: ignore[attr-defined]
    return [f.name for f in spec.active_fields if _offered(model, f.name, f.kind)]


def missing_required(model: type[models.Model]) -> list[str]:
    """Required fields the public form cannot offer: such a type cannot take submissions."""
    spec = model.dynamo_spec  # type: ignore[attr-defined]
    offered = set(public_field_names(model))
    return [f.name for f in spec.active_fields if f.required and f.name not in offered]


class RichTextAsPlainText(forms.CharField):
    """Rich text typed as plain text, stored as escaped paragraphs."""

    widget = forms.Textarea

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        return linebreaks(text, autoescape=True) if text else ""


def _formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    spec = field.model.dynamo_spec.field_by_name(field.name)  # type: ignore[attr-defined]
    kind = spec.kind if spec else ""
    if kind == "rich_text":
        return RichTextAsPlainText(
            required=not field.blank,
            label=field.verbose_name,
            help_text=field.help_text,
        )
    if field.is_relation:
        related = field.related_model
        if isinstance(related, type) and hasattr(related, "dynamo_spec"):
            kwargs["queryset"] = public(related)
    if getattr(field, "dynamo_widget", "") == "radio" and field.choices:
        kwargs["widget"] = forms.RadioSelect
        formfield = field.formfield(**kwargs)
        assert isinstance(formfield, forms.ChoiceField)  # a model field with choices gives one
        if not field.blank:
            # A required radio group offers the choices only, not "---------". Read back,
            # choices are (value, label) pairs; the stubs give the getter the setter's types.
            offered = cast("Iterable[tuple[Any, Any]]", formfield.choices)
            formfield.choices = [c for c in offered if c[0] != ""]
        return formfield
    return field.formfield(**kwargs)


def entry_form_class(model: type[models.Model]) -> type[forms.ModelForm]:
    """A ModelForm class for visitors' submissions of ``model`` (see the module docstring)."""
    return forms.modelform_factory(
        model,
        fields=public_field_names(model),
        # Django leaves out a field whose callback gives None; the stubs want a form field.
        formfield_callback=_formfield,  # type: ignore[arg-type]
    )
