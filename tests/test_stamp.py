"""SQLite's change stamp: a quiet read asks no query, a moved or missing stamp asks again.

The other processes of a real server are in the multiprocess tests of test_sync.py;
here another process's change is a version bumped through a second connection and the
stamp replaced as its commit would.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dynamo_wagtail import api, stamp, sync
from dynamo_wagtail.models import SchemaState
from dynamo_wagtail.registry import registry

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the stamp is SQLite's")

URL = "/_dynamo/fields/Gadget/"


def _queries(client) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries), response.json()


def _bump_elsewhere() -> int:
    """A change committed by another process: the version moves, the stamp is replaced."""
    other = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        table = SchemaState._meta.db_table
        other.execute(f"UPDATE {table} SET version = version + 1 WHERE id = 1")  # noqa: S608
        other.commit()
        (version,) = other.execute(f"SELECT version FROM {table} WHERE id = 1").fetchone()  # noqa: S608
    finally:
        other.close()
    stamp.write(connection, version)
    return version


@pytest.fixture
def gadget(dynamo: None, client):
    api.create_type("Gadget", [{"name": "title", "kind": "char"}])
    client.get(URL)  # the first check reads the version and the stamp
    return client


def test_a_change_writes_the_stamp_beside_the_database_file(gadget):
    path = Path(stamp.path(connection) or "")
    assert path.name == Path(connection.settings_dict["NAME"]).name + stamp.SUFFIX
    before = os.stat(path)
    api.add_field("Gadget", "weight", "integer")
    after = os.stat(path)
    assert (after.st_ino, after.st_mtime_ns) != (before.st_ino, before.st_mtime_ns)
    assert path.read_text().strip() == str(sync.read_version())


def test_a_quiet_read_asks_nothing_and_a_moved_stamp_asks_once(gadget):
    assert _queries(gadget)[0] == 0
    assert _queries(gadget)[0] == 0
    version = _bump_elsewhere()
    count, answer = _queries(gadget)
    assert count >= 1 and answer["version"] == version == registry.version
    assert _queries(gadget)[0] == 0


def test_a_missing_stamp_falls_back_to_the_query_and_is_made_again(gadget):
    path = Path(stamp.path(connection) or "")
    path.unlink()
    count, _ = _queries(gadget)
    assert count == 1  # the version query: a missing stamp is never trusted
    assert path.exists()  # made again, only if still missing
    assert _queries(gadget)[0] == 0


def test_an_unwritable_stamp_leaves_every_read_on_the_query(gadget, monkeypatch):
    path = Path(stamp.path(connection) or "")
    monkeypatch.setattr(stamp.os, "replace", _refuse)
    monkeypatch.setattr(stamp.os, "open", _refuse)
    api.add_field("Gadget", "weight", "integer")
    assert not path.exists()  # what could not be replaced is removed, not trusted
    for _ in range(2):
        count, answer = _queries(gadget)
        assert count == 1 and answer["fields"] == ["id", "title", "weight"]


def test_a_quiet_stamp_is_checked_against_the_database_after_recheck_seconds(gadget, monkeypatch):
    assert _queries(gadget)[0] == 0
    monkeypatch.setattr(stamp, "RECHECK", 0.0)
    assert _queries(gadget)[0] == 1


def _refuse(*args: object, **kwargs: object) -> None:
    raise PermissionError("read-only directory")
