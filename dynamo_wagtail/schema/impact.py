"""What a plan does to existing rows, counted before anything runs.

Values are never left to a database cast (SQLite turns 'abc' into 0): every row
that would not survive a change is found in Python first. Any such row refuses
the plan with a report on the offending field and option; otherwise each
operation gets its impact (rows affected, example keys) for the review page.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, models

from ..conf import settings
from ..factory import TargetLookup
from ..kinds import get_kind
from ..spec import FieldSpec, ModelSpec
from . import operations as ops
from .planner import FieldImpact, Plan
from .refusals import (
    ImpactRefused,
    _examples,
    _rows_text,
    _values,
    duplicates,
    physical_model,
)
from .rule_impact import check_rule

#: InnoDB's longest index key in bytes; utf8mb4 takes up to 4 bytes a character.
MYSQL_KEY_BYTES = 3072
#: MariaDB/MySQL column types that can be indexed only on a prefix.
MYSQL_UNKEYED = {"tinytext", "text", "mediumtext", "longtext", "blob", "longblob", "json"}


def check_conversion(model: type[models.Model], old: FieldSpec, new: FieldSpec) -> FieldImpact:
    kind = get_kind(new.kind)
    for side in (get_kind(old.kind), kind):
        if not side.convertible:
            message = (
                f"A field of kind {side.label} converts to no other kind, and none to it: "
                "add a new field instead; nothing was changed."
            )
            impact = FieldImpact(ops.ConvertField(new, old=old), 0, (), message)
            raise ImpactRefused(new, "type", message, impact)
    bad: list[Any] = []
    count = 0
    for pk, value in _values(model, old.column):
        count += 1
        try:
            kind.convert(value, new)
        except (ValidationError, ValueError, TypeError, ArithmeticError):
            bad.append(pk)
    op_message = f"{count} value(s) to convert"
    impact = FieldImpact(ops.ConvertField(new, old=old), count, (), op_message)
    if bad:
        message = (
            f"{_rows_text(len(bad), bad)} cannot be converted from {old.kind} to {new.kind}; "
            "nothing was changed."
        )
        raise ImpactRefused(
            new,
            "type",
            message,
            replace(impact, rows=len(bad), examples=_examples(bad), message=message),
        )
    return impact


def check_fit(model: type[models.Model], old: FieldSpec, new: FieldSpec, option: str) -> int:
    """Rows whose value no longer fits the new options of the same kind."""
    kind = get_kind(new.kind)
    bad = [pk for pk, value in _values(model, old.column) if not kind.fits(value, new)]
    if bad:
        message = f"{_rows_text(len(bad), bad)} do not fit the new {option}; nothing was changed."
        raise ImpactRefused(
            new,
            option,
            message,
            FieldImpact(ops.AlterField(new, old=old), len(bad), _examples(bad), message),
        )
    return 0


def null_rows(model: type[models.Model], field: FieldSpec) -> tuple[list[Any], int]:
    """Primary keys of the first rows without a value, and how many rows have none."""
    return list(
        model._default_manager.filter(**{f"{field.column}__isnull": True})
        .order_by("pk")
        .values_list("pk", flat=True)[: settings.DYNAMO_REPORT_EXAMPLES + 1]
    ), model._default_manager.filter(**{f"{field.column}__isnull": True}).count()


def check_required(model: type[models.Model], op: ops.FieldOperation) -> FieldImpact:
    field = op.field
    examples, count = null_rows(model, field)
    if count and not field.default:
        message = f"{_rows_text(count, examples)} have no value; give a default to fill them."
        raise ImpactRefused(
            field, "required", message, FieldImpact(op, count, _examples(examples), message)
        )
    message = f"{count} empty value(s) will be set to {field.default!r}" if count else ""
    return FieldImpact(op, count, _examples(examples), message)


def check_unique(model: type[models.Model], columns: list[str], field: FieldSpec) -> None:
    total, shown = duplicates(model, columns)
    if total:
        message = f"{total} value(s) occur more than once ({shown}); nothing was changed."
        option = "unique" if len(columns) == 1 else "unique_together"
        raise ImpactRefused(
            field,
            option,
            message,
            FieldImpact(ops.AlterUniqueTogether((), (), ()), total, (), message),
        )


def assess(plan: Plan, lookup: TargetLookup) -> Plan:
    """The plan with its impact; raises :class:`ImpactRefused` for unsafe rows."""
    check_index_limits(plan, lookup)
    impacts: list[FieldImpact] = []
    state = plan.old
    for op in plan.operations:
        if isinstance(op, ops.AlterUniqueTogether) and plan.old is not None:
            _check_unique_together(op, plan.old, state, lookup)
        elif isinstance(op, ops.AddConstraint):
            impacts.append(check_rule(op, plan.old, state, lookup))
        elif state is not None and not isinstance(op, (ops.CreateType,)):
            impacts.extend(_assess_one(op, state, lookup))
        state = op.state_forwards(state)
    return replace(plan, impact=tuple(impacts))


def check_index_limits(plan: Plan, lookup: TargetLookup) -> None:
    """MariaDB/MySQL: an index the database cannot build is refused before any DDL.

    There DDL commits itself, so a failing index would leave a half-applied change.
    """
    if plan.new is None or not plan.operations:
        return
    model = physical_model(plan.new, lookup)
    connection = connections[model._default_manager.db]
    if connection.vendor != "mysql":
        return
    if any(isinstance(op, ops.CreateType) for op in plan.operations):
        touched = {f.uid for f in plan.new.active_fields}
    else:
        touched = {op.field.uid for op in plan.operations if isinstance(op, ops.FieldOperation)}
    for spec in plan.new.active_fields:
        if spec.uid not in touched or not (spec.unique or spec.indexed):
            continue
        field = model._meta.get_field(spec.column)
        assert isinstance(field, models.Field)  # a spec's column is a concrete field
        db_type = (field.db_type(connection) or "").lower().split("(")[0]
        option = "unique" if spec.unique else "indexed"
        if db_type in MYSQL_UNKEYED:
            message = f"MariaDB/MySQL cannot index a {db_type} column: use a shorter kind."
        elif (field.max_length or 0) * 4 > MYSQL_KEY_BYTES:
            longest = MYSQL_KEY_BYTES // 4
            message = (
                f"MariaDB/MySQL indexes at most {longest} characters: "
                f"max_length {field.max_length} is too long to be {option}."
            )
        else:
            continue
        raise ImpactRefused(spec, option, message, FieldImpact(plan.operations[0], 0, (), message))


def _assess_one(op: ops.Operation, state: ModelSpec, lookup: TargetLookup) -> list[FieldImpact]:
    needs_rows = isinstance(
        op,
        (
            ops.TrashField,
            ops.AddField,
            ops.AlterField,
            ops.ConvertField,
            ops.RestoreField,
            ops.RemoveField,
            ops.DeleteType,
        ),
    )
    if not needs_rows:
        return []
    if isinstance(op, ops.FieldOperation) and not get_kind(op.field.kind).has_column:
        return []  # a group: the impact on its items is their type's
    model = physical_model(state, lookup)
    if isinstance(op, ops.DeleteType):
        count = model._default_manager.count()
        examples = _examples(
            list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:10])
        )
        verb = "deleted" if op.drop_table else "kept in a retired table"
        message = f"{count} entr{'y' if count == 1 else 'ies'} {verb}"
        return [FieldImpact(op, count, examples, message)]
    assert isinstance(op, ops.FieldOperation)
    field = op.field
    if isinstance(op, (ops.RemoveField, ops.TrashField)):
        filled = model._default_manager.exclude(**{f"{field.column}__isnull": True})
        count = filled.count()
        examples = _examples(list(filled.order_by("pk").values_list("pk", flat=True)[:10]))
        if isinstance(op, ops.TrashField):
            verb = "hidden, kept in the trash"
        else:
            verb = "dropped" if op.drop_column else "kept in a retired column"
        return [FieldImpact(op, count, examples, f"{count} value(s) {verb}")]
    if isinstance(op, ops.AddField):
        count = model._default_manager.count()
        kind = get_kind(field.kind)
        if (
            count
            and field.db_required
            and not field.default
            and kind.name not in ("boolean", "many_to_many", "multiple_choice")
        ):
            message = f"{count} entries exist: give a default for the new required field."
            raise ImpactRefused(field, "default", message, FieldImpact(op, count, (), message))
        if count > 1 and field.unique:
            _check_new_unique(model, op, count, kind)
        return []
    if isinstance(op, ops.RestoreField):
        # Rows added while the field was in the trash have NULL there, strings too.
        if field.db_required:
            return [check_required(model, op)]
        return []
    if isinstance(op, ops.ConvertField):
        impact = check_conversion(model, op.old, field)
        if field.db_required:
            check_required(model, op)
        if field.unique:
            check_unique(model, [op.old.column], field)
        return [replace(impact, operation=op)]
    assert isinstance(op, ops.AlterField)
    old = op.old
    refused = get_kind(field.kind).refused_change(old, field)
    if refused:
        option, message = refused
        raise ImpactRefused(field, option, message, FieldImpact(op, 0, (), message))
    result: list[FieldImpact] = []
    if old.options != field.options or old.choices != field.choices:
        check_fit(model, old, field, _changed_option(old, field))
    if field.db_required and not old.db_required and not get_kind(field.kind).is_string:
        result.append(check_required(model, op))
    if field.unique and not old.unique:
        check_unique(model, [field.column], field)
    if op.narrowing:
        kind = get_kind(field.kind)
        pks = [pk for pk, value in _values(model, old.column) if kind.loses(value, old, field)]
        text = kind.loss_text(old, field)
        message = f"{_rows_text(len(pks), pks)} {text}" if pks else text
        result.append(FieldImpact(op, len(pks), _examples(pks), message))
    return result


def _check_unique_together(
    op: ops.AlterUniqueTogether, old: ModelSpec, state: ModelSpec | None, lookup: TargetLookup
) -> None:
    """Existing rows must be unique over the new set; a column this plan adds holds one value.

    Only the columns the table already has are queried (a new one is not there yet).
    """
    if not op.new_uids or state is None:
        return
    fields = [f for f in state.fields if f.uid in op.new_uids]
    new = [f for f in fields if old.field_by_uid(f.uid) is None]
    if any(not f.required and not f.default and get_kind(f.kind).null_when_optional() for f in new):
        return  # every existing row gets NULL there, and NULLs never clash
    model = physical_model(old, lookup)
    existing = [f for f in fields if f not in new]
    if existing:
        check_unique(model, [f.column for f in existing], fields[0])
        return
    count = model._default_manager.count()
    if count > 1:
        message = f"{count} entries would all hold the same values; nothing was changed."
        raise ImpactRefused(
            fields[0], "unique_together", message, FieldImpact(op, count, (), message)
        )


def _check_new_unique(model: type[models.Model], op: ops.AddField, count: int, kind: Any) -> None:
    """Existing entries all get one value in a new column: unique only if that is NULL."""
    field = op.field
    if field.default:
        value: Any = field.default
    elif not field.required and kind.null_when_optional():
        return  # NULLs never clash
    else:
        value = ""
    examples = _examples(
        list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:10])
    )
    message = (
        f"{_rows_text(count, list(examples))} would all get the value {value!r} in the new "
        "unique field; add it without unique, fill in distinct values, then make it unique. "
        "Nothing was changed."
    )
    raise ImpactRefused(field, "unique", message, FieldImpact(op, count, examples, message))


def _changed_option(old: FieldSpec, new: FieldSpec) -> str:
    if old.choices != new.choices:
        return "choices"
    for key, _value in new.options:
        if old.option(key) != new.option(key):
            return key
    return "options"
