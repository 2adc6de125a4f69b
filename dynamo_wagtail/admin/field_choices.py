"""Type options that name fields, chosen from the type's fields with Django's own widgets.

The title field is a select, the listing columns and search fields are checkboxes, the
default ordering a sortable list of fields, each ascending or descending. They offer the
fields of the builder as it is in the page, including blocks added in the same save: small
Stimulus controllers on Wagtail's application (``field-names.js``) build the choices from the
builder's blocks and rebuild them when a block is added, renamed or deleted. The page itself
carries only what is chosen. Every name is checked by the definition.
"""

from __future__ import annotations

from typing import Any

from django import forms

BUILDER = "field_definitions"
#: The type form's own styles (the icon grid, the ordering's list).
TYPE_FORM_CSS = "dynamo_wagtail/css/type-form.css"


class FieldNameSelect(forms.Select):
    """One field of the type, or none."""

    def __init__(self, names: list[str], blank: str = "None") -> None:
        super().__init__(
            attrs={
                "data-controller": "dynamo-field-names",
                "data-dynamo-field-names-builder-value": BUILDER,
                "data-dynamo-field-names-blank-value": blank,
            },
            choices=[("", blank), *((n, n) for n in names)],
        )

    class Media:
        js = ["dynamo_wagtail/js/field-names.js"]


class FieldNameCheckboxes(forms.CheckboxSelectMultiple):
    """Some fields of the type, in builder order."""

    template_name = "dynamo_wagtail/admin/widgets/field_names.html"

    def __init__(self, names: list[str]) -> None:
        super().__init__(
            attrs={
                "data-controller": "dynamo-field-names",
                "data-dynamo-field-names-builder-value": BUILDER,
                "data-dynamo-field-names-multiple-value": "true",
            },
            choices=[(n, n) for n in names],
        )

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        # The controller's attributes go on the list, not on each checkbox.
        own = {k: v for k, v in context["widget"]["attrs"].items() if k.startswith("data-")}
        context["widget"]["container"] = {"attrs": {**own, "data-field-name": name}}
        return context

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["attrs"] = {k: v for k, v in option["attrs"].items() if not k.startswith("data-")}
        return option

    class Media:
        js = ["dynamo_wagtail/js/field-names.js"]


class OrderingList(forms.Widget):
    """The default ordering: fields in order, each ascending or descending ("-price").

    The page carries one hidden input per chosen field (``-price``, ``title``); the
    ``dynamo-ordering`` controller shows them as a list to sort (drag, or the move
    buttons), each with a field select and a direction, and keeps the inputs in step.
    """

    template_name = "dynamo_wagtail/admin/widgets/ordering.html"

    def __init__(self) -> None:
        super().__init__(
            attrs={
                "data-controller": "dynamo-ordering",
                "data-dynamo-ordering-builder-value": BUILDER,
            }
        )

    def format_value(self, value: Any) -> list[str]:  # type: ignore[override]
        return split_names(value)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # no input posted: nothing chosen

    def id_for_label(self, id_: str) -> str:
        return ""  # a list, not one input: the label names it (no "for")

    class Media:
        js = ["dynamo_wagtail/js/field-names.js"]
        css = {"all": [TYPE_FORM_CSS]}


def split_names(value: Any) -> list[str]:
    """The names in a posted or stored value: a list (ticked boxes, the ordering's inputs), or
    names typed as "title, -price" (a form posted by a script)."""
    if not value:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    parts = [part.strip() for item in items for part in str(item).split(",")]
    return [part for part in parts if part]


class FieldNamesField(forms.Field):
    """A list of field names (checked by the definition, not against the choices shown)."""

    def to_python(self, value: Any) -> list[str]:
        return split_names(value)


def offered(*chosen: Any) -> list[str]:
    """The names the page starts with: what is chosen (the controller adds the rest)."""
    result: list[str] = []
    for value in chosen:
        for name in value if isinstance(value, (list, tuple)) else [value]:
            if name and name not in result:
                result.append(name)
    return result
