"""Conditional fields: a field shown only when another field of the entry has a value.

A condition is the field option ``show_when``::

    {"field": "has_discount", "is": "checked"}
    {"field": "colour", "is": "one_of", "values": ["red", "blue"]}
    {"field": "notes", "is": "not_empty"}

In the admin the field's panel is shown and hidden by Wagtail's own ``w-rules`` Stimulus
controller (no script of this package's). A hidden field is not required while it is
hidden, and its value is kept: a required field with a condition is optional in the
database and required (by the entry form and the model's ``clean()``) only while its
condition holds.
"""

from __future__ import annotations

import json
from typing import Any

OPERATORS = {
    "checked": "is checked",
    "one_of": "is one of",
    "not_empty": "is not empty",
}
OPTION = "show_when"


class ConditionError(ValueError):
    """A condition that cannot be read."""


def parse(value: Any) -> dict[str, Any] | None:
    """The condition as stored, or None for no condition; ConditionError if it is bad."""
    if value in (None, "", {}):
        return None
    if not isinstance(value, dict):
        raise ConditionError("Give the condition as field, is and values.")
    unknown = set(value) - {"field", "is", "values"}
    if unknown:
        raise ConditionError(f"A condition has no {', '.join(sorted(map(str, unknown)))}.")
    field = value.get("field")
    if field in (None, ""):
        return None  # the builder's empty condition
    if not isinstance(field, str):
        raise ConditionError("Name the field the condition looks at.")
    operator = value.get("is") or "not_empty"
    if operator not in OPERATORS:
        raise ConditionError(f"'is' is one of {', '.join(OPERATORS)}.")
    values = value.get("values") or []
    if isinstance(values, str):
        values = [v.strip() for v in values.split(",") if v.strip()]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConditionError("Give the values as text.")
    if operator == "one_of" and not values:
        raise ConditionError("Give the values the field must have.")
    if operator != "one_of" and values:
        raise ConditionError(f"'{operator}' takes no values.")
    return {"field": field.strip(), "is": operator, "values": values}


def holds(condition: dict[str, Any], value: Any) -> bool:
    """Whether ``condition`` holds for the other field's ``value`` (a cleaned value)."""
    operator = condition["is"]
    if operator == "checked":
        return value is True
    if operator == "one_of":
        chosen = value if isinstance(value, (list, tuple)) else [value]
        return any(str(v) in condition["values"] for v in chosen if v is not None)
    return value not in (None, "", [], (), {})


def rules_attrs(condition: dict[str, Any], field_name: str) -> dict[str, str]:
    """HTML attributes that let Wagtail's ``w-rules`` controller show and hide a panel.

    ``field_name`` is the form's name of the field the condition looks at. The controller
    sits on the panel itself and listens to the whole document, since the field it looks
    at is elsewhere in the form.
    """
    operator = condition["is"]
    attrs = {
        "data-controller": "w-rules",
        "data-action": "change@document->w-rules#resolve input@document->w-rules#resolve",
        "data-w-rules-target": "show",
    }
    if operator == "checked":
        attrs["data-w-rules"] = json.dumps({field_name: ["on"]})
    elif operator == "one_of":
        attrs["data-w-rules"] = json.dumps({field_name: list(condition["values"])})
    else:
        attrs["data-w-rules"] = json.dumps({field_name: [""]})
        attrs["data-w-rules-match"] = "not"
    return attrs
