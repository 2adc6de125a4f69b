"""Rules across fields: values unique together, and a comparison between two fields.

A type's ``constraints`` option is a list of rules, each one of::

    {"type": "unique", "fields": ["email", "survey"], "ignore_case": true, "message": "…"}
    {"type": "compare", "field": "ends", "is": "gte", "other": "starts", "message": "…"}

The definition names fields (and follows their renames like the other type options); the spec
holds their stable ids, so a rename changes no constraint. Each rule is a real database
constraint (``UniqueConstraint``, ``CheckConstraint``) named after the type's id and the rule's
content, never after anything a person typed; a comparison is chosen from :data:`COMPARISONS`,
never written as SQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from .kinds import get_kind
from .spec import FieldSpec, ModelSpec

OPTION = "constraints"
MESSAGE_LENGTH = 255
MAX_RULES = 20

#: Comparison key: (sign, label in the builder, lookup).
COMPARISONS: dict[str, tuple[str, str, str]] = {
    "lt": ("<", "less than, or before", "lt"),
    "lte": ("≤", "at most, or on or before", "lte"),
    "gt": (">", "greater than, or after", "gt"),
    "gte": ("≥", "at least, or on or after", "gte"),
    "eq": ("=", "equal to", "exact"),
    "ne": ("≠", "not equal to", "exact"),
}

#: Field classes whose values compare with each other, most specific first.
_COMPARABLE: tuple[tuple[str, tuple[type[models.Field], ...]], ...] = (
    ("date and time", (models.DateTimeField,)),
    ("date", (models.DateField,)),
    ("time", (models.TimeField,)),
    ("duration", (models.DurationField,)),
    ("number", (models.IntegerField, models.DecimalField, models.FloatField)),
    ("text", (models.CharField, models.TextField)),
)


class ConstraintError(ValueError):
    """The option is not a list of rules of the shape above."""


def parse(value: Any) -> list[dict[str, Any]]:
    """The rules in a canonical shape; raises :class:`ConstraintError` with the reason."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ConstraintError("Give a list of rules.")
    if len(value) > MAX_RULES:
        raise ConstraintError(f"A type can have at most {MAX_RULES} rules across fields.")
    return [_parse_rule(i, item) for i, item in enumerate(value, 1)]


def _text(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key, "")
    if not isinstance(value, str):
        raise ConstraintError(f"{where}: '{key}' must be text.")
    return value.strip()


def _parse_rule(number: int, item: Any) -> dict[str, Any]:
    where = f"Rule {number}"
    if not isinstance(item, dict):
        raise ConstraintError(f"{where}: give the rule as an object.")
    message = _text(item, "message", where)
    if len(message) > MESSAGE_LENGTH:
        raise ConstraintError(f"{where}: a message can have at most {MESSAGE_LENGTH} characters.")
    kind = item.get("type")
    if kind == "unique":
        unknown = set(item) - {"type", "fields", "ignore_case", "message"}
        fields = item.get("fields")
        if not isinstance(fields, list) or not all(isinstance(f, str) and f for f in fields):
            raise ConstraintError(f"{where}: give the fields as a list of names.")
        if not isinstance(item.get("ignore_case", False), bool):
            raise ConstraintError(f"{where}: 'ignore_case' must be true or false.")
        rule: dict[str, Any] = {
            "type": "unique",
            "fields": list(dict.fromkeys(f.strip() for f in fields)),
            "ignore_case": item.get("ignore_case", False),
        }
    elif kind == "compare":
        unknown = set(item) - {"type", "field", "is", "other", "message"}
        if item.get("is") not in COMPARISONS:
            choices = ", ".join(COMPARISONS)
            raise ConstraintError(f"{where}: 'is' must be one of {choices}.")
        rule = {
            "type": "compare",
            "field": _text(item, "field", where),
            "is": item["is"],
            "other": _text(item, "other", where),
        }
    else:
        raise ConstraintError(f"{where}: the type must be 'unique' or 'compare'.")
    if unknown:
        raise ConstraintError(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}.")
    if message:
        rule["message"] = message
    return rule


