"""Several people changing one type at once: serialized, nothing lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from dynamo_wagtail import api, pipeline

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
