"""Applied specs are parsed once per (type, schema version); catching up reads the log.

A change to one type must not read or parse the other types' stored specs again, so
its cost does not grow with the number of types (bench/scale.py measures the time).
"""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dynamo_wagtail import api, applied, spec, sync
from dynamo_wagtail.models import MetaModel, SchemaChange
from dynamo_wagtail.registry import registry
from dynamo_wagtail.spec import RETIRED, ModelSpec

pytestmark = pytest.mark.usefixtures("dynamo")


def _make(count: int, start: int = 0) -> None:
    for index in range(start, start + count):
        api.create_type(f"Filler{index}", [{"name": "title", "kind": "char"}])


def _cost_of_a_change(monkeypatch: pytest.MonkeyPatch, name: str) -> tuple[int, int]:
    """(specs parsed, rows of MetaModel read) by adding a field to ``name`` and the
    next request's check."""
    parsed = []
    real = ModelSpec.from_json
    monkeypatch.setattr(spec.ModelSpec, "from_json", lambda data: parsed.append(1) or real(data))
    with CaptureQueriesContext(connection) as queries:
        api.add_field(name, f"n{len(MetaModel.objects.get(name=name).fields.all())}", "integer")
        sync.ensure_current()
    monkeypatch.setattr(spec.ModelSpec, "from_json", real)
    table = MetaModel._meta.db_table
    reads = [
        q["sql"] for q in queries if f'FROM "{table}"' in q["sql"] or f"FROM `{table}`" in q["sql"]
    ]
    return len(parsed), len(reads)


def test_a_change_parses_and_reads_the_same_with_more_types(monkeypatch):
    _make(2)
    api.create_type("Probe", [{"name": "title", "kind": "char"}])
    sync.ensure_current()
    few = _cost_of_a_change(monkeypatch, "Probe")
    _make(12, start=2)
    sync.ensure_current()
    many = _cost_of_a_change(monkeypatch, "Probe")
    assert many == few
    assert few[0] <= 4  # the changed type's own spec, not the others'


def test_the_kept_specs_are_what_the_database_has():
    _make(3)
    api.rename_type("Filler1", "Renamed")
    api.delete_type("Filler2")
    api.empty_trash("Filler2", confirm=True)
    kept = applied.current()
    fresh = {
        str(uid): ModelSpec.from_json(data)
        for uid, data in MetaModel.objects.exclude(applied_spec=None).values_list(
            "uid", "applied_spec"
        )
    }
    assert kept.specs == {u: s for u, s in fresh.items() if s.state != RETIRED}
    assert set(kept.specs) == set(registry.specs)


def test_a_process_that_is_behind_reads_only_the_logged_changes():
    _make(4)
    behind = copy.deepcopy(applied._kept[connection.alias])
    api.add_field("Filler1", "extra", "integer")
    api.rename_type("Filler3", "Moved")
    uids = {str(MetaModel.objects.get(name=n).uid) for n in ("Filler1", "Moved")}
    assert applied.changed_since(connection.alias, behind.version, sync.read_version()) == uids
    applied._kept[connection.alias] = behind
    with CaptureQueriesContext(connection) as queries:
        current = applied.current()
    table = MetaModel._meta.db_table
    rows = [q["sql"] for q in queries if table in q["sql"].split(" WHERE ")[0]]
    assert all(" IN (" in sql for sql in rows), rows  # only the two types the log names
    assert sum("applied_spec" in sql.split(" FROM ")[0] for sql in rows) == 1
    assert {s.name for s in current.specs.values()} >= {"Filler0", "Filler1", "Moved"}


def test_a_process_further_behind_than_the_log_loads_every_type(monkeypatch):
    monkeypatch.setattr(applied, "KEEP", 2)
    _make(2)
    behind = copy.deepcopy(applied._kept[connection.alias])
    for step in range(3):
        api.add_field("Filler0", f"extra{step}", "integer")
    assert SchemaChange.objects.count() <= 2
    assert applied.changed_since(connection.alias, behind.version, sync.read_version()) is None
    applied._kept[connection.alias] = behind
    current = applied.current()
    fields = [f.name for f in current.specs[str(MetaModel.objects.get(name="Filler0").uid)].fields]
    assert fields[-3:] == ["extra0", "extra1", "extra2"]


def test_a_change_that_fails_keeps_nothing_of_it():
    _make(1)
    Filler = api.get_model("Filler0")
    Filler.objects.create(title="same")
    Filler.objects.create(title="same")
    before = applied.current()
    with pytest.raises(Exception):  # noqa: B017, PT011 - the database refuses the unique index
        api.alter_field("Filler0", "title", unique=True, confirm=True)
    after = applied.current()
    assert after.specs == before.specs and after.version == before.version
    assert registry.specs == after.specs
