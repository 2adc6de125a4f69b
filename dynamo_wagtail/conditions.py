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
import re
from typing import Any

OPERATORS = {
    "checked": "is checked",
    "one_of": "is one of",
    "not_empty": "is not empty",
}
OPTION = "show_when"
#: The builder's way to write one: "gift is checked", "colour is one of red, blue",
#: "notes is not empty".
TEXT_RE = re.compile(
    r"^\s*(?P<field>[A-Za-z][A-Za-z0-9_]*)\s+is\s+(?P<is>checked|not empty|one of)\b\s*"
    r"(?P<values>.*?)\s*$",
    re.IGNORECASE,
)


class ConditionError(ValueError):
    """A condition that cannot be read."""


def parse(value: Any) -> dict[str, Any] | None:
    """The condition as stored, or None for no condition; ConditionError if it is bad."""
    if value in (None, "", {}):
        return None
    if isinstance(value, str):
        found = TEXT_RE.match(value)
        if not found:
            raise ConditionError(
                "Write the condition as 'gift is checked', 'colour is one of red, blue' "
                "or 'notes is not empty'."
            )
        value = {
            "field": found["field"],
            "is": found["is"].lower().replace(" ", "_"),
            "values": found["values"],
        }
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


def as_text(value: Any) -> str:
    """A condition (as stored, or as given to the API) the way the builder writes it."""
    try:
        condition = parse(value)
    except ConditionError:
        return str(value)  # shown as it is, for the definition's check to refuse
    if condition is None:
        return ""
    text = f"{condition['field']} is {condition['is'].replace('_', ' ')}"
    return f"{text} {', '.join(condition['values'])}" if condition["values"] else text


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
