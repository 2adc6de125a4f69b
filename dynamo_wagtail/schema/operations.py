"""Schema operations: immutable data, each with ``describe()`` and ``state_forwards()``.

Modelled on Django's migration operations: an operation says what changes and how
the applied spec looks afterwards; :mod:`.applier` is the only place that turns it
into DDL. ``state_forwards`` lets a non-transactional backend record the applied
spec after every step, so a rerun resumes where a failure stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .. import constraints
from ..mixins import FEATURE_KEYS
from ..spec import ACTIVE, RETIRED, TRASHED, FieldSpec, ModelSpec, freeze_options


@dataclass(frozen=True)
class Operation:
    #: Loses data or capacity: runs only when confirmed.
    destructive = False
    #: Hides data (restorable): the admin asks the editor to review it first.
    hides_data = False

    def describe(self) -> str:  # pragma: no cover - every operation overrides it
        raise NotImplementedError

    def state_forwards(self, spec: ModelSpec | None) -> ModelSpec | None:
        raise NotImplementedError  # pragma: no cover

    def __str__(self) -> str:
        return self.describe()


# -- types ---------------------------------------------------------------------


@dataclass(frozen=True)
class CreateType(Operation):
    spec: ModelSpec

    def describe(self) -> str:
        return f"Create content type {self.spec.name} with {len(self.spec.fields)} field(s)"

    def state_forwards(self, spec: ModelSpec | None) -> ModelSpec:
        return self.spec


@dataclass(frozen=True)
class RenameType(Operation):
    old_name: str
    new_name: str

    def describe(self) -> str:
        return f"Rename content type {self.old_name} to {self.new_name}"

    def state_forwards(self, spec: ModelSpec | None) -> ModelSpec:
        assert spec is not None
        return replace(spec, name=self.new_name)


@dataclass(frozen=True)
class AlterTypeOptions(Operation):
    """Labels, description and admin options: no table changes."""

    new: ModelSpec

    def describe(self) -> str:
        return f"Change the options of {self.new.name}"

    def state_forwards(self, spec: ModelSpec | None) -> ModelSpec:
        assert spec is not None
        # Feature switches and rules across fields change tables: AddFeature/RemoveFeature
        # and AddConstraint/RemoveConstraint set those; a rule's message changes here.
        kept = (*FEATURE_KEYS, constraints.OPTION)
        options = {k: self.new.option(k) for k, _v in self.new.options if k not in kept}
        options.update({k: spec.option(k) for k in FEATURE_KEYS if spec.option(k)})
        messages = {
            constraints.constraint_name(self.new, r): r.get("message")
            for r in constraints.rules_of(self.new)
        }
        options[constraints.OPTION] = [
            _with_message(r, messages.get(constraints.constraint_name(spec, r), r.get("message")))
            for r in constraints.rules_of(spec)
        ]
        return replace(
            spec,
            verbose_name=self.new.verbose_name,
            verbose_name_plural=self.new.verbose_name_plural,
            description=self.new.description,
            admin=self.new.admin,
            options=freeze_options(options),
            app_label=self.new.app_label,
        )


def _with_message(rule: dict, message: str | None) -> dict:
    rule = {k: v for k, v in rule.items() if k != "message"}
    return {**rule, "message": message} if message else rule


def _with_option(spec: ModelSpec, key: str, value: Any) -> ModelSpec:
    options = {k: spec.option(k) for k, _v in spec.options}
    options[key] = value
    return replace(spec, options=freeze_options(options))


@dataclass(frozen=True)
class AddFeature(Operation):
    """Switch a Wagtail feature on: its mixin's columns are added, entries kept."""

    key: str

    def describe(self) -> str:
        return f"Switch on {self.key.replace('_', ' ')} (adds its columns)"

    def state_forwards(self, spec: ModelSpec | None) -> ModelSpec:
        assert spec is not None
        return _with_option(spec, self.key, True)


@dataclass(frozen=True)
class RemoveFeature(Operation):
    """Switch a Wagtail feature off: its columns (publish state, locks, …) are dropped."""

    key: str

    destructive = True

    def describe(self) -> str:
        return f"Switch off {self.key.replace('_', ' ')} (drops its columns)"

    def state_forwards(self, spec: ModelSpec | None) -> ModelSpec:
        assert spec is not None
        return _with_option(spec, self.key, False)


@dataclass(frozen=True)
class TrashType(Operation):
    name: str

    hides_data = True

    def describe(self) -> str:
        return f"Move content type {self.name} to the trash (entries kept)"

    def state_forwards(self, spec: ModelSpec | None) -> ModelSpec:
        assert spec is not None
        return replace(spec, state=TRASHED)


@dataclass(frozen=True)
class RestoreType(Operation):
    name: str

    def describe(self) -> str:
        return f"Restore content type {self.name} from the trash"

    def state_forwards(self, spec: ModelSpec | None) -> ModelSpec:
        assert spec is not None
        return replace(spec, state=ACTIVE)


@dataclass(frozen=True)
class DeleteType(Operation):
    spec: ModelSpec
    drop_table: bool

    destructive = True

    def describe(self) -> str:
        if self.drop_table:
            return f"Delete content type {self.spec.name} and drop its table"
        return f"Delete content type {self.spec.name}; keep its table (retired)"

    def state_forwards(self, spec: ModelSpec | None) -> ModelSpec | None:
        if self.drop_table or spec is None:
            return None
        return replace(spec, state=RETIRED)


