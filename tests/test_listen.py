"""PostgreSQL LISTEN/NOTIFY: a read request learns of a change without asking.

A change made by another OS process reaches this one as a notification on its own database
connection; the version row stays the source of truth whenever listening cannot be trusted.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from dynamo_wagtail import api, listen, sync
from tests.test_sync import (
    ROOT,
    WAIT,
    Server,
    answers_from_every_worker,
    child_env,
    current_database_url,
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's"
)

URL = "/_dynamo/fields/Gadget/"


def change_elsewhere(code: str) -> None:
    """Run ``code`` (with ``api`` imported) in a new OS process against the test database."""
    script = f"import django; django.setup(); from dynamo_wagtail import api; {code}"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-4000:]


def wait_for_delivery(seconds: float = 5.0) -> None:
    """Until something arrived on this process's connection (a notification is async)."""
    ready, _, _ = select.select([connection.connection.fileno()], [], [], seconds)
    assert ready, "no notification arrived"


def version_queries(queries: CaptureQueriesContext) -> list[str]:
    """The reads of the global version (not what catching up with a change reads)."""
    return [q["sql"] for q in queries if "dynamo_wagtail_schemastate" in q["sql"]]


@pytest.fixture
def gadget(dynamo: None, client: Any) -> Any:
    api.create_type("Gadget", [{"name": "title", "kind": "char"}])
    assert client.get(URL).status_code == 200  # listening from here on
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).json()["fields"] == ["id", "title"]
    assert len(queries) == 0, [q["sql"] for q in queries]
    return client


def test_listening_starts_in_the_round_trip_of_the_first_check(dynamo: None):
    sync.ensure_current()
    connection.close()
    with CaptureQueriesContext(connection) as queries:
        sync.ensure_current()
    assert len(queries) == 1
    assert queries[0]["sql"].startswith('LISTEN "dynamo_wagtail"; COMMIT; SELECT version')
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_listening_channels()")
        assert cursor.fetchall() == [("dynamo_wagtail",)]


def test_a_change_in_another_process_is_heard_and_served_on_the_next_read(gadget: Any):
    change_elsewhere("api.add_field('Gadget', 'weight', 'integer')")
    wait_for_delivery()
    with CaptureQueriesContext(connection) as queries:
        response = gadget.get(URL)
    assert response.json()["fields"] == ["id", "title", "weight"]
    assert response.json()["version"] == sync.read_version()
    assert len(version_queries(queries)) == 1
    # Heard and checked: quiet again.
    with CaptureQueriesContext(connection) as queries:
        assert gadget.get(URL).json()["fields"] == ["id", "title", "weight"]
    assert len(queries) == 0


def test_a_notification_that_arrives_with_another_answer_counts_too(gadget: Any):
    change_elsewhere("api.add_field('Gadget', 'weight', 'integer')")
    time.sleep(0.2)
    with connection.cursor() as cursor:  # some query of the site reads the socket first
        cursor.execute("SELECT 1")
    assert not select.select([connection.connection.fileno()], [], [], 0)[0]
    assert gadget.get(URL).json()["fields"] == ["id", "title", "weight"]


def test_a_write_asks_even_on_a_listening_connection(gadget: Any):
    with CaptureQueriesContext(connection) as queries:
        response = gadget.post(URL, {"title": "lamp"})
    assert response.json()["stored"]["title"] == "lamp"
    assert len(version_queries(queries)) == 1


def test_the_version_is_asked_anyway_after_recheck_seconds(
    gadget: Any, monkeypatch: pytest.MonkeyPatch
):
    # Listening lost without a sign: UNLISTEN, as a connection pooler's reset would do.
    with connection.cursor() as cursor:
        cursor.execute("UNLISTEN *")
    monkeypatch.setattr(listen, "RECHECK", 0.3)
    change_elsewhere("api.add_field('Gadget', 'weight', 'integer')")
    time.sleep(0.3)
    with CaptureQueriesContext(connection) as queries:
        assert gadget.get(URL).json()["fields"] == ["id", "title", "weight"]
    assert len(version_queries(queries)) == 1


def test_inside_a_transaction_the_version_is_asked(gadget: Any):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        sync.ensure_current(listening=True)
    assert len(version_queries(queries)) == 1


@override_settings(DYNAMO_LISTEN=False)
def test_listening_can_be_turned_off(dynamo: None, client: Any):
    api.create_type("Gadget", [{"name": "title", "kind": "char"}])
    connection.close()
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        assert [q["sql"][:6] for q in queries] == ["SELECT"], [q["sql"] for q in queries]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_listening_channels()")
        assert cursor.fetchall() == []


def test_a_connection_killed_under_a_listener_is_replaced(gadget: Any):
    pid = connection.connection.info.backend_pid
    with psycopg.connect(current_database_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_for_delivery()
    assert sync.ensure_current(listening=True) is False  # logged, not raised
    connection.close()  # what Django does with an unusable connection after the request
    change_elsewhere("api.add_field('Gadget', 'weight', 'integer')")
    assert gadget.get(URL).json()["fields"] == ["id", "title", "weight"]
    with CaptureQueriesContext(connection) as queries:
        assert gadget.get(URL).status_code == 200
    assert len(queries) == 0  # the new connection listens


# -- real server processes that keep their connections ----------------------------------


@pytest.fixture
def listening_server(dynamo: None, tmp_path: Path) -> Iterator[Server]:
    started = Server(tmp_path / "gunicorn.log", DYNAMO_TEST_CONN_MAX_AGE="600")
    try:
        started.wait_ready()
        yield started
    finally:
        started.stop()


def post(server: Server, path: str, data: dict[str, str]) -> dict[str, Any]:
    body = urllib.parse.urlencode(data).encode()
    url = f"http://127.0.0.1:{server.port}{path}"
    with urllib.request.urlopen(url, data=body, timeout=WAIT) as response:  # noqa: S310
        return json.loads(response.read())


@pytest.mark.multiprocess
def test_listening_workers_serve_reads_when_notified_and_writes_at_once(
    listening_server: Server,
):
    api.create_type("Gadget", [{"name": "title", "kind": "char"}])
    answers = answers_from_every_worker(listening_server, URL + "?sleep=0.05")
    assert all(a["fields"] == ["id", "title"] for a in answers)

    with ThreadPoolExecutor(max_workers=4) as pool:
        for index in range(2):
            # Reads: every worker serves the change once the notification reached it (the
            # deadline is far below listen.RECHECK, so the fallback cannot pass this).
            read = f"read{index}"
            api.add_field("Gadget", read, "integer")
            deadline = time.monotonic() + 5
            while True:
                answers = answers_from_every_worker(listening_server, URL + "?sleep=0.02")
                if all(read in a["fields"] for a in answers):
                    break
                assert time.monotonic() < deadline, answers
            # Writes right after the commit, spread over both workers: each asks the database.
            written = f"written{index}"
            api.add_field("Gadget", written, "integer")
            stored = list(
                pool.map(
                    lambda title: post(listening_server, URL + "?sleep=0.05", {"title": title}),
                    ["a", "b", "c", "d"],
                )
            )
            for answer in stored:
                assert written in answer["stored"], answer
    assert "Traceback" not in listening_server.log()
