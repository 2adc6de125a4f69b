"""Other processes follow schema changes: the global version, get_model(s), the middleware.

A second OS process (``tests/worker_loop.py``) and a real gunicorn share the current test
database with the test process; what they see of a change they learn only through
``dynamo_wagtail.sync``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test.utils import CaptureQueriesContext

from dynamo_wagtail import api, stamp, sync
from dynamo_wagtail.registry import registry

ROOT = Path(__file__).resolve().parent.parent
WAIT = 30.0  # seconds: an upper bound for any one answer from another process


def current_database_url() -> str:
    """A DATABASE_URL for the test database this run uses (not the configured one)."""
    settings = connection.settings_dict
    name = settings["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    scheme, port = {"postgresql": ("postgres", 5432), "mysql": ("mysql", 3306)}[connection.vendor]
    user = settings.get("USER") or ("postgres" if scheme == "postgres" else "root")
    password = settings.get("PASSWORD") or ""
    auth = f"{user}:{password}" if password else user
    host = settings.get("HOST") or "127.0.0.1"
    return f"{scheme}://{auth}@{host}:{settings.get('PORT') or port}/{name}"


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    env["DATABASE_URL"] = current_database_url()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def fields_of(name: str) -> list[str]:
    return [f.name for f in api.get_model(name)._meta.fields]


# -- a second long-lived process -------------------------------------------------------


class Worker:
    """``tests.worker_loop`` in its own OS process, with its own database connection."""

    def __init__(self, log: Path) -> None:
        self.log_path = log
        self.log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.worker_loop"],
            cwd=ROOT,
            env=child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.pid = self._next()["pid"]

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _next(self) -> dict[str, Any]:
        try:
            line = self.lines.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError(f"worker gave no answer within {WAIT}s\n{self.stderr()}") from None
        if line is None:
            raise AssertionError(f"worker exited ({self.proc.poll()})\n{self.stderr()}")
        return json.loads(line)

    def stderr(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def ask(self, name: str) -> dict[str, Any]:
        """The worker's next command: the fields of ``name`` as it sees them now."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()
        return self._next()

    def stop(self) -> None:
        if self.proc.poll() is None:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture
def worker(dynamo: None, tmp_path: Path) -> Iterator[Worker]:
    started = Worker(tmp_path / "worker.log")
    try:
        yield started
    finally:
        # Before the database teardown: PostgreSQL refuses to drop a database in use.
        started.stop()


def test_a_long_lived_process_follows_changes_without_restart(worker: Worker):
    assert worker.pid != os.getpid()
    assert "error" in worker.ask("Gadget")  # not there yet

    api.create_type("Gadget", [{"name": "title", "kind": "char"}])
    assert worker.ask("Gadget") == {"fields": ["id", "title"]}

    api.add_field("Gadget", "weight", "integer")
    assert fields_of("Gadget") == ["id", "title", "weight"]
    assert worker.ask("Gadget") == {"fields": ["id", "title", "weight"]}

    api.rename_field("Gadget", "weight", "mass")
    assert worker.ask("Gadget") == {"fields": ["id", "title", "mass"]}

    api.rename_type("Gadget", "Device")
    assert worker.ask("Device") == {"fields": ["id", "title", "mass"]}
    reply = worker.ask("Gadget")
    assert reply.get("error", "").startswith("LookupError"), reply

    api.remove_field("Device", "title")
    assert worker.ask("Device") == {"fields": ["id", "mass"]}
    api.restore_field("Device", "title")
    assert worker.ask("Device") == {"fields": ["id", "title", "mass"]}
    assert worker.proc.poll() is None  # the same process answered throughout


def test_a_type_deleted_elsewhere_leaves_the_other_process(worker: Worker):
    api.create_type("Gadget", [{"name": "title", "kind": "char"}])
    assert worker.ask("Gadget") == {"fields": ["id", "title"]}
    api.delete_type("Gadget")  # the trash keeps the class (entries, revisions): as here
    assert fields_of("Gadget") == ["id", "title"]
    assert worker.ask("Gadget") == {"fields": ["id", "title"]}
    api.empty_trash("Gadget", confirm=True)
    with pytest.raises(LookupError):
        api.get_model("Gadget")
    reply = worker.ask("Gadget")
    assert reply.get("error", "").startswith("LookupError"), reply


