"""Property: any short sequence of schema edits on a type holding data keeps every value.

After each step the table matches the applied spec (``drift`` finds nothing), the
definition has nothing pending, and every field, active or in the trash, still holds the
values this test's model of the world says it holds.
"""

from __future__ import annotations

import datetime
import os
import string
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dynamo_wagtail import api
from dynamo_wagtail.models import MetaField, MetaModel
from dynamo_wagtail.pipeline import others
from dynamo_wagtail.schema.applier import Context
from dynamo_wagtail.schema.impact import physical_model
from dynamo_wagtail.schema.inspect import drift
from dynamo_wagtail.spec import ModelSpec
from tests.conftest import drop_generated_tables

TYPE = "Thing"
ROWS = 3
KINDS = ("char", "text", "integer", "decimal", "boolean", "date")
#: Conversions the engine takes without loss (run with confirm=True all the same).
CONVERSIONS = {"integer": ("big_integer", "decimal"), "char": ("text",)}
#: What an optional field holds in a row that never got a value (a NULL column otherwise).
EMPTY = {"char": "", "text": "", "boolean": False}

WORDS = st.text(alphabet=string.ascii_letters + string.digits, max_size=12)


def values_of(kind: str, max_length: int = 255) -> st.SearchStrategy[Any]:
    if kind in ("char", "text"):
        return st.text(alphabet=string.ascii_letters + string.digits, max_size=max_length)
    if kind in ("integer", "big_integer"):
        return st.none() | st.integers(-1_000_000, 1_000_000)
    if kind == "decimal":
        return st.none() | st.decimals(-10_000, 10_000, places=2, allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "date":
        return st.none() | st.dates(datetime.date(1990, 1, 1), datetime.date(2040, 12, 31))
    raise AssertionError(kind)


@dataclass
class Field:
    uid: str
    name: str
    kind: str
    max_length: int | None = None
    trashed: bool = False
    #: Expected value per entry pk.
    values: dict[int, Any] = field(default_factory=dict)


@dataclass
class World:
    fields: dict[str, Field] = field(default_factory=dict)
    pks: list[int] = field(default_factory=list)
    counter: int = 0

    def fresh_name(self) -> str:
        self.counter += 1
        return f"f{self.counter}"

    def active(self, *kinds: str) -> list[Field]:
        return [f for f in self.fields.values() if not f.trashed and (not kinds or f.kind in kinds)]

    def trashed(self) -> list[Field]:
        return [f for f in self.fields.values() if f.trashed]


def field_uid(name: str) -> str:
    return str(MetaField.objects.get(meta_model__name=TYPE, name=name, trashed_at__isnull=True).uid)


def same(expected: Any, got: Any) -> bool:
    if isinstance(expected, (int, Decimal)) and not isinstance(expected, bool):
        return got is not None and not isinstance(got, bool) and Decimal(got) == Decimal(expected)
    return type(expected) is type(got) and expected == got


def check(world: World, step: str) -> None:
    meta_model = MetaModel.objects.get(name=TYPE)
    spec = ModelSpec.from_json(meta_model.applied_spec)
    assert drift(spec, Context(others(spec.uid, "default"))) == [], step
    assert api.plan(TYPE).is_empty, step

    model = api.get_model(TYPE)
    expected_names = ["id"] + sorted(f.name for f in world.active())
    assert ["id"] + sorted(f.name for f in model._meta.fields[1:]) == expected_names, step
    for f in world.active():
        got = dict(model.objects.values_list("pk", f.name))
        assert set(got) == set(world.pks), step
        for pk, value in f.values.items():
            assert same(value, got[pk]), (step, f, pk, got[pk])
    # Fields in the trash keep their columns and values.
    physical = physical_model(spec, Context(others(spec.uid, "default")).lookup(spec))
    columns = {s.uid: s.column for s in spec.fields}
    for f in world.trashed():
        got = dict(physical._default_manager.values_list("pk", columns[f.uid]))
        for pk, value in f.values.items():
            assert same(value, got[pk]), (step, "trashed", f, pk, got[pk])


def add_field(data: st.DataObject, world: World) -> str:
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    name = world.fresh_name()
    options = {}
    max_length = None
    if kind == "char":
        max_length = data.draw(st.integers(5, 40), label="max_length")
        options = {"max_length": max_length}
    api.add_field(TYPE, name, kind, options=options)
    new = Field(field_uid(name), name, kind, max_length)
    world.fields[new.uid] = new
    model = api.get_model(TYPE)
    # Existing entries first hold the empty value, then each gets one of its own.
    for value in model.objects.values_list(name, flat=True):
        assert same(EMPTY.get(kind), value), (kind, value)
    for pk in world.pks:
        value = data.draw(values_of(kind, max_length or 255), label=f"{name}[{pk}]")
        model.objects.filter(pk=pk).update(**{name: value})
        new.values[pk] = value
    return f"add {name} {kind} {options}"


def rename_field(data: st.DataObject, world: World) -> str:
    target = data.draw(st.sampled_from(world.active()), label="rename")
    new_name = world.fresh_name()
    api.rename_field(TYPE, target.name, new_name)
    step = f"rename {target.name} -> {new_name}"
    target.name = new_name
    return step


def alter_max_length(data: st.DataObject, world: World) -> str:
    target = data.draw(st.sampled_from(world.active("char")), label="max_length of")
    longest = max((len(v) for v in target.values.values()), default=0)
    assert target.max_length is not None
    if target.max_length > max(longest, 1) and data.draw(st.booleans(), label="narrow"):
        new_length = data.draw(st.integers(max(longest, 1), target.max_length - 1), label="to")
        api.alter_field(TYPE, target.name, options={"max_length": new_length}, confirm=True)
    else:
        new_length = target.max_length + data.draw(st.integers(1, 50), label="widen by")
        api.alter_field(TYPE, target.name, options={"max_length": new_length})
    step = f"max_length {target.name} {target.max_length} -> {new_length}"
    target.max_length = new_length
    return step


def convert(data: st.DataObject, world: World) -> str:
    target = data.draw(st.sampled_from(world.active(*CONVERSIONS)), label="convert")
    kind = data.draw(st.sampled_from(CONVERSIONS[target.kind]), label="to kind")
    api.alter_field(TYPE, target.name, kind=kind, options={}, confirm=True)
    step = f"convert {target.name} {target.kind} -> {kind}"
    target.kind, target.max_length = kind, None
    return step


def trash(data: st.DataObject, world: World) -> str:
    target = data.draw(st.sampled_from(world.active()), label="trash")
    api.remove_field(TYPE, target.name)
    target.trashed = True
    return f"trash {target.name}"


def restore(data: st.DataObject, world: World) -> str:
    target = data.draw(st.sampled_from(world.trashed()), label="restore")
    api.restore_field(TYPE, target.name)
    target.trashed = False
    for pk, value in target.values.items():
        if value is None and target.kind in EMPTY:  # entries added while it was in the trash
            target.values[pk] = EMPTY[target.kind]
    return f"restore {target.name}"


def add_entry(data: st.DataObject, world: World) -> str:
    values = {
        f.name: data.draw(values_of(f.kind, f.max_length or 255), label=f"new {f.name}")
        for f in world.active()
    }
    entry = api.get_model(TYPE).objects.create(**values)
    world.pks.append(entry.pk)
    for f in world.fields.values():
        f.values[entry.pk] = values[f.name] if not f.trashed else None
    return f"new entry {entry.pk}"


def edits(world: World) -> list:
    """The edits that apply to the world as it is now."""
    available = [add_field, add_entry]
    if world.active():
        available += [rename_field, trash]
    if world.active("char"):
        available.append(alter_max_length)
    if world.active(*CONVERSIONS):
        available.append(convert)
    if world.trashed():
        available.append(restore)
    return available


@settings(
    # DYNAMO_HYPOTHESIS_EXAMPLES=500 for a longer soak run.
    max_examples=int(os.environ.get("DYNAMO_HYPOTHESIS_EXAMPLES", "25")),
    deadline=None,
    # No "explain" phase: re-running DDL for it takes minutes once something fails.
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_schema_edits_keep_values_and_leave_no_drift(dynamo: None, data: st.DataObject):
    drop_generated_tables()  # a clean database for every example
    api.create_type(TYPE, [{"name": "title", "kind": "char", "options": {"max_length": 20}}])
    world = World()
    title = Field(field_uid("title"), "title", "char", 20)
    world.fields[title.uid] = title
    model = api.get_model(TYPE)
    for _ in range(ROWS):
        value = data.draw(values_of("char", 20), label="title")
        entry = model.objects.create(title=value)
        world.pks.append(entry.pk)
        title.values[entry.pk] = value
    check(world, "created")

    steps = []
    for _ in range(data.draw(st.integers(1, 6), label="steps")):
        edit = data.draw(st.sampled_from(edits(world)), label="edit")
        steps.append(edit(data, world))
        check(world, " / ".join(steps))


@pytest.mark.parametrize("kind", ["char", "text", "boolean", "integer"])
def test_restoring_a_field_after_entries_were_added_while_it_was_in_the_trash(
    dynamo: None, kind: str
):
    """Found by the property above: the restored column fills the entries' empty values."""
    api.create_type(TYPE, [{"name": "title", "kind": "char"}, {"name": "extra", "kind": kind}])
    kept = {"char": "kept", "text": "kept", "boolean": True, "integer": 7}[kind]
    first = api.get_model(TYPE).objects.create(title="first", extra=kept)
    api.remove_field(TYPE, "extra")
    second = api.get_model(TYPE).objects.create(title="second")  # no value for "extra"

    api.restore_field(TYPE, "extra")

    values = dict(api.get_model(TYPE).objects.values_list("pk", "extra"))
    assert values == {first.pk: kept, second.pk: EMPTY.get(kind)}
    spec = ModelSpec.from_json(MetaModel.objects.get(name=TYPE).applied_spec)
    assert drift(spec, Context(others(spec.uid, "default"))) == []
