"""The planner: a pure diff of the applied spec and the desired spec.

Fields and types are matched by stable id, never by name, so a rename is a rename.
Like Django's autodetector the steps come in a fixed order: type renames and
restores first, then a dropped unique-together rule, field restores, renames,
trash, alterations, conversions, additions, removals, the new unique-together
rule, and last a type going to the trash or away.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .. import constraints
from ..conf import settings
from ..kinds import get_kind
from ..mixins import FEATURE_KEYS
from ..spec import ACTIVE, RETIRED, TRASHED, FieldSpec, ModelSpec, freeze_options
from . import operations as ops


@dataclass(frozen=True)
class FieldImpact:
    """What an operation does to existing rows."""

    operation: ops.Operation
    rows: int = 0
    examples: tuple = ()
    message: str = ""


#: Type options that name fields, as the admin labels them.
OPTION_LABELS = {
    "title_field": "the title field",
    "listing_columns": "the listing columns",
    "search_fields": "the search fields",
    "ordering": "the ordering",
}


@dataclass(frozen=True)
class Plan:
    """Ordered operations for one type, and their data impact once assessed."""

    old: ModelSpec | None
    new: ModelSpec | None
    operations: tuple[ops.Operation, ...] = ()
    impact: tuple[FieldImpact, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.operations

    @property
    def is_destructive(self) -> bool:
        return any(op.destructive for op in self.operations)

    @property
    def needs_review(self) -> bool:
        """Loses data, or hides it (moves fields or the type to the trash)."""
        return any(op.destructive or op.hides_data for op in self.operations)

    def describe(self) -> str:
        if not self.operations:
            return "No changes."
        lines = []
        impacts = {id(i.operation): i for i in self.impact}
        for op in self.operations:
            mark = "!" if op.destructive else "-"
            line = f"{mark} {op.describe()}"
            found = impacts.get(id(op))
            if found and found.message:
                line += f" [{found.message}]"
            lines.append(line)
        return "\n".join(lines)

    @property
    def notes(self) -> tuple[str, ...]:
        """What the change did to type options besides the schema: a removed field's name
        taken out of the options that named it."""
        if self.old is None or self.new is None:
            return ()
        kept = {f.uid for f in self.new.active_fields}
        gone = {f.name for f in self.old.active_fields if f.uid not in kept}
        result = []
        for key in OPTION_LABELS:
            before = self.old.option(key) or []
            before = [before] if isinstance(before, str) else before
            after = self.new.option(key) or []
            after = [after] if isinstance(after, str) else after
            for name in (n.removeprefix("-") for n in before):
                if name in gone and name not in (a.removeprefix("-") for a in after):
                    result.append(f"'{name}' was taken out of {OPTION_LABELS[key]}")
        return tuple(result)

    def __str__(self) -> str:
        return self.describe()


def _unset(value: Any) -> Any:
    """An option that is off or empty, as not set: an option added in a later version
    (stored as False by types saved since) changes nothing for types applied before it."""
    if value is None or value is False or value == "" or value == [] or value == {}:
        return None
    return value


def _ut(spec: ModelSpec | None) -> tuple[str, ...]:
    if spec is None:
        return ()
    return tuple(f.uid for f in spec.active_fields if f.unique_together)


def _field_ops(old: FieldSpec, new: FieldSpec) -> list[ops.Operation]:
    """Operations that turn field ``old`` into ``new`` (same uid)."""
    result: list[ops.Operation] = []
    if old.state == RETIRED:
        return result
    current = old
    if old.state == TRASHED and new.state == ACTIVE:
        current = replace(old, state=ACTIVE)
        result.append(ops.RestoreField(current))
    if new.state == TRASHED and old.state == ACTIVE:
        result.append(ops.TrashField(replace(old, state=TRASHED)))
        return result
    if new.state == TRASHED:
        return result  # stays in the trash; edits wait for its restore
    if current.name != new.name:
        current = replace(current, name=new.name, former_names=new.former_names)
        result.append(ops.RenameField(current, old_name=old.name))
    if current.kind != new.kind:
        lossless = old.kind in get_kind(new.kind).lossless_from
        result.append(ops.ConvertField(new, old=current, lossless=lossless))
    elif current != new:
        narrowing = get_kind(new.kind).is_narrowing(current, new)
        result.append(ops.AlterField(new, old=current, narrowing=narrowing))
    return result


def diff(old: ModelSpec | None, new: ModelSpec | None) -> Plan:
    """The plan that takes the database from ``old`` (applied) to ``new`` (desired)."""
    operations: list[ops.Operation] = []
    if old is None and new is None:
        return Plan(old, new)
    if old is None:
        assert new is not None
        start = replace(new, fields=tuple(f for f in new.fields if f.state == ACTIVE))
        rules = constraints.rules_of(start)
        if rules:
            start = _without_rules(start)
        adds = tuple(_add_rule(new, r) for r in rules)
        return Plan(old, new, (ops.CreateType(start), *adds))
    if new is None:
        return Plan(old, new, (ops.DeleteType(old, drop_table=settings.DYNAMO_DELETE_TABLES),))

    if old.name != new.name:
        operations.append(ops.RenameType(old.name, new.name))
    if old.state == TRASHED and new.state == ACTIVE:
        operations.append(ops.RestoreType(new.name))
    type_fields = ("verbose_name", "verbose_name_plural", "description", "admin", "app_label")
    plain_options = {k for k, _v in old.options + new.options} - set(FEATURE_KEYS)
    if any(getattr(old, k) != getattr(new, k) for k in type_fields) or any(
        _unset(old.option(k)) != _unset(new.option(k)) for k in plain_options
    ):
        operations.append(ops.AlterTypeOptions(new))
    # Features off first (dependants before what they need), then on.
    for key in FEATURE_KEYS:
        if old.option(key) and not new.option(key):
            operations.append(ops.RemoveFeature(key))
    for key in reversed(FEATURE_KEYS):
        if new.option(key) and not old.option(key):
            operations.append(ops.AddFeature(key))

    old_ut, new_ut = _ut(old), _ut(new)
    ut_changes = old_ut != new_ut
    if ut_changes and old_ut:
        operations.append(ops.AlterUniqueTogether(old_ut, (), ()))

    def staged(f: FieldSpec) -> FieldSpec:
        # While the unique-together rule is rebuilt, fields carry no flag.
        return replace(f, unique_together=False) if ut_changes else f

    buckets: dict[type, list[ops.Operation]] = {}
    old_fields = {f.uid: f for f in old.fields}
    for new_field in new.fields:
        old_field = old_fields.get(new_field.uid)
        if old_field is None:
            if new_field.state == ACTIVE:
                buckets.setdefault(ops.AddField, []).append(ops.AddField(staged(new_field)))
            continue
        for op in _field_ops(staged(old_field), staged(new_field)):
            buckets.setdefault(type(op), []).append(op)
    new_uids = {f.uid for f in new.fields}
    for old_field in old.fields:
        if old_field.uid not in new_uids and old_field.state != RETIRED:
            drop = settings.DYNAMO_DELETE_COLUMNS
            buckets.setdefault(ops.RemoveField, []).append(
                ops.RemoveField(staged(old_field), drop_column=drop)
            )
    # Rules across fields: dropped first, and set aside while a column they use is
    # converted (a conversion drops the old column, and the database its constraints).
    converted = {
        op.field.uid for op in buckets.get(ops.ConvertField, ()) if isinstance(op, ops.ConvertField)
    }
    old_rules = {constraints.constraint_name(old, r): r for r in constraints.rules_of(old)}
    new_rules = {constraints.constraint_name(new, r): r for r in constraints.rules_of(new)}
    staged_rules = {n for n, r in old_rules.items() if converted & set(r["fields"])}
    for name, rule in old_rules.items():
        if name not in new_rules or name in staged_rules:
            operations.append(ops.RemoveConstraint(rule, _names(old, rule)))
    for kind in (
        ops.RestoreField,
        ops.RenameField,
        ops.TrashField,
        ops.AlterField,
        ops.ConvertField,
        ops.AddField,
        ops.RemoveField,
    ):
        operations.extend(buckets.get(kind, ()))

    if ut_changes and new_ut:
        names = tuple(f.name for f in new.fields if f.uid in new_ut)
        operations.append(ops.AlterUniqueTogether((), new_ut, names))
    for name, rule in new_rules.items():
        if name not in old_rules or name in staged_rules:
            operations.append(_add_rule(new, rule))
    if old.state == ACTIVE and new.state == TRASHED:
        operations.append(ops.TrashType(new.name))
    return Plan(old, new, tuple(operations))


def _names(spec: ModelSpec, rule: dict) -> tuple[str, ...]:
    by_uid = {f.uid: f.name for f in spec.fields}
    return tuple(by_uid.get(u, u) for u in rule["fields"])


def _add_rule(spec: ModelSpec, rule: dict) -> ops.AddConstraint:
    return ops.AddConstraint(rule, _names(spec, rule))


def _without_rules(spec: ModelSpec) -> ModelSpec:
    options = {k: spec.option(k) for k, _v in spec.options if k != constraints.OPTION}
    return replace(spec, options=freeze_options(options))


def final_state(plan: Plan) -> ModelSpec | None:
    """The applied spec after every operation of ``plan`` ran."""
    state = plan.old
    for op in plan.operations:
        state = op.state_forwards(state)
    return state