# -- the middleware: one query per request -----------------------------------------------


def test_ensure_current_is_one_query_when_nothing_changed(dynamo: None):
    api.create_type("Gadget", [{"name": "title", "kind": "char"}])
    sync.ensure_current()  # warm-up: tables checked, classes built
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert sync.ensure_current() is False
        assert len(queries) == 1, [q["sql"] for q in queries]
        assert "version" in queries[0]["sql"].lower()


def test_a_read_costs_one_query_or_none_on_a_listening_connection(dynamo: None, client):
    api.create_type("Gadget", [{"name": "title", "kind": "char"}])
    client.get("/_dynamo/fields/Gadget/")  # warm-up (on PostgreSQL: starts listening)
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/_dynamo/fields/Gadget/")
        assert response.status_code == 200
        assert response.json()["fields"] == ["id", "title"]
        # PostgreSQL listens, SQLite reads its change stamp; MariaDB asks.
        expected = 1 if connection.vendor == "mysql" else 0
        assert len(queries) == expected, [q["sql"] for q in queries]

    api.add_field("Gadget", "weight", "integer")
    response = client.get("/_dynamo/fields/Gadget/")
    assert response.status_code == 200
    assert response.json()["fields"] == ["id", "title", "weight"]
    assert response.json()["version"] == sync.read_version()


def test_a_write_asks_the_database_once_and_no_lookup_in_the_request_asks_again(
    dynamo: None, client
):
    api.create_type("Gadget", [{"name": "title", "kind": "char"}])
    client.get("/_dynamo/fields/Gadget/")
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/_dynamo/fields/Gadget/?lookup=1", {"title": "lamp"})
    assert response.status_code == 200
    assert response.json()["stored"]["title"] == "lamp"
    versions = [q["sql"] for q in queries if "version" in q["sql"].lower()]
    assert len(versions) == 1, [q["sql"] for q in queries]
    # The view's own lookups (api.get_model, apps.get_model) add no check in the request.
    with CaptureQueriesContext(connection) as queries:
        sync.ensure_current()
    assert len(queries) == 1  # outside a request: one query again


def test_the_middleware_rebuilds_a_process_that_missed_a_change(dynamo: None, client):
    """This process as another one would be: classes built before a change it did not make."""
    api.create_type("Gadget", [{"name": "title", "kind": "char"}])
    sync.ensure_current()
    before_specs, before_version = list(registry.specs.values()), registry.version
    api.add_field("Gadget", "weight", "integer")
    with registry.lock:  # back to the state of a process that only knew the old version
        registry.sync(before_specs)
        registry.version = before_version
    assert [f.name for f in registry.by_name("Gadget")._meta.fields] == ["id", "title"]

    response = client.get("/_dynamo/fields/Gadget/?count=1")
    assert response.status_code == 200
    assert response.json()["fields"] == ["id", "title", "weight"]
    assert response.json()["count"] == 0
    assert registry.version == sync.read_version()


