"""Several people changing one type at once: serialized, nothing lost.

The race tests start two real processes (forked, each with its own database
connection) that meet at a barrier and save the same type: exactly one applies
and the other gets a Conflict, or both apply one after the other; never a lost
update (the version counts every applied change, the applied spec has each).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections

from dynamo_wagtail import api, pipeline, sync
from dynamo_wagtail.models import MetaField, MetaModel
from dynamo_wagtail.spec import ModelSpec
from tests import figures

pytestmark = pytest.mark.usefixtures("dynamo")


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite has one writer anyway")
def test_two_concurrent_changes_to_one_type_both_apply():
    api.create_type("Ticket", [{"name": "title", "kind": "char"}])
    api.get_model("Ticket").objects.create(title="t")
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def add(name: str) -> None:
        try:
            start.wait(timeout=10)
            api.add_field("Ticket", name, "integer")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(n,)) for n in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    names = [f.name for f in api.get_model("Ticket")._meta.fields]
    assert names == ["id", "title", "left", "right"] or names == ["id", "title", "right", "left"]
    assert api.plan("Ticket").is_empty
    assert list(api.get_model("Ticket").objects.values_list("title", flat=True)) == ["t"]


@pytest.mark.skipif(connection.vendor != "mysql", reason="the named lock is MariaDB/MySQL's")
def test_a_change_waiting_too_long_for_the_lock_is_refused(monkeypatch):
    api.create_type("Ticket", [{"name": "title", "kind": "char"}])
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT GET_LOCK('dynamo_wagtail_schema', 5)")
        monkeypatch.setattr(pipeline, "LOCK_TIMEOUT", 1)
        with pytest.raises(pipeline.Conflict, match="Another schema change"):
            api.add_field("Ticket", "late", "integer")
        assert [f.name for f in api.get_model("Ticket")._meta.fields] == ["id", "title"]
    finally:
        other.close()


# -- two processes saving one type at once ----------------------------------------

#: Trials per race test (each starts two real processes that meet at a barrier).
TRIALS = int(os.environ.get("DYNAMO_RACE_TRIALS", "50"))
#: Outcomes of the race tests in this run, printed at the end of each (pytest -s).
TALLY: dict[str, Counter] = {}

race = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="writer processes racing need a database server (SQLite: one writer at a time)",
)


def _racer(barrier: Any, results: Any, who: str, act: Callable[[], Any], prepare: Any) -> None:
    """One process: prepare (load rows), meet the other at the barrier, act."""
    try:
        state = prepare() if prepare else None
        barrier.wait(timeout=30)
        act(state) if prepare else act()
        results.put((who, "applied"))
    except pipeline.Conflict:
        results.put((who, "conflict"))
    except BaseException as exc:  # reported by the parent
        results.put((who, f"error: {exc!r}"))
    finally:
        connections.close_all()


def _race(jobs: dict[str, tuple[Callable[..., Any], Any]]) -> dict[str, str]:
    """Run each job in its own process at the same moment; their outcomes by name."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(jobs))
    results = context.Queue()
    connections.close_all()  # children open their own connections
    processes = [
        context.Process(target=_racer, args=(barrier, results, who, act, prepare))
        for who, (act, prepare) in jobs.items()
    ]
    for process in processes:
        process.start()
    outcomes = dict(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=30)
    sync.ensure_current(force=True)
    return outcomes


def _version(name: str) -> int:
    return MetaModel.objects.get(name=name).schema_version


def _record(test: str, outcomes: dict[str, str]) -> None:
    applied = sorted(who for who, result in outcomes.items() if result == "applied")
    key = (
        "both applied"
        if len(applied) == 2
        else f"one applied ({applied[0]})"
        if applied
        else "none"
    )
    TALLY.setdefault(test, Counter())[key] += 1


def _report(test: str) -> None:
    trials = sum(TALLY[test].values())
    print(f"\n{test} on {connection.vendor}, {trials} trials: {dict(TALLY[test])}")
    figures.save("races", connection.vendor, {t: dict(c) for t, c in TALLY.items()})


def _load_race() -> MetaModel:
    return MetaModel.objects.get(name="Race")


