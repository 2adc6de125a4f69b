"""A fault at every step of apply: the real error, a usable connection, no drift.

PostgreSQL and SQLite roll the whole change back (or, for a failing post_* receiver,
have committed all of it before the receiver ran); MariaDB/MySQL, where DDL commits
itself, show the half-applied state in ``dynamo_check`` and ``dynamo_apply`` finishes it.
The steps are listed in :mod:`tests.faults`; each run writes its table of outcomes to
``tests/artifacts/faults-<backend>.json``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from dynamo_wagtail import api, pipeline
from dynamo_wagtail.models import MetaField, MetaModel
from dynamo_wagtail.schema import applier
from dynamo_wagtail.schema.inspect import drift
from dynamo_wagtail.spec import ModelSpec
from tests import faults

pytestmark = pytest.mark.usefixtures("dynamo")

transactional = pytest.mark.skipif(
    connection.vendor == "mysql", reason="MariaDB/MySQL: DDL commits itself (see below)"
)
stepwise = pytest.mark.skipif(
    connection.vendor != "mysql", reason="DDL commits itself on MariaDB/MySQL only"
)


@pytest.fixture(scope="module", autouse=True)
def summary() -> Iterator[None]:
    yield
    path = faults.write()
    if path is not None:
        print(f"\n{faults.table(faults.ROWS)}\n(written to {path.name})")


def all_drift() -> list[str]:
    problems: list[str] = []
    for row in MetaModel.objects.filter(applied_spec__isnull=False):
        spec = ModelSpec.from_json(row.applied_spec)
        if spec.state != "retired":
            problems += drift(spec, applier.Context(pipeline.others(spec.uid, "default")))
    return problems


def state() -> list[tuple]:
    """Definition rows and applied specs: what a rolled-back change leaves unchanged."""
    types = list(
        MetaModel.objects.order_by("pk").values_list(
            "name", "trashed_at", "applied_spec", "schema_version"
        )
    )
    fields = list(
        MetaField.objects.order_by("pk").values_list(
            "name", "type", "options", "indexed", "trashed_at"
        )
    )
    return [types, fields]


def assert_usable() -> None:
    assert not connection.in_atomic_block
    assert not connection.needs_rollback
    assert MetaModel.objects.count() >= 0  # a query works
    if connection.vendor == "sqlite":  # foreign key checks are back on
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    if MetaModel.objects.filter(name="Box", trashed_at=None).exists():
        Box = api.get_model("Box")
        assert Box.objects.count() == 20
        Box.objects.create(label="after the fault")
        Box.objects.filter(label="after the fault").delete()


def check(stdout: io.StringIO | None = None) -> int:
    """``dynamo_check``'s exit status."""
    try:
        call_command("dynamo_check", stdout=stdout or io.StringIO())
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def applied_fully(scenario: faults.Scenario) -> bool:
    return all(p.is_empty for p in api.plan()) and (
        scenario.name != "create" or MetaModel.objects.filter(name="Crate").exists()
    )


@transactional
@pytest.mark.parametrize(("name", "step"), faults.steps())
def test_fault_rolls_back_or_commits_whole(monkeypatch, name: str, step: str) -> None:
    scenario = faults.SCENARIOS[name]
    scenario.setup()
    before = state()

    with faults.inject(monkeypatch, step), pytest.raises(Exception) as caught:
        scenario.change()

    assert faults.is_injected(caught.value), repr(caught.value)
    assert_usable()
    assert all_drift() == []
    if step.startswith("post_"):
        # The receiver ran after the commit: the change is there, whole.
        assert state() != before
        assert applied_fully(scenario)
        outcome = "committed; receiver error raised after commit"
        api.add_field("Crate" if name == "create" else "Box", "extra", "integer")
    else:
        assert state() == before
        outcome = "rolled back; real error raised"
        scenario.change()  # the next change works
    assert_usable()
    assert all_drift() == []
    assert applied_fully(scenario)
    faults.record(name, step, outcome)


@stepwise
@pytest.mark.parametrize(("name", "step"), faults.steps())
def test_fault_is_reported_and_finished_by_apply(monkeypatch, name: str, step: str) -> None:
    scenario = faults.SCENARIOS[name]
    scenario.setup()

    with faults.inject(monkeypatch, step), pytest.raises(Exception) as caught:
        scenario.change()

    assert faults.is_injected(caught.value), repr(caught.value)
    assert_usable()
    out = io.StringIO()
    reported = check(out)
    drift_lines = len(out.getvalue().splitlines()) if reported else 0
    call_command("dynamo_apply", stdout=io.StringIO(), stderr=io.StringIO())
    assert check() == 0
    assert all_drift() == []
    assert applied_fully(scenario)
    assert_usable()
    api.add_field("Crate" if name == "create" else "Box", "extra", "integer")
    assert all_drift() == []
    if step.startswith("post_"):
        outcome = "committed; receiver error raised after commit"
    elif reported:
        outcome = f"dynamo_check: {drift_lines} line(s) of drift; dynamo_apply finished it"
    else:
        outcome = "no drift; dynamo_apply finished the pending plan"
    faults.record(name, step, outcome)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SET lock_timeout: PostgreSQL")
def test_lock_timeout_rolls_back_and_the_worker_goes_on() -> None:
    """Another connection holds a lock on the table: ALTER TABLE times out."""
    faults.make_box()
    table = MetaModel.objects.get(name="Box").table
    before = state()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(f'LOCK TABLE "{table}" IN SHARE MODE')
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        try:
            with pytest.raises(Exception, match="lock timeout"):
                faults.edit_box()
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    finally:
        with other.cursor() as cursor:
            cursor.execute("ROLLBACK")
        other.close()
    assert_usable()
    assert state() == before
    assert all_drift() == []
    faults.edit_box()
    assert all_drift() == []
    faults.record("edit", "lock timeout", "rolled back; real error raised")


def test_dynamo_apply_reports_a_failed_type_and_a_rerun_finishes(monkeypatch) -> None:
    faults.make_box()
    meta_model = MetaModel.objects.get(name="Box")
    # A pending change: rows updated without the pipeline.
    MetaField.objects.filter(meta_model=meta_model, name="label").update(
        options={"max_length": 80}, indexed=True
    )
    err = io.StringIO()
    with faults.inject(monkeypatch, "operation 1"), pytest.raises(CommandError, match="Box"):
        call_command("dynamo_apply", stdout=io.StringIO(), stderr=err)
    assert faults.MISSING in err.getvalue()
    assert_usable()
    call_command("dynamo_apply", stdout=io.StringIO())
    assert check() == 0
    assert all(p.is_empty for p in api.plan())
    assert api.get_model("Box")._meta.get_field("label").max_length == 80