# -- real server processes ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, log: Path, workers: int = 2, **env: str) -> None:
        self.port = free_port()
        self.log_path = log
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "tests.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--error-logfile",
                str(log),
                "--log-level",
                "info",
            ],
            cwd=ROOT,
            env={**child_env(), **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        url = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers or {})
        try:
            with urllib.request.urlopen(url, timeout=WAIT) as response:  # noqa: S310 - loopback
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            body = exc.read()
            try:
                return exc.code, json.loads(body)
            except ValueError:
                return exc.code, {"body": body.decode(errors="replace")[:2000]}

    def wait_ready(self) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"gunicorn exited ({self.proc.returncode})\n{self.log()}")
            try:
                status, _ = self.get("/_dynamo/fields/NoSuchType/")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
                continue
            assert status == 404, self.log()
            return
        raise AssertionError(f"gunicorn did not answer within {WAIT}s\n{self.log()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # the master stops its workers
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # our own session: master and workers
                self.proc.wait(timeout=10)


@pytest.fixture
def server(dynamo: None, tmp_path: Path) -> Iterator[Server]:
    started = Server(tmp_path / "gunicorn.log")
    try:
        started.wait_ready()
        yield started
    finally:
        started.stop()


def answers_from_every_worker(server: Server, path: str, workers: int = 2) -> list[dict]:
    """Concurrent rounds of requests until ``workers`` distinct processes answered."""
    answers: list[dict] = []
    deadline = time.monotonic() + WAIT
    with ThreadPoolExecutor(max_workers=4) as pool:
        while len({a["pid"] for a in answers}) < workers:
            assert time.monotonic() < deadline, f"only {len(answers)} answers from one worker"
            for status, body in pool.map(server.get, [path] * 4):
                assert status == 200, (status, body, server.log())
                answers.append(body)
    return answers


@pytest.mark.multiprocess
def test_every_gunicorn_worker_follows_a_change(server: Server):
    api.create_type("Gadget", [{"name": "title", "kind": "char"}])
    api.get_model("Gadget").objects.create(title="first")
    path = "/_dynamo/fields/Gadget/?sleep=0.05&count=1"

    answers = answers_from_every_worker(server, path)
    assert len({a["pid"] for a in answers}) >= 2
    assert os.getpid() not in {a["pid"] for a in answers}
    for answer in answers:
        assert answer["fields"] == ["id", "title"], answer
        assert answer["count"] == 1, answer

    api.add_field("Gadget", "weight", "integer")
    version = sync.read_version()
    answers = answers_from_every_worker(server, path)
    for answer in answers:
        assert answer["fields"] == ["id", "title", "weight"], answer
        assert answer["count"] == 1, answer
        assert answer["version"] == version, answer

    api.rename_type("Gadget", "Device")
    answers = answers_from_every_worker(server, "/_dynamo/fields/Device/?sleep=0.05&count=1")
    assert all(a["fields"] == ["id", "title", "weight"] for a in answers), answers
    for _ in range(4):
        status, body = server.get("/_dynamo/fields/Gadget/")
        assert status == 404, body
    assert "Traceback" not in server.log()


#: Schema changes in a row in the test below, each followed by every worker.
CHANGES_IN_A_ROW = 5


def load(server: Server, path: str, stop: threading.Event, answers: list) -> None:
    """Requests one after another until ``stop``: they meet the change on the database."""
    while not stop.is_set():
        answers.append(server.get(path))


@pytest.mark.multiprocess
def test_every_worker_sees_each_of_several_changes_in_a_row_on_its_next_request(
    dynamo: None, tmp_path: Path
):
    """Several changes one after the other while requests keep coming: each worker's next
    request after a change shows it, and the same workers answer throughout (none restarted
    into the new schema). On SQLite the workers read the file the change is written to."""
    workers = 3
    server = Server(tmp_path / "gunicorn.log", workers=workers)
    try:
        server.wait_ready()
        api.create_type("Gadget", [{"name": "title", "kind": "char"}])
        path = "/_dynamo/fields/Gadget/?sleep=0.02"
        expected = ["id", "title"]
        answers = answers_from_every_worker(server, path, workers)
        assert all(a["fields"] == expected for a in answers), answers
        pids = {a["pid"] for a in answers}

        for step in range(CHANGES_IN_A_ROW):
            before, name = list(expected), f"f{step}"
            during: list[tuple[int, dict]] = []
            stop = threading.Event()
            threads = [
                threading.Thread(target=load, args=(server, path, stop, during)) for _ in range(2)
            ]
            for thread in threads:
                thread.start()
            try:
                api.add_field("Gadget", name, "integer")
            finally:
                stop.set()
                for thread in threads:
                    thread.join(timeout=WAIT)
            expected.append(name)
            # Requests that overlapped the change: answered, from before or after it.
            for status, body in during:
                assert status == 200, (step, status, body, server.log())
                assert body["fields"] in (before, expected), (step, body)

            # Every request sent after the change returned: the new field, the new version.
            version = sync.read_version()
            answers = answers_from_every_worker(server, path, workers)
            for answer in answers:
                assert answer["fields"] == expected, (step, answer)
                assert answer["version"] == version, (step, answer)
            assert {a["pid"] for a in answers} == pids, (step, answers)
        assert "Traceback" not in server.log()
    finally:
        server.stop()


def admin_session(user: Any) -> str:
    """A logged-in session cookie value, made the way the login view makes one."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def get_html(server: Server, path: str, session: str) -> tuple[int, str]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{path}", headers={"Cookie": f"sessionid={session}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


@pytest.mark.multiprocess
def test_the_admin_in_another_server_process_shows_a_new_field_on_its_next_request(
    server: Server, django_user_model: Any
):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    session = admin_session(admin)
    api.create_type("Gadget", [{"name": "title", "kind": "char"}])
    path = "/admin/snippets/dynamo/gadget/add/"
    for _ in range(6):  # both workers, several times
        status, html = get_html(server, path, session)
        assert status == 200, html[:2000]
        assert 'name="title"' in html and 'name="weight"' not in html

    api.add_field("Gadget", "weight", "integer")
    for _ in range(6):
        status, html = get_html(server, path, session)
        assert status == 200, html[:2000]
        assert 'name="title"' in html and 'name="weight"' in html
    assert "Traceback" not in server.log()


def test_the_quiet_check_asks_each_threads_own_connection(dynamo: None, monkeypatch):
    """The check keeps each thread's connection; a thread never uses another's, and an
    event loop's thread (a connection per async context) asks Django every time."""
    seen = []

    def quiet(connection):  # the first question of the quiet check: record, say quiet
        seen.append(connection)
        return True

    sync.ensure_current()
    monkeypatch.setattr(stamp, "quiet", quiet)
    sync.ensure_current(listening=True)
    sync.ensure_current(listening=True)
    assert seen == [connections[DEFAULT_DB_ALIAS]] * 2
    theirs = []

    def in_a_thread():
        monkeypatch.setattr(stamp, "quiet", lambda connection: False)
        sync.ensure_current()  # this thread's first check asks the database
        monkeypatch.setattr(stamp, "quiet", quiet)
        sync.ensure_current(listening=True)
        sync.ensure_current(listening=True)
        theirs.append(connections[DEFAULT_DB_ALIAS])
        connections[DEFAULT_DB_ALIAS].close()

    worker = threading.Thread(target=in_a_thread)
    worker.start()
    worker.join()
    assert theirs and seen[2:] == [theirs[0], theirs[0]]
    assert theirs[0] is not connections[DEFAULT_DB_ALIAS]

    async def in_a_loop():
        sync.ensure_current(listening=True)
        return connections[DEFAULT_DB_ALIAS]

    own = asyncio.run(in_a_loop())
    assert seen[-1] is own and own is not connections[DEFAULT_DB_ALIAS]


# -- building: the cyclic collector paused ----------------------------------------------


@pytest.mark.parametrize("enabled_before", [True, False])
def test_the_collector_is_paused_while_classes_are_built_and_then_as_it_was(
    dynamo: None, enabled_before: bool
):
    seen: list[bool] = []

    def listener(installed: Any, removed: Any) -> None:
        seen.append(gc.isenabled())

    registry.listeners.append(listener)
    if not enabled_before:
        gc.disable()
    try:
        api.create_type("Gadget", [{"name": "title", "kind": "char"}])
        assert seen and not any(seen)  # every build ran with the collector paused
        assert gc.isenabled() is enabled_before
        # A build that fails leaves it as it was too.
        with registry.lock:
            registry.version = None
        broken = mock.patch.object(registry, "sync", side_effect=RuntimeError("broken build"))
        with broken, pytest.raises(RuntimeError):
            sync.ensure_current(force=True)
        assert gc.isenabled() is enabled_before
    finally:
        registry.listeners.remove(listener)
        gc.enable()


def test_a_large_build_collects_what_it_left_unscanned_when_it_ends(
    dynamo: None, monkeypatch: pytest.MonkeyPatch
):
    full: list[bool] = []

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(True)

    monkeypatch.setattr(sync, "COLLECT_AFTER", 0)  # every build counts as large
    gc.callbacks.append(watch)
    try:
        api.create_type("Gadget", [{"name": "title", "kind": "char"}])
    finally:
        gc.callbacks.remove(watch)
    assert full
    assert gc.isenabled()
