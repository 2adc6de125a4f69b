"""The statements of a schema change find rows by index, not by reading every type.

A change to one type must not cost more on a site with thousands of types: each query
it runs on the definition tables is answered from an index (``EXPLAIN QUERY PLAN`` on
SQLite names a full scan ``SCAN <table>``), and SQLite adds a NOT NULL column in place
instead of copying the table (whose rename makes SQLite re-read every table's schema).
bench/scale.py measures the times; these tests keep the shape.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dynamo_wagtail import api, checks, sync
from dynamo_wagtail.errors import DefinitionError
from dynamo_wagtail.models import MetaField, MetaModel
from dynamo_wagtail.schema.applier import Context

pytestmark = pytest.mark.usefixtures("dynamo")
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plans and DDL")

DEFINITION_TABLES = (MetaModel._meta.db_table, MetaField._meta.db_table)


def _full_scans(queries: CaptureQueriesContext) -> list[tuple[str, str]]:
    """(statement, plan line) of each full scan of a definition table."""
    scans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.startswith(("SELECT", "UPDATE", "DELETE")):
                continue
            if not any(f'"{table}"' in sql for table in DEFINITION_TABLES):
                continue
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            for row in cursor.fetchall():
                detail = row[-1]
                if re.match(r"SCAN (dynamo_wagtail_meta\w+)( |$)", detail):
                    scans.append((sql, detail))
    return scans


def _make_others(count: int) -> None:
    for index in range(count):
        api.create_type(f"Other{index}", [{"name": "title", "kind": "char"}])
    api.create_type(
        "Linker",
        [
            {"name": "title", "kind": "char"},
            {"name": "other", "kind": "foreign_key", "related_model": "Other0"},
        ],
    )


@sqlite_only
def test_no_change_reads_every_type():
    _make_others(3)
    sync.ensure_current()
    with CaptureQueriesContext(connection) as queries:
        api.create_type(
            "Probe",
            [
                {"name": "title", "kind": "char", "required": True},
                {"name": "other", "kind": "foreign_key", "related_model": "Other1"},
                {"name": "items", "kind": "group"},
            ],
            title_field="title",
        )
        api.add_field("probe", "note", "char")
        api.rename_field("Probe", "note", "remark")
        api.rename_type("Probe", "Sample")
        api.delete_type("Sample")
        api.empty_trash("Sample", confirm=True)
        sync.ensure_current()
    assert len(queries) > 50  # the changes ran their statements
    scans = _full_scans(queries)
    assert scans == [], "\n".join(f"{plan}: {sql[sql.find(' WHERE ') :]}" for sql, plan in scans)


def test_types_are_found_by_name_ignoring_case():
    api.create_type("CamelCase", [{"name": "title", "kind": "char"}])
    assert api.get_type("camelcase").name == "CamelCase"
    api.rename_type("CAMELCASE", "Renamed")
    assert MetaModel.objects.get(name="Renamed").name_key == "renamed"
    with pytest.raises(Exception, match="already exists"):
        api.create_type("RENAMED", [{"name": "title", "kind": "char"}])


def test_a_fixture_keeps_the_name_key(tmp_path):
    api.create_type("Fixtured", [{"name": "title", "kind": "char"}])
    path = tmp_path / "types.json"
    call_command("dumpdata", "dynamo_wagtail.metamodel", output=str(path), verbosity=0)
    MetaModel.objects.filter(name="Fixtured").update(name_key="")
    call_command("loaddata", str(path), verbosity=0)
    assert MetaModel.objects.get(name="Fixtured").name_key == "fixtured"


@sqlite_only
def test_sqlite_adds_a_not_null_column_in_place():
    api.create_type("Kept", [{"name": "title", "kind": "char", "required": True}])
    model = api.get_model("Kept")
    model.objects.create(title="first")
    with CaptureQueriesContext(connection) as queries:
        api.add_field("Kept", "note", "char")
        api.add_field("Kept", "count", "integer", required=True, default="7")
    statements = [q["sql"] for q in queries]
    assert [s for s in statements if "ADD COLUMN" in s], statements
    assert not [s for s in statements if "RENAME TO" in s or '"new__' in s]
    sync.ensure_current()
    row = api.get_model("Kept").objects.get()
    assert (row.title, row.note, row.count) == ("first", "", 7)
    # The next change that copies the table (a type change) keeps the values.
    api.alter_field("Kept", "count", kind="decimal", confirm=True)
    sync.ensure_current()
    row = api.get_model("Kept").objects.get()
    assert (row.note, row.count) == ("", 7)


def test_a_change_that_keeps_the_links_checks_only_the_type_and_its_targets(monkeypatch):
    """Other types linking to the same target matter for the accessors a change puts on
    it; a change that keeps the type's links and name leaves them out of the check."""
    _make_others(1)
    for index in range(3):
        api.create_type(
            f"Fan{index}",
            [{"name": "other", "kind": "foreign_key", "related_model": "Other0"}],
        )
    built = []
    real = checks.build_model
    monkeypatch.setattr(
        checks, "build_model", lambda spec, *a, **k: built.append(spec.name) or real(spec, *a, **k)
    )
    api.add_field("Linker", "note", "char")
    assert sorted(built) == ["Linker", "Other0"]
    built.clear()
    api.add_field(
        "Linker", "again", "foreign_key", related_model="Other0", options={"related_name": "fans"}
    )
    assert {"Fan0", "Fan1", "Fan2"} <= set(built)  # a new link: their accessors count
    with pytest.raises(DefinitionError):
        api.add_field(
            "Fan0", "back", "foreign_key", related_model="Other0", options={"related_name": "fans"}
        )


def test_a_type_rename_looks_only_at_the_types_linking_to_it(monkeypatch):
    """Link tables of many-to-many fields to a renamed type get new column names; the
    types to look at come from the link index, not from every type there is."""
    _make_others(3)
    api.create_type("Shelf", [{"name": "items", "kind": "many_to_many", "related_model": "Other0"}])
    other = api.get_model("Other0").objects.create(title="a")
    api.get_model("Shelf").objects.create().items.set([other])
    seen = []
    real = Context.linking

    def linking(self, uid):
        for spec in real(self, uid):
            seen.append(spec.name)
            yield spec

    monkeypatch.setattr(Context, "linking", linking)
    api.rename_type("Other0", "First")
    assert sorted(seen) == ["Linker", "Shelf"]
    shelf = api.get_model("Shelf").objects.get()
    assert [item.title for item in shelf.items.all()] == ["a"]