def names(rule: dict[str, Any]) -> list[str]:
    """The field names a rule of the definition uses."""
    return list(rule["fields"]) if rule["type"] == "unique" else [rule["field"], rule["other"]]


def follow(rules: list[dict[str, Any]], follow_name: Callable[[str], str | None]) -> list[Any]:
    """Rules naming fields as they are called now; a rule on a field in the trash is dropped."""
    result = []
    for rule in rules:
        followed = [follow_name(n) for n in names(rule)]
        if any(n is None for n in followed):
            continue
        if rule["type"] == "unique":
            result.append({**rule, "fields": followed})
        else:
            result.append({**rule, "field": followed[0], "other": followed[1]})
    return result


def _family(spec: FieldSpec) -> str | None:
    django_field = get_kind(spec.kind).django_field
    for family, classes in _COMPARABLE:
        if issubclass(django_field, classes):
            return family
    return None


def problems(
    rules: list[dict[str, Any]], fields: Iterable[FieldSpec]
) -> tuple[list[str], dict[str, list[str]]]:
    """Messages for the option, and by field id for the fields a rule cannot use."""
    active = {f.name: f for f in fields if f.is_active}
    errors: list[str] = []
    on_fields: dict[str, list[str]] = {}
    seen: set[str] = set()

    def on(spec: FieldSpec, message: str) -> None:
        errors.append(message)
        on_fields.setdefault(spec.uid, []).append(message)

    for number, rule in enumerate(rules, 1):
        where = f"Rule {number}"
        unknown = [n for n in names(rule) if n not in active]
        if unknown:
            errors.append(f"{where}: unknown fields: {', '.join(unknown)}.")
            continue
        used = [active[n] for n in names(rule)]
        if rule["type"] == "unique":
            if not used:
                errors.append(f"{where}: choose the fields that are unique together.")
            for spec in used:
                kind = get_kind(spec.kind)
                if not kind.supports_unique or kind.django_field is models.ManyToManyField:
                    on(
                        spec,
                        f"{where}: '{spec.name}' ({kind.name}) cannot be part of a unique rule.",
                    )
        else:
            first, second = used
            if first.uid == second.uid:
                on(first, f"{where}: compare '{first.name}' with another field.")
            elif _family(first) is None or _family(first) != _family(second):
                on(
                    first,
                    f"{where}: '{first.name}' ({first.kind}) and '{second.name}' "
                    f"({second.kind}) cannot be compared.",
                )
        key = json.dumps({k: v for k, v in rule.items() if k != "message"}, sort_keys=True)
        if key in seen:
            errors.append(f"{where}: the same rule is there twice.")
        seen.add(key)
    return errors, on_fields


def resolve(rules: list[dict[str, Any]], fields: Iterable[FieldSpec]) -> list[dict[str, Any]]:
    """The rules of the spec: field ids instead of names (checked by :func:`problems`)."""
    uids = {f.name: f.uid for f in fields if f.is_active}
    result = []
    for rule in rules:
        resolved = {k: v for k, v in rule.items() if k not in ("fields", "field", "other")}
        resolved["fields"] = [uids[n] for n in names(rule)]
        result.append(resolved)
    return result


def unresolve(rules: Iterable[Mapping[str, Any]], spec: ModelSpec) -> list[dict[str, Any]]:
    """The rules of a spec as a definition writes them (field names)."""
    by_uid = {f.uid: f.name for f in spec.fields}
    result = []
    for rule in rules:
        named = [by_uid[u] for u in rule["fields"]]
        out = {k: v for k, v in rule.items() if k != "fields"}
        if rule["type"] == "unique":
            out["fields"] = named
        else:
            out["field"], out["other"] = named
        result.append(out)
    return result


def blank_strings(spec: ModelSpec, rule: Mapping[str, Any]) -> list[FieldSpec]:
    """The optional text fields of a unique rule: an entry without a value there stores an
    empty string, which must not clash with another's, so the rule leaves those rows out."""
    if rule["type"] != "unique":
        return []
    fields = [spec.field_by_uid(u) for u in rule["fields"]]
    return [f for f in fields if f is not None and not f.db_required and get_kind(f.kind).is_string]


