"""Four writer processes insert and edit entries while 50 schema changes run.

Each writer (``tests/writer_loop.py``) is its own OS process with its own connection to
the test database and its own classes, rebuilt only through ``dynamo_wagtail.sync``.
Nothing may be lost, and the only error allowed is the documented
:class:`~dynamo_wagtail.stale.SchemaChanged`, which the writer's retry resolves.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from dynamo_wagtail import api
from tests import figures
from tests.test_sync import ROOT, child_env

WRITERS = 4
CHANGES = 50


def schema_changes() -> list[str]:
    """Run 50 changes on Ledger: add text/boolean/integer fields, rename, alter, remove."""
    done: list[str] = []
    extra: list[str] = []
    step = 0
    while len(done) < CHANGES:
        kind = step % 6
        if kind in (0, 1, 2):
            name = f"{'tbn'[kind]}{step}"
            api.add_field("Ledger", name, ("text", "boolean", "integer")[kind])
            extra.append(name)
            done.append(f"add {name}")
        elif kind == 3 and extra:
            old, extra[-1] = extra[-1], f"r{step}"
            api.rename_field("Ledger", old, extra[-1])
            done.append(f"rename {old}")
        elif kind == 4:
            api.alter_field("Ledger", "note", options={"max_length": 50 + step})
            done.append("alter note")
        elif kind == 5 and extra:
            gone = extra.pop(0)
            api.remove_field("Ledger", gone)
            api.empty_trash("Ledger", confirm=True)  # the column is dropped
            done.append(f"remove {gone}")
        step += 1
    return done


@pytest.mark.multiprocess
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="writer processes racing schema changes need a database server (SQLite: one writer)",
)
def test_writers_lose_nothing_while_the_schema_changes(dynamo: None, tmp_path: Path):
    api.create_type(
        "Ledger",
        [
            {"name": "tag", "kind": "char", "unique": True, "options": {"max_length": 40}},
            {"name": "qty", "kind": "integer", "required": True, "default": "0"},
            {"name": "note", "kind": "char", "options": {"max_length": 50}},
        ],
    )
    stop = tmp_path / "stop"
    procs = []
    for i in range(WRITERS):
        log = open(tmp_path / f"w{i}.log", "wb")  # noqa: SIM115 - closed below
        cmd = [
            sys.executable,
            "-m",
            "tests.writer_loop",
            f"w{i}",
            str(stop),
            str(tmp_path / f"w{i}.json"),
        ]
        procs.append((subprocess.Popen(cmd, cwd=ROOT, env=child_env(), stderr=log), log))
    try:
        Ledger = api.get_model("Ledger")
        deadline = time.monotonic() + 60
        while Ledger.objects.count() < WRITERS * 5 and time.monotonic() < deadline:
            time.sleep(0.1)  # every writer is writing before the changes start
        done = schema_changes()
    finally:
        stop.touch()
        for proc, log in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            log.close()
    assert len(done) == CHANGES
    reports = []
    for i, (proc, _log) in enumerate(procs):
        assert proc.returncode == 0, (tmp_path / f"w{i}.log").read_text()[-3000:]
        reports.append(json.loads((tmp_path / f"w{i}.json").read_text()))

    assert [e for r in reports for e in r["errors"]] == []
    Ledger = api.get_model("Ledger")
    stored = dict(Ledger.objects.values_list("tag", "qty"))
    created = [tag for r in reports for tag in r["created"]]
    assert all(r["created"] for r in reports)
    assert sorted(stored) == sorted(created)  # 0 lost rows, none twice
    for r in reports:
        for tag in r["created"]:
            assert stored[tag] == r["increments"].get(tag, 0), tag  # 0 lost edits
    retries = sum(r["retries"] for r in reports)
    messages = sorted({m for r in reports for m in r["messages"]})
    assert all("try again" in m for m in messages)
    edits = sum(sum(r["increments"].values()) for r in reports)
    figures.save(
        "writers",
        connection.vendor,
        {
            "writers": WRITERS,
            "changes": len(done),
            "entries": len(created),
            "edits": edits,
            "lost": len(created) - len(stored),
            "retries": retries,
        },
    )
    print(
        f"\n{WRITERS} writers, {len(done)} schema changes: {len(created)} entries, "
        f"{sum(sum(r['increments'].values()) for r in reports)} edits, 0 lost, "
        f"{retries} 'schema changed, try again' retried"
    )