# -- fields --------------------------------------------------------------------


@dataclass(frozen=True)
class FieldOperation(Operation):
    field: FieldSpec

    def state_forwards(self, spec: ModelSpec | None) -> ModelSpec:
        assert spec is not None
        return spec.with_field(self.field)


@dataclass(frozen=True)
class AddField(FieldOperation):
    def describe(self) -> str:
        return f"Add field {self.field.name} ({self.field.kind})"


@dataclass(frozen=True)
class RenameField(FieldOperation):
    old_name: str

    def describe(self) -> str:
        return f"Rename field {self.old_name} to {self.field.name} (values kept)"


@dataclass(frozen=True)
class AlterField(FieldOperation):
    """Same kind, other options (length, required, unique, index, default, labels)."""

    old: FieldSpec
    narrowing: bool = False

    @property
    def destructive(self) -> bool:  # type: ignore[override]
        return self.narrowing or (self.field.db_required and not self.old.db_required)

    def describe(self) -> str:
        changes = []
        for key in ("required", "unique", "indexed", "default"):
            before, after = getattr(self.old, key), getattr(self.field, key)
            if before != after:
                changes.append(f"{key} {before!r} → {after!r}")
        for key in sorted({k for k, _v in self.old.options + self.field.options}):
            before, after = self.old.option(key), self.field.option(key)
            if before != after:
                changes.append(f"{key} {before!r} → {after!r}")
        if self.old.choices != self.field.choices:
            changes.append("choices")
        if not changes:
            return f"Change the label, help or order of field {self.field.name}"
        return f"Change field {self.field.name}: {', '.join(changes)}"


@dataclass(frozen=True)
class ConvertField(FieldOperation):
    """A change of kind: values are converted in Python, never by a database cast."""

    old: FieldSpec
    lossless: bool = False

    @property
    def destructive(self) -> bool:  # type: ignore[override]
        return not self.lossless

    def describe(self) -> str:
        return f"Convert field {self.field.name} from {self.old.kind} to {self.field.kind}"


@dataclass(frozen=True)
class TrashField(FieldOperation):
    hides_data = True

    def describe(self) -> str:
        return f"Move field {self.field.name} to the trash (values kept)"


@dataclass(frozen=True)
class RestoreField(FieldOperation):
    def describe(self) -> str:
        return f"Restore field {self.field.name} from the trash"


@dataclass(frozen=True)
class RemoveField(FieldOperation):
    drop_column: bool = True

    destructive = True

    def describe(self) -> str:
        if self.drop_column:
            return f"Delete field {self.field.name} and drop its values"
        return f"Delete field {self.field.name}; keep its column (retired)"

    def state_forwards(self, spec: ModelSpec | None) -> ModelSpec:
        assert spec is not None
        if self.drop_column:
            return spec.without_field(self.field.uid)
        return spec.with_field(replace(self.field, state=RETIRED))


@dataclass(frozen=True)
class AlterUniqueTogether(Operation):
    """The set of fields whose values must be unique together (by uid)."""

    old_uids: tuple[str, ...]
    new_uids: tuple[str, ...]
    names: tuple[str, ...]

    def describe(self) -> str:
        if not self.new_uids:
            return "Drop the unique-together rule"
        return f"Make {', '.join(self.names)} unique together"

    def state_forwards(self, spec: ModelSpec | None) -> ModelSpec:
        assert spec is not None
        fields = tuple(replace(f, unique_together=f.uid in self.new_uids) for f in spec.fields)
        return replace(spec, fields=fields)


@dataclass(frozen=True)
class ConstraintOperation(Operation):
    """A rule across fields (``rule`` holds field ids; ``names`` their names, for the review)."""

    rule: dict
    names: tuple[str, ...]

    def __hash__(self) -> int:
        return hash((self.rule["type"], tuple(self.rule["fields"]), self.names))

    def _other_rules(self, spec: ModelSpec) -> list[dict]:
        name = constraints.constraint_name(spec, self.rule)
        return [
            r for r in constraints.rules_of(spec) if constraints.constraint_name(spec, r) != name
        ]


@dataclass(frozen=True)
class AddConstraint(ConstraintOperation):
    """A rule across fields becomes a database constraint."""

    def describe(self) -> str:
        return f"Add the rule {_rule_text(self.rule, self.names)}"

    def state_forwards(self, spec: ModelSpec | None) -> ModelSpec:
        assert spec is not None
        return _with_option(spec, constraints.OPTION, [*self._other_rules(spec), self.rule])


@dataclass(frozen=True)
class RemoveConstraint(ConstraintOperation):
    """A rule across fields is dropped (or set aside while its columns change)."""

    def describe(self) -> str:
        return f"Drop the rule {_rule_text(self.rule, self.names)}"

    def state_forwards(self, spec: ModelSpec | None) -> ModelSpec:
        assert spec is not None
        return _with_option(spec, constraints.OPTION, self._other_rules(spec))


def _rule_text(rule: dict, names: tuple[str, ...]) -> str:
    if rule["type"] == "unique":
        case = " (ignoring case)" if rule.get("ignore_case") else ""
        return f"{', '.join(names)} unique together{case}"
    sign = constraints.COMPARISONS[rule["is"]][0]
    return f"{names[0]} {sign} {names[1]}"