def constraint_name(spec: ModelSpec, rule: Mapping[str, Any]) -> str:
    """The database name: the type's id and the rule's content (not its message), with the
    fields it leaves empty values out of (a field made optional changes the constraint)."""
    content = json.dumps(
        [
            spec.uid,
            {k: v for k, v in rule.items() if k != "message"},
            [f.uid for f in blank_strings(spec, rule)],
        ],
        sort_keys=True,
    )
    digest = hashlib.sha256(content.encode()).hexdigest()
    prefix = "dyn_u_" if rule["type"] == "unique" else "dyn_c_"
    return prefix + digest[:24]


def rules_of(spec: ModelSpec) -> list[dict[str, Any]]:
    return list(spec.option(OPTION) or [])


def default_message(rule: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """The message shown when a rule's own is empty (``labels``: field id → label)."""
    named = [labels.get(u, u) for u in rule["fields"]]
    if rule["type"] == "unique":
        if len(named) == 1:
            return f"Another entry already has this {named[0]}."
        together = ", ".join(named[:-1]) + f" and {named[-1]}"
        return f"Another entry already has this {together}."
    sign = COMPARISONS[rule["is"]][0]
    return f"{named[0]} must be {sign} {named[1]}."


def condition(rule: Mapping[str, Any], first: str, second: str) -> Q:
    """The check of a comparison between the fields called ``first`` and ``second``."""
    lookup = COMPARISONS[rule["is"]][2]
    q = Q(**{f"{first}__{lookup}": F(second)})
    return ~q if rule["is"] == "ne" else q


def build(
    spec: ModelSpec,
    *,
    physical: bool,
    expressions: bool = True,
    only: Iterable[Mapping[str, Any]] | None = None,
) -> list[models.BaseConstraint]:
    """Django constraints for ``spec``'s rules (or ``only`` these): on columns for the
    physical class, on field names for the runtime class. Without ``expressions``
    (MariaDB/MySQL, whose default collation already ignores case) a rule that ignores case
    is on the plain columns."""
    by_uid = {f.uid: f for f in spec.fields}
    labels = {f.uid: f.verbose_name or f.name for f in spec.fields}
    result: list[models.BaseConstraint] = []
    for rule in rules_of(spec) if only is None else only:
        used = [by_uid[u] for u in rule["fields"]]
        attrs = [f.column if physical else f.name for f in used]
        name = constraint_name(spec, rule)
        message = rule.get("message") or default_message(rule, labels)
        if rule["type"] == "unique":
            blank = {f.uid for f in blank_strings(spec, rule)}
            skip = Q()
            for a, f in zip(attrs, used, strict=True):
                if f.uid in blank:
                    skip &= ~Q(**{a: ""})
            extra: dict[str, Any] = {"condition": skip} if blank else {}
            if rule.get("ignore_case") and expressions:
                parts = [
                    Lower(a) if get_kind(f.kind).is_string else F(a)
                    for a, f in zip(attrs, used, strict=True)
                ]
                constraint: models.BaseConstraint = models.UniqueConstraint(
                    *parts,
                    name=name,
                    violation_error_message=message,
                    violation_error_code=name,
                    **extra,
                )
            else:
                constraint = models.UniqueConstraint(
                    fields=attrs,
                    name=name,
                    violation_error_message=message,
                    violation_error_code=name,
                    **extra,
                )
        else:
            constraint = models.CheckConstraint(
                condition=condition(rule, attrs[0], attrs[1]),
                name=name,
                violation_error_message=message,
                violation_error_code=name,
            )
        result.append(constraint)
    return result


def field_of(spec: ModelSpec) -> dict[str, str]:
    """Constraint name → the field whose form input shows the rule's message."""
    names_by_uid = {f.uid: f.name for f in spec.fields}
    return {
        constraint_name(spec, rule): names_by_uid[
            rule["fields"][-1 if rule["type"] == "unique" else 0]
        ]
        for rule in rules_of(spec)
    }
