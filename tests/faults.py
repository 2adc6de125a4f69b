"""Fault injection at every step of apply, and the summary table a report script reuses.

A *scenario* is one schema change (edit a type, create one, trash one); a *step* is a
place in applying it where a fault is injected: each operation (after its DDL ran), the
SQL the schema editor deferred (indexes, foreign keys, unique constraints), the recording
of the applied spec and version, and each signal receiver the change calls. Database
faults are real database errors (a statement on a table that does not exist), so that
PostgreSQL aborts its transaction as it does for an index that cannot be built.

``record()`` collects one row per injected step; ``write()`` stores them as JSON under
``tests/artifacts/`` and ``table()`` formats rows as a Markdown table::

    from tests import faults
    print(faults.table(faults.load()))
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.apps.registry import Apps
from django.db import connection, models
from django.utils import timezone

from dynamo_wagtail import api, pipeline, signals
from dynamo_wagtail.models import MetaField, MetaModel
from dynamo_wagtail.schema import applier

ARTIFACTS = Path(__file__).parent / "artifacts"
#: The marker every injected database error carries.
MISSING = "dynamo_fault_missing"


class InjectedFault(Exception):
    """What a failing signal receiver raises."""


class _Missing(models.Model):
    """A model whose table does not exist."""

    n = models.IntegerField()

    class Meta:
        app_label = "dynamo_fault"
        db_table = MISSING
        apps = Apps()


def database_error() -> None:
    """A real error from the database, through the ORM as the applier's data steps
    meet one: PostgreSQL aborts the transaction, Django marks it for rollback."""
    _Missing.objects.update(n=1)


def is_injected(error: BaseException) -> bool:
    return isinstance(error, InjectedFault) or MISSING in str(error)


# -- scenarios ---------------------------------------------------------------------------


def make_box() -> MetaModel:
    meta_model = api.create_type(
        "Box",
        [
            {"name": "label", "kind": "char", "options": {"max_length": 50}},
            {"name": "qty", "kind": "integer"},
            {"name": "note", "kind": "text"},
        ],
    )
    Box = api.get_model("Box")
    Box.objects.bulk_create([Box(label=f"box {i}", qty=i, note="n") for i in range(20)])
    return meta_model


def edit_box() -> None:
    """Five operations: rename, trash, alter (wider, indexed), two indexed additions."""
    meta_model = MetaModel.objects.get(name="Box")
    with pipeline.change():
        qty = MetaField.objects.get(meta_model=meta_model, name="qty")
        qty.name = "quantity"
        qty.save()
        MetaField.objects.filter(meta_model=meta_model, name="note").update(
            trashed_at=timezone.now()
        )
        label = MetaField.objects.get(meta_model=meta_model, name="label")
        label.options = {"max_length": 100}
        label.indexed = True
        label.save()
        MetaField(meta_model=meta_model, name="colour", type="char", indexed=True, order=5).save()
        # Last and nullable: its index stays deferred on SQLite too (a rebuilt table
        # gets its indexes at once).
        MetaField(
            meta_model=meta_model, name="weight", type="integer", indexed=True, order=6
        ).save()


def create_crate() -> None:
    api.create_type(
        "Crate",
        [
            {"name": "code", "kind": "char", "unique": True},
            {"name": "n", "kind": "integer", "indexed": True},
        ],
    )


def trash_box() -> None:
    api.delete_type("Box")


@dataclass(frozen=True)
class Scenario:
    name: str
    setup: Callable[[], Any]
    change: Callable[[], None]
    operations: int
    deferred: bool
    signals: tuple[str, ...]


SCENARIOS = {
    s.name: s
    for s in (
        Scenario(
            "edit",
            make_box,
            edit_box,
            5,
            True,
            ("model_update", "field_update", "field_delete", "field_creation"),
        ),
        Scenario("create", lambda: None, create_crate, 1, True, ("model_creation",)),
        Scenario("trash", make_box, trash_box, 1, False, ("model_delete",)),
    )
}


def steps() -> list[tuple[str, str]]:
    """Every (scenario, step) pair: the parameters of the fault tests."""
    result: list[tuple[str, str]] = []
    for s in SCENARIOS.values():
        result += [(s.name, f"operation {i}") for i in range(1, s.operations + 1)]
        if s.deferred:
            result.append((s.name, "deferred sql"))
        result.append((s.name, "record"))
        for phase in ("pre", "post"):
            result += [(s.name, f"{phase}_{name} receiver") for name in s.signals]
    return result


# -- injection ---------------------------------------------------------------------------


@contextmanager
def inject(monkeypatch: Any, step: str) -> Iterator[list[str]]:
    """Make ``step`` fail once while the block runs; yields the operations started."""
    started: list[str] = []
    fired: list[bool] = []
    real_apply, real_flush, real_record = applier.apply_operation, applier.flush, pipeline._record

    def once() -> bool:
        if fired:
            return False
        fired.append(True)
        return True

    def apply_operation(editor, op, before, after, context):
        started.append(type(op).__name__)
        real_apply(editor, op, before, after, context)
        if step == f"operation {len(started)}" and once():
            database_error()

    def flush(editor):
        if step == "deferred sql" and editor.deferred_sql and once():
            # Runs first, as an index that cannot be built would.
            editor.deferred_sql.insert(0, f"CREATE INDEX dynamo_fault_idx ON {MISSING} (id)")
        real_flush(editor)

    def record(*args, **kwargs):
        real_record(*args, **kwargs)
        if step == "record" and once():
            database_error()

    def receiver(sender: Any, **kwargs: Any) -> None:
        if once():
            raise InjectedFault(step)

    monkeypatch.setattr(applier, "apply_operation", apply_operation)
    monkeypatch.setattr(applier, "flush", flush)
    monkeypatch.setattr(pipeline, "_record", record)
    signal = getattr(signals, step.removesuffix(" receiver"), None) if "receiver" in step else None
    if signal is not None:
        signal.connect(receiver, weak=False)
    try:
        yield started
    finally:
        if signal is not None:
            signal.disconnect(receiver)
        monkeypatch.undo()
    assert fired, f"the fault at {step!r} was never reached"


# -- summary -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    scenario: str
    step: str
    backend: str
    outcome: str


ROWS: list[Row] = []


def record(scenario: str, step: str, outcome: str) -> None:
    ROWS.append(Row(scenario, step, connection.vendor, outcome))


def write(rows: list[Row] | None = None) -> Path | None:
    """Store this run's rows as ``tests/artifacts/faults-<backend>.json``."""
    rows = ROWS if rows is None else rows
    if not rows:
        return None
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"faults-{rows[0].backend}.json"
    path.write_text(json.dumps([asdict(r) for r in rows], indent=1))
    return path


def load(directory: Path = ARTIFACTS) -> list[Row]:
    """Every stored row, of every backend that ran."""
    rows: list[Row] = []
    for path in sorted(directory.glob("faults-*.json")):
        rows += [Row(**r) for r in json.loads(path.read_text())]
    return rows


def table(rows: list[Row]) -> str:
    """Rows as a Markdown table, with the count of injected steps per backend."""
    lines = ["| scenario | step | backend | outcome |", "|---|---|---|---|"]
    lines += [f"| {r.scenario} | {r.step} | {r.backend} | {r.outcome} |" for r in rows]
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.backend] = counts.get(r.backend, 0) + 1
    lines.append("")
    lines += [f"{backend}: {n} injected step(s)" for backend, n in sorted(counts.items())]
    return "\n".join(lines)
