"""Type options that name fields: the title field, listing columns, search fields, ordering
and the form's layout. They follow a field's rename and leave out a field moved to the trash,
so a rename is one save; names that never were a field's are refused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models.fields.related import RelatedField
from taggit.managers import TaggableManager

from . import conditions, layout
from .kinds import get_kind
from .spec import FieldSpec


def follower(fields: Iterable[FieldSpec], keep: Iterable[str] = ()) -> Callable[[str], str | None]:
    """``follow(name)``: the name a field has now, given any name it had; None for a field in
    the trash; the name itself when it never was a field's (and for the names in ``keep``)."""
    fields = list(fields)
    active = {f.name for f in fields if f.is_active} | set(keep)
    renamed = {old: f.name for f in fields if f.is_active for old in f.former_names}
    removed = {n for f in fields if not f.is_active for n in (f.name, *f.former_names)}

    def follow(name: str) -> str | None:
        if name in active:
            return name
        if name in renamed:
            return renamed[name]
        return None if name in removed else name

    return follow


def follow_fields(values: dict[str, Any], fields: Iterable[FieldSpec]) -> dict[str, Any]:
    """Type options that name fields, following renames and removals of those fields.

    A name that was a field's earlier name becomes that field's name now; the name of a
    field in the trash is left out (``ordering`` keeps each name's direction). Names that
    were never a field's stay, for the check to refuse. Values that are not names or
    lists of names come back as they are.
    """
    follow = follower(fields, keep={"pk", "id"})
    result = dict(values)
    if "layout" in values:
        with contextlib.suppress(layout.LayoutError):  # refused by the check, with its message
            result["layout"] = layout.follow(layout.parse(values["layout"]), follow)
    title = values.get("title_field")
    if isinstance(title, str) and title:
        result["title_field"] = follow(title) or ""
    for option in ("listing_columns", "search_fields", "ordering"):
        value = values.get(option)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            continue
        followed: list[str] = []
        for item in value:
            direction = "-" if item.startswith("-") else ""
            name = follow(item.removeprefix("-"))
            if name is not None and direction + name not in followed:
                followed.append(direction + name)
        result[option] = followed
    return result


#: Why a field of a kind cannot be what an option makes of it: (option, test, message).
#: The message is shown on the option and on the field's block.
_UNSUITABLE: tuple[tuple[str, Callable[[Any], bool], str], ...] = (
    (
        "title_field",
        lambda f: f.many_to_many,
        "'{}' links to several items: it cannot be the title.",
    ),
    (
        "listing_columns",
        lambda f: f.many_to_many,
        "'{}' links to several items: it cannot be a listing column.",
    ),
    (
        "ordering",
        lambda f: f.many_to_many,
        "'{}' links to several items: entries cannot be sorted by it.",
    ),
    (
        "search_fields",
        lambda f: issubclass(f, RelatedField) and not issubclass(f, TaggableManager),
        "'{}' links to other items: it cannot be searched.",
    ),
)


_NOT_SINGLE = {
    "title_field": "it cannot be the title",
    "listing_columns": "it cannot be a listing column",
    "ordering": "entries cannot be sorted by it",
    "search_fields": "search its items' type's fields instead",
}


def check_references(
    references: dict[str, Any], fields: Iterable[FieldSpec]
) -> tuple[dict[str, list[str]], dict[str, dict[str, list[str]]]]:
    """Messages by option for names that are no active field of the type, or a field that
    cannot serve the option; and the latter's messages by field id, by option, too."""
    active = {f.name: f for f in fields if f.is_active}
    names = set(active) | {"pk", "id"}
    errors: dict[str, list[str]] = {}
    on_fields: dict[str, dict[str, list[str]]] = {}

    def unknown(values: Iterable[str]) -> list[str]:
        return [v for v in values if v.lstrip("-") not in names]

    for option in ("listing_columns", "search_fields", "ordering"):
        value = references[option]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors.setdefault(option, []).append("Give a list of field names.")
            continue
        bad = unknown(value)
        if bad:
            errors.setdefault(option, []).append(f"Unknown fields: {', '.join(bad)}.")
    title = references["title_field"]
    if title and title not in names:
        errors.setdefault("title_field", []).append(f"Unknown field '{title}'.")
    for option, unsuitable, text in _UNSUITABLE:
        value = references[option]
        chosen = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for item in chosen:
            spec = active.get(item.lstrip("-")) if isinstance(item, str) else None
            if spec is None:
                continue
            kind = get_kind(spec.kind)
            message = ""
            if not kind.has_column:
                message = f"'{spec.name}' holds items of their own: {_NOT_SINGLE[option]}."
            elif unsuitable(kind.django_field):
                message = text.format(spec.name)
            elif not kind.single_value and option != "search_fields":
                message = f"'{spec.name}' holds more than one value: {_NOT_SINGLE[option]}."
            if message:
                errors.setdefault(option, []).append(message)
                on_fields.setdefault(spec.uid, {}).setdefault(option, []).append(message)
    try:
        placed = layout.parse(references["layout"])
    except layout.LayoutError as exc:
        errors["layout"] = [str(exc)]
    else:
        found = layout.problems(placed, names - {"pk", "id"})
        if found:
            errors["layout"] = found
    return errors, on_fields


def follow_conditions(
    fields: list[FieldSpec],
) -> tuple[list[FieldSpec], dict[str, dict[str, list[str]]]]:
    """Fields whose condition names the other field as it is called now, and messages by
    field id for conditions that cannot work. A condition on a field moved to the trash
    is dropped: the field then always shows."""
    active = {f.name: f for f in fields if f.is_active}
    follow = follower(fields)
    errors: dict[str, dict[str, list[str]]] = {}
    result: list[FieldSpec] = []
    for spec in fields:
        condition = spec.option(conditions.OPTION)
        if not condition or not spec.is_active:
            result.append(spec)
            continue
        name = follow(condition["field"])
        if name is None:  # the other field is in the trash
            result.append(spec.with_option(conditions.OPTION, None))
            continue
        message = _condition_problem(spec, condition, active.get(name))
        if message:
            errors[spec.uid] = {conditions.OPTION: [message]}
        elif name != condition["field"]:
            spec = spec.with_option(conditions.OPTION, {**condition, "field": name})
        result.append(spec)
    return result, errors


def _condition_problem(
    spec: FieldSpec, condition: dict[str, Any], other: FieldSpec | None
) -> str | None:
    if other is None:
        return f"Unknown field '{condition['field']}'."
    if other.uid == spec.uid:
        return "A field cannot be shown on a condition about itself."
    kind = get_kind(other.kind)
    if not kind.single_value:
        return f"'{other.name}' holds several values or items: a condition is about one value."
    if condition["is"] == "checked" and kind.name != "boolean":
        return f"'{other.name}' is not a yes/no field: use 'is one of' or 'is not empty'."
    if condition["is"] == "one_of" and other.choices:
        allowed = {value for value, _label in other.choices}
        bad = [v for v in condition["values"] if v not in allowed]
        if bad:
            return f"Not a choice of '{other.name}': {', '.join(bad)}."
    return None
