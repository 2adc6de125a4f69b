"""SQLite's change stamp: a quiet read asks no query, a moved or missing stamp asks again.

The other processes of a real server are in the multiprocess tests of test_sync.py;
here another process's change is a version bumped through a second connection and the
stamp written as its commit would.
"""

from __future__ import annotations

import os
import sqlite3
import time
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


def _bump_elsewhere(*, write: bool = True) -> int:
    """A change committed by another process: the version moves, the stamp is rewritten."""
    other = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        table = SchemaState._meta.db_table
        other.execute(f"UPDATE {table} SET version = version + 1 WHERE id = 1")  # noqa: S608
        other.commit()
        (version,) = other.execute(f"SELECT version FROM {table} WHERE id = 1").fetchone()  # noqa: S608
    finally:
        other.close()
    if write:
        stamp.write(connection, version)
    return version


def _kept_until(moment: float) -> None:
    """Take the file this process keeps open as the one at the stamp's path until
    ``moment`` (0: look at the path again at the next check)."""
    for entry in stamp._opened.values():
        entry.valid_until = moment


def _replace_elsewhere() -> int:
    """A change committed by another process that replaced the stamp with a new file (as
    older releases did) instead of writing into it."""
    version = _bump_elsewhere(write=False)
    path = Path(stamp.path(connection) or "")
    path.with_name(path.name + ".new").write_bytes(stamp._record(version))
    os.replace(path.with_name(path.name + ".new"), path)
    return version


@pytest.fixture
def gadget(dynamo: None, client):
    api.create_type("Gadget", [{"name": "title", "kind": "char"}])
    client.get(URL)  # the first check reads the version and the stamp
    return client


def test_a_change_writes_a_new_record_into_the_stamp_in_place(gadget):
    path = Path(stamp.path(connection) or "")
    assert path.name == Path(connection.settings_dict["NAME"]).name + stamp.SUFFIX
    before, inode = path.read_bytes(), os.stat(path).st_ino
    api.add_field("Gadget", "weight", "integer")
    after = path.read_bytes()
    # The same file (processes keep it open), a record never written before.
    assert os.stat(path).st_ino == inode and after != before
    assert len(after) == stamp.SIZE and after.split()[0] == str(sync.read_version()).encode()


def test_a_quiet_read_asks_nothing_and_a_moved_stamp_asks_once(gadget):
    assert _queries(gadget)[0] == 0
    assert _queries(gadget)[0] == 0
    version = _bump_elsewhere()
    count, answer = _queries(gadget)
    assert count >= 1 and answer["version"] == version == registry.version
    assert _queries(gadget)[0] == 0


def test_a_replaced_stamp_is_seen_at_the_next_look_at_its_path(gadget):
    """The open file still reads the old record; the path is looked at again within
    VALIDATE seconds (here at once), and the new file then moves the check."""
    assert _queries(gadget)[0] == 0
    _kept_until(time.monotonic() + 3600)
    version = _replace_elsewhere()
    assert _queries(gadget)[0] == 0  # within VALIDATE: the kept file is the old one
    _kept_until(0.0)
    count, answer = _queries(gadget)
    assert count >= 1 and answer["version"] == version == registry.version
    assert _queries(gadget)[0] == 0  # the new file is the one kept now


def test_a_stamp_removed_by_another_process_is_not_trusted(gadget):
    assert _queries(gadget)[0] == 0
    _kept_until(0.0)
    version = _bump_elsewhere(write=False)
    # The other process could not write it and removed it (stamp.write's fallback).
    Path(stamp.path(connection) or "").unlink()
    count, answer = _queries(gadget)
    assert count >= 1 and answer["version"] == version == registry.version


def test_a_missing_stamp_falls_back_to_the_query_and_is_made_again(gadget):
    path = Path(stamp.path(connection) or "")
    path.unlink()
    _kept_until(0.0)  # another process's removal is seen when the path is looked at
    count, _ = _queries(gadget)
    assert count == 1  # the version query: a missing stamp is never trusted
    assert path.exists()  # made again, only if still missing
    assert _queries(gadget)[0] == 0


def test_an_unwritable_stamp_leaves_every_read_on_the_query(gadget, monkeypatch):
    path = Path(stamp.path(connection) or "")
    monkeypatch.setattr(stamp.os, "link", _refuse)
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
