"""Random schema evolution of several types holding data (hypothesis, stateful).

Types are created, renamed, trashed, restored and emptied from the trash; fields of every
family are added (text, numbers, yes/no, choices, files, dates, links to another type or
to itself, many-to-many), renamed, trashed, restored and emptied from the trash; feature
switches go on and off; entries are added, edited and deleted throughout. After every
step each active type's table matches its applied spec (``drift`` finds nothing), nothing
is pending, and every value is what this test's model of the world says.

``DYNAMO_EVOLUTION_SEQUENCES`` sets the number of sequences (50 by default; ``make soak``
runs 500 per database). ``DYNAMO_EVOLUTION_RESULTS=<path>`` writes the counts as JSON.
"""

from __future__ import annotations

import datetime
import json
import os
import string
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from wagtail.models import Locale

from dynamo_wagtail import api
from dynamo_wagtail.conf import settings as settings_
from dynamo_wagtail.models import MetaModel
from dynamo_wagtail.pipeline import others
from dynamo_wagtail.schema.applier import Context
from dynamo_wagtail.schema.inspect import drift
from dynamo_wagtail.spec import ModelSpec
from tests.conftest import drop_generated_tables
from tests.hostile.runner import repair_connection

SEQUENCES = int(os.environ.get("DYNAMO_EVOLUTION_SEQUENCES", "50"))
STEPS = int(os.environ.get("DYNAMO_EVOLUTION_STEPS", "8"))
MAX_TYPES = 3
CHOICES = ("a", "b", "c")
SCALAR_KINDS = ("char", "integer", "boolean", "choice", "file", "decimal", "date")
#: What an optional field holds in a row that never got a value.
EMPTY: dict[str, Any] = {"char": "", "boolean": False, "choice": "", "file": ""}
#: Feature bundles switched on and off together (drafts and locking need revisions).
BUNDLES = ("drafts", "locking", "translation", "search_index", "preview")

TEXT = st.text(alphabet=string.ascii_letters + string.digits + " ", max_size=20)

#: Counts of the last run, for the reliability page.
RESULTS = {"sequences": 0, "steps": 0, "drift": 0, "changed_values": 0}


def scalar_values(kind: str) -> st.SearchStrategy[Any]:
    if kind == "char":
        return TEXT
    if kind == "integer":
        return st.none() | st.integers(-1_000_000, 1_000_000)
    if kind == "boolean":
        return st.booleans()
    if kind == "choice":
        return st.sampled_from(("", *CHOICES))
    if kind == "file":
        return st.sampled_from(("", "dynamo/a.txt", "dynamo/b.pdf"))
    if kind == "decimal":
        return st.none() | st.decimals(-10_000, 10_000, places=2, allow_nan=False)
    if kind == "date":
        return st.none() | st.dates(datetime.date(1990, 1, 1), datetime.date(2040, 12, 31))
    raise AssertionError(kind)


def same(expected: Any, got: Any) -> bool:
    if isinstance(expected, (int, Decimal)) and not isinstance(expected, bool):
        return got is not None and not isinstance(got, bool) and Decimal(got) == Decimal(expected)
    return type(expected) is type(got) and expected == got


@dataclass
class FieldModel:
    name: str
    kind: str
    #: Name of the linked type (links follow type renames).
    target: str | None = None
    trashed: bool = False


@dataclass
class TypeModel:
    name: str
    fields: dict[str, FieldModel] = field(default_factory=dict)
    #: pk -> field name -> value (a set of pks for many-to-many).
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    bundles: set[str] = field(default_factory=set)
    trashed: bool = False

    def active(self, *kinds: str) -> list[FieldModel]:
        return [f for f in self.fields.values() if not f.trashed and (not kinds or f.kind in kinds)]


