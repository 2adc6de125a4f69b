"""Template helpers for generated content types."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def dynamo_value(obj: Any, name: str) -> Any:
    """The value of field ``name`` of an entry, choices shown by their label."""
    display = getattr(obj, f"get_{name}_display", None)
    if callable(display):
        return display()
    value = getattr(obj, name, "")
    if hasattr(value, "all") and callable(value.all):
        return ", ".join(str(item) for item in value.all())
    return value