def _save(attribute: str, value: str, meta_model: MetaModel) -> None:
    setattr(meta_model, attribute, value)
    meta_model.save()


def _add_field_row(name: str, meta_model: MetaModel) -> None:
    MetaField(meta_model=meta_model, name=name, type="integer", order=100).save()


@race
def test_two_processes_saving_one_loaded_type_through_the_orm_never_lose_an_update():
    api.create_type("Race", [{"name": "title", "kind": "char"}])
    for trial in range(TRIALS):
        start = _version("Race")
        values = {"left": f"left {trial}", "right": f"right {trial}"}

        outcomes = _race(
            {
                "left": (partial(_save, "verbose_name", values["left"]), _load_race),
                "right": (partial(_save, "description", values["right"]), _load_race),
            }
        )
        _record("orm", outcomes)
        assert sorted(outcomes.values()) == ["applied", "conflict"], outcomes
        row = MetaModel.objects.get(name="Race")
        spec = ModelSpec.from_json(row.applied_spec)
        assert row.schema_version == start + 1
        if outcomes["left"] == "applied":
            assert (row.verbose_name, spec.verbose_name) == (values["left"],) * 2
            assert spec.description == row.description != values["right"]
        else:
            assert (row.description, spec.description) == (values["right"],) * 2
            assert spec.verbose_name == row.verbose_name != values["left"]
        assert api.plan("Race").is_empty

        # The type and a new field of it (two rows) at once: both apply, one after the other
        # (every fifth trial: each adds a column, which keeps the suite quick).
        if trial % 5:
            continue
        start = _version("Race")
        label, name = f"label {trial}", f"f{trial}"
        outcomes = _race(
            {
                "left": (partial(_save, "verbose_name", label), _load_race),
                "right": (partial(_add_field_row, name), _load_race),
            }
        )
        _record("orm, type and field", outcomes)
        assert outcomes == {"left": "applied", "right": "applied"}, outcomes
        row = MetaModel.objects.get(name="Race")
        spec = ModelSpec.from_json(row.applied_spec)
        assert row.schema_version == start + 2
        assert spec.verbose_name == label and name in {f.name for f in spec.active_fields}
        assert api.plan("Race").is_empty
    _report("orm")
    _report("orm, type and field")


@race
def test_two_processes_changing_one_type_through_the_api_never_lose_an_update():
    api.create_type("Race", [{"name": "title", "kind": "char"}])
    api.create_type("Queue", [{"name": "title", "kind": "char"}])
    for trial in range(TRIALS):
        # With the version the editors opened: one applies, the other is told.
        start = _version("Race")
        names = {"left": f"l{trial}", "right": f"r{trial}"}
        outcomes = _race(
            {
                who: (partial(api.add_field, "Race", name, "integer", expected_version=start), None)
                for who, name in names.items()
            }
        )
        _record("api, expected_version", outcomes)
        assert sorted(outcomes.values()) == ["applied", "conflict"], outcomes
        winner = next(w for w, r in outcomes.items() if r == "applied")
        loser = "right" if winner == "left" else "left"
        spec = ModelSpec.from_json(MetaModel.objects.get(name="Race").applied_spec)
        fields = {f.name for f in spec.active_fields}
        assert _version("Race") == start + 1
        assert names[winner] in fields and names[loser] not in fields
        assert not MetaField.objects.filter(name=names[loser]).exists()

        # Without a version: both apply, one after the other (every fifth trial).
        if trial % 5:
            continue
        start = _version("Queue")
        outcomes = _race(
            {
                who: (partial(api.add_field, "Queue", name, "integer"), None)
                for who, name in names.items()
            }
        )
        _record("api, no version", outcomes)
        assert outcomes == {"left": "applied", "right": "applied"}, outcomes
        spec = ModelSpec.from_json(MetaModel.objects.get(name="Queue").applied_spec)
        assert _version("Queue") == start + 2
        assert set(names.values()) <= {f.name for f in spec.active_fields}
    model = api.get_model("Queue")
    assert len(model._meta.fields) == 2 + 2 * sum(TALLY["api, no version"].values())
    assert api.plan("Race").is_empty and api.plan("Queue").is_empty
    _report("api, expected_version")
    _report("api, no version")
