"""What a new rule across fields does to existing rows: refused over rows that break it, and
on MariaDB/MySQL over an optional text field (no partial unique index there)."""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import F
from django.db.models.functions import Lower

from .. import constraints
from ..conf import settings
from ..errors import DefinitionError
from ..factory import TargetLookup
from ..kinds import get_kind
from ..spec import FieldSpec, ModelSpec
from . import operations as ops
from .planner import FieldImpact
from .refusals import ImpactRefused, _examples, _rows_text, duplicates, physical_model


class RuleRefused(ImpactRefused):
    """Rows break a new rule across fields: shown on the rules and on the rule's field."""

    def __init__(self, field: FieldSpec, message: str, impact: FieldImpact) -> None:
        self.impact = impact
        option = constraints.OPTION
        DefinitionError.__init__(
            self, {option: [message]}, {field.uid: {option: [message]}}, {field.uid: field.name}
        )


def check_rule(
    op: ops.AddConstraint, old: ModelSpec | None, state: ModelSpec | None, lookup: TargetLookup
) -> FieldImpact:
    """Existing rows must keep a new rule across fields; nothing runs if one does not.

    A field added by the same change has no column yet: in a unique rule it holds one value
    in every row (or NULL, which never clashes); a comparison with it waits for a later save.
    """
    rule = op.rule
    uids = list(rule["fields"])
    if state is not None:
        _check_rule_support(op, state, lookup)
    if old is None:
        return FieldImpact(op, 0, (), "")
    existing = [old.field_by_uid(u) for u in uids]
    model = physical_model(old, lookup)
    shown = old.field_by_uid(uids[-1] if rule["type"] == "unique" else uids[0])
    if any(f is None for f in existing):
        if rule["type"] == "compare":
            message = "Save the new field first, then add a rule that compares it."
            raise RuleRefused(_placeholder(uids[0], op), message, FieldImpact(op, 0, (), message))
        return FieldImpact(op, 0, (), "")
    fields = [f for f in existing if f is not None]
    if rule["type"] == "unique":
        keys = {f.column: _key(f, rule) for f in fields}
        total, values = duplicates(model, [f.column for f in fields], keys)
        if total:
            message = (
                f"{total} value(s) occur in more than one entry ({values}): the rule cannot "
                "be added; nothing was changed."
            )
            raise RuleRefused(shown or fields[-1], message, FieldImpact(op, total, (), message))
        return FieldImpact(op, 0, (), "")
    a, b = fields
    broken = (
        model._default_manager.filter(
            **{f"{a.column}__isnull": False, f"{b.column}__isnull": False}
        )
        .exclude(constraints.condition(rule, a.column, b.column))
        .order_by("pk")
    )
    count = broken.count()
    if count:
        pks = list(broken.values_list("pk", flat=True)[: settings.DYNAMO_REPORT_EXAMPLES])
        sign = constraints.COMPARISONS[rule["is"]][0]
        message = (
            f"{_rows_text(count, pks)} do not have {a.name} {sign} {b.name}: the rule "
            "cannot be added; nothing was changed."
        )
        raise RuleRefused(a, message, FieldImpact(op, count, _examples(pks), message))
    return FieldImpact(op, 0, (), "")


def _check_rule_support(op: ops.AddConstraint, state: ModelSpec, lookup: TargetLookup) -> None:
    """MariaDB/MySQL have no partial unique index, so they cannot leave out the empty values
    of an optional text field: such a rule is refused there before any DDL."""
    model = physical_model(state, lookup)
    if connections[model._default_manager.db].features.supports_partial_indexes:
        return
    blank = constraints.blank_strings(state, op.rule)
    if blank:
        message = (
            f"MariaDB/MySQL cannot leave empty values of '{blank[0].name}' out of a unique "
            "rule: make the field required, or leave it out of the rule."
        )
        raise RuleRefused(blank[0], message, FieldImpact(op, 0, (), message))


def _key(field: FieldSpec, rule: dict) -> Any:
    if rule.get("ignore_case") and get_kind(field.kind).is_string:
        return Lower(field.column)
    return F(field.column)


def _placeholder(uid: str, op: ops.AddConstraint) -> FieldSpec:
    return FieldSpec(uid=uid, name=op.names[0], kind="char", column="")