class Evolution(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        repair_connection()  # after a failed sequence, for the next one
        drop_generated_tables()
        ContentType.objects.filter(app_label=settings_.DYNAMO_DEFAULT_APP).delete()
        ContentType.objects.clear_cache()
        Locale.objects.get_or_create(language_code="en")
        self.types: dict[str, TypeModel] = {}
        self.counter = 0
        self.steps: list[str] = []
        RESULTS["sequences"] += 1

    # -- helpers ----------------------------------------------------------------------------

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def active_types(self) -> list[TypeModel]:
        return [t for t in self.types.values() if not t.trashed]

    def log(self, step: str) -> None:
        self.steps.append(step)
        RESULTS["steps"] += 1

    def linked_from(self, target: TypeModel) -> list[FieldModel]:
        return [
            f
            for t in self.active_types()
            for f in t.active()
            if f.target == target.name and t is not target
        ]

    def draw_value(self, data: st.DataObject, t: TypeModel, f: FieldModel) -> Any:
        if f.kind in SCALAR_KINDS:
            return data.draw(scalar_values(f.kind), label=f"{t.name}.{f.name}")
        pks = sorted(self.types[f.target].rows) if f.target else []
        if f.kind == "foreign_key":
            return data.draw(st.none() | st.sampled_from(pks) if pks else st.none())
        return (
            set(data.draw(st.lists(st.sampled_from(pks), unique=True, max_size=3)))
            if pks
            else set()
        )

    def store(self, t: TypeModel, pk: int, values: dict[str, Any]) -> None:
        model = api.get_model(t.name)
        scalars = {}
        for name, value in values.items():
            f = next(f for f in t.active() if f.name == name)
            if f.kind == "many_to_many":
                getattr(model.objects.get(pk=pk), name).set(value)
            elif f.kind == "foreign_key":
                scalars[f"{name}_id"] = value
            else:
                scalars[name] = value
        if scalars:
            model.objects.filter(pk=pk).update(**scalars)
        t.rows[pk].update(values)

    # -- rules ------------------------------------------------------------------------------

    @precondition(lambda self: len(self.types) < MAX_TYPES)
    @rule()
    def create_type(self) -> None:
        name = self.fresh("T")
        api.create_type(name, [{"name": "title", "kind": "char", "options": {"max_length": 40}}])
        self.types[name] = TypeModel(name, {"title": FieldModel("title", "char")})
        self.log(f"create {name}")

    @precondition(lambda self: self.active_types())
    @rule(data=st.data())
    def add_field(self, data: st.DataObject) -> None:
        t = data.draw(st.sampled_from(self.active_types()), label="type")
        kinds = list(SCALAR_KINDS) + ["foreign_key", "many_to_many"]
        kind = data.draw(st.sampled_from(kinds), label="kind")
        name = self.fresh("f")
        attrs: dict[str, Any] = {}
        target = None
        if kind in ("foreign_key", "many_to_many"):
            target = data.draw(st.sampled_from(self.active_types()), label="target").name
            attrs["related_model"] = target
        if kind == "choice":
            attrs["choices"] = "\n".join(CHOICES)
        if kind == "char":
            attrs["options"] = {"max_length": 40}
        api.add_field(t.name, name, kind, **attrs)
        f = FieldModel(name, kind, target)
        t.fields[name] = f
        empty = set() if kind == "many_to_many" else EMPTY.get(kind)
        for row in t.rows.values():
            row[name] = empty
        self.log(f"add {t.name}.{name} {kind} {target or ''}")
        for pk in sorted(t.rows):
            if data.draw(st.booleans(), label="fill"):
                self.store(t, pk, {name: self.draw_value(data, t, f)})

    @precondition(lambda self: self.active_types())
    @rule(data=st.data())
    def add_entry(self, data: st.DataObject) -> None:
        t = data.draw(st.sampled_from(self.active_types()), label="type")
        model = api.get_model(t.name)
        extra = (
            {"locale": Locale.objects.get(language_code="en")} if "translation" in t.bundles else {}
        )
        entry = model.objects.create(**extra)
        t.rows[entry.pk] = {
            f.name: (set() if f.kind == "many_to_many" else EMPTY.get(f.kind))
            for f in t.fields.values()
        }
        values = {f.name: self.draw_value(data, t, f) for f in t.active()}
        self.store(t, entry.pk, values)
        self.log(f"entry {t.name}#{entry.pk}")

    @precondition(lambda self: any(t.rows for t in self.active_types()))
    @rule(data=st.data())
    def edit_entry(self, data: st.DataObject) -> None:
        t = data.draw(st.sampled_from([t for t in self.active_types() if t.rows]), label="type")
        pk = data.draw(st.sampled_from(sorted(t.rows)), label="pk")
        f = data.draw(st.sampled_from(t.active()), label="field")
        self.store(t, pk, {f.name: self.draw_value(data, t, f)})
        self.log(f"edit {t.name}#{pk}.{f.name}")

    def deletable(self) -> list[TypeModel]:
        """Types with entries that nothing links to (in the trash or not)."""
        targets = {f.target for t in self.types.values() for f in t.fields.values()}
        return [t for t in self.active_types() if t.rows and t.name not in targets]

    @precondition(lambda self: self.deletable())
    @rule(data=st.data())
    def delete_entry(self, data: st.DataObject) -> None:
        t = data.draw(st.sampled_from(self.deletable()), label="type")
        pk = data.draw(st.sampled_from(sorted(t.rows)), label="pk")
        api.get_model(t.name).objects.filter(pk=pk).delete()
        del t.rows[pk]
        self.log(f"delete {t.name}#{pk}")

    @precondition(lambda self: self.active_types())
    @rule(data=st.data())
    def rename_field(self, data: st.DataObject) -> None:
        t = data.draw(st.sampled_from(self.active_types()), label="type")
        f = data.draw(st.sampled_from(t.active()), label="field")
        new = self.fresh("f")
        api.rename_field(t.name, f.name, new)
        for row in t.rows.values():
            row[new] = row.pop(f.name)
        t.fields[new] = t.fields.pop(f.name)
        self.log(f"rename {t.name}.{f.name} -> {new}")
        f.name = new

    @precondition(lambda self: self.active_types())
    @rule(data=st.data())
    def rename_type(self, data: st.DataObject) -> None:
        t = data.draw(st.sampled_from(self.active_types()), label="type")
        new = self.fresh("T")
        api.rename_type(t.name, new)
        for other in self.types.values():
            for f in other.fields.values():
                if f.target == t.name:
                    f.target = new
        self.types[new] = self.types.pop(t.name)
        self.log(f"rename type {t.name} -> {new}")
        t.name = new

    @precondition(lambda self: any(len(t.active()) > 1 for t in self.active_types()))
    @rule(data=st.data())
    def trash_field(self, data: st.DataObject) -> None:
        t = data.draw(st.sampled_from([t for t in self.active_types() if len(t.active()) > 1]))
        f = data.draw(st.sampled_from(t.active()), label="field")
        api.remove_field(t.name, f.name)
        f.trashed = True
        self.log(f"trash {t.name}.{f.name}")

    def restorable(self) -> list[tuple[TypeModel, FieldModel]]:
        return [
            (t, f)
            for t in self.active_types()
            for f in t.fields.values()
            if f.trashed
            and (f.target is None or (f.target in self.types and not self.types[f.target].trashed))
            and f.name not in {a.name for a in t.active()}
        ]

    @precondition(lambda self: self.restorable())
    @rule(data=st.data())
    def restore_field(self, data: st.DataObject) -> None:
        t, f = data.draw(st.sampled_from(self.restorable()), label="restore")
        api.restore_field(t.name, f.name)
        f.trashed = False
        self.log(f"restore {t.name}.{f.name}")

    @precondition(lambda self: any(not self.linked_from(t) for t in self.active_types()))
    @rule(data=st.data())
    def trash_type(self, data: st.DataObject) -> None:
        choices = [t for t in self.active_types() if not self.linked_from(t)]
        t = data.draw(st.sampled_from(choices), label="trash type")
        api.delete_type(t.name)
        t.trashed = True
        self.log(f"trash type {t.name}")

    def restorable_types(self) -> list[TypeModel]:
        return [
            t
            for t in self.types.values()
            if t.trashed
            and all(
                f.target is None or not self.types[f.target].trashed
                for f in t.active()
                if f.target != t.name
            )
        ]

    @precondition(lambda self: self.restorable_types())
    @rule(data=st.data())
    def restore_type(self, data: st.DataObject) -> None:
        t = data.draw(st.sampled_from(self.restorable_types()), label="restore type")
        api.restore_type(t.name)
        t.trashed = False
        self.log(f"restore type {t.name}")

    @precondition(lambda self: any(t.trashed for t in self.types.values()))
    @rule(data=st.data())
    def empty_type_trash(self, data: st.DataObject) -> None:
        """A trashed type is dropped for good; fields that linked to it stay in the trash."""
        t = data.draw(st.sampled_from([t for t in self.types.values() if t.trashed]))
        api.empty_trash(t.name, confirm=True)
        del self.types[t.name]
        self.log(f"empty trash of type {t.name}")

    @precondition(
        lambda self: any(t.active() != list(t.fields.values()) for t in self.active_types())
    )
    @rule(data=st.data())
    def empty_field_trash(self, data: st.DataObject) -> None:
        """The fields a type has in the trash are dropped for good with their values."""
        choices = [t for t in self.active_types() if t.active() != list(t.fields.values())]
        t = data.draw(st.sampled_from(choices), label="empty trash of")
        api.empty_trash(t.name, confirm=True)
        for name in [n for n, f in t.fields.items() if f.trashed]:
            del t.fields[name]
            for row in t.rows.values():
                row.pop(name, None)
        self.log(f"empty trash of {t.name}")

    @precondition(lambda self: self.active_types())
    @rule(data=st.data())
    def switch_feature(self, data: st.DataObject) -> None:
        t = data.draw(st.sampled_from(self.active_types()), label="type")
        bundle = data.draw(st.sampled_from(BUNDLES), label="feature")
        t.bundles ^= {bundle}
        options = {b: b in t.bundles for b in BUNDLES}
        options["revisions"] = bool(t.bundles & {"drafts", "locking"})
        api.alter_type(t.name, confirm=True, **options)
        self.log(f"{t.name} {bundle} {'on' if bundle in t.bundles else 'off'}")

    # -- what must hold ---------------------------------------------------------------------

    @invariant()
    def no_drift_and_every_value_kept(self) -> None:
        where = " / ".join(self.steps)
        for t in self.active_types():
            meta_model = MetaModel.objects.get(name=t.name)
            spec = ModelSpec.from_json(meta_model.applied_spec)
            found = drift(spec, Context(others(spec.uid, "default")))
            if found:
                RESULTS["drift"] += 1
            assert found == [], where
            assert api.plan(t.name).is_empty, where
            model = api.get_model(t.name)
            assert set(model.objects.values_list("pk", flat=True)) == set(t.rows), where
            for f in t.active():
                if f.kind == "many_to_many":
                    got = {pk: set() for pk in t.rows}
                    for pk, linked in model.objects.values_list("pk", f.name):
                        if linked is not None:
                            got[pk].add(linked)
                else:
                    got = dict(model.objects.values_list("pk", f.name))
                for pk, row in t.rows.items():
                    expected = row[f.name]
                    ok = (
                        got[pk] == expected if f.kind == "many_to_many" else same(expected, got[pk])
                    )
                    if not ok:
                        RESULTS["changed_values"] += 1
                    assert ok, (where, t.name, f.name, pk, expected, got[pk])


Evolution.TestCase.settings = settings(
    max_examples=SEQUENCES,
    stateful_step_count=STEPS,
    deadline=None,
    # No "explain" phase: re-running DDL for it takes minutes once something fails.
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_random_schema_evolution_keeps_every_value_and_leaves_no_drift(dynamo: None) -> None:
    passed, failure = False, ""
    try:
        run_state_machine_as_test(Evolution, settings=Evolution.TestCase.settings)
        passed = True
    except BaseException as exc:
        failure = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        raise
    finally:
        path = os.environ.get("DYNAMO_EVOLUTION_RESULTS")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(
                    {
                        **RESULTS,
                        "vendor": connection.vendor,
                        "requested": SEQUENCES,
                        "passed": passed,
                        "failure": failure,
                    },
                    handle,
                )
