"""The API (``dynamo_wagtail.contrib.api``) in real gunicorn workers follows schema changes
made in another process on each worker's very next request.

The test process changes the types through ``dynamo_wagtail.api``; two gunicorn workers
(``tests.test_sync.Server``, no ``--preload``) learn of a change only through
``dynamo_wagtail.sync``. After each change only API requests are sent, concurrently, so
the first request each worker serves after the change is one of them, and every answer
must show the new state. Gunicorn's access log names the worker of each request: a step
ends only once both workers have answered in it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from wagtail.models import APIToken

from dynamo_wagtail import api
from tests.test_sync import WAIT, Server, answers_from_every_worker

pytestmark = pytest.mark.multiprocess

PRODUCT = "/api/v3/snippets/dynamo.Product/"
PRODUCT_SCHEMA = "/api/v3/schema/dynamo.Product/"
SHELF = "/api/v3/snippets/dynamo.Shelf/"
SHELF_SCHEMA = "/api/v3/schema/dynamo.Shelf/"
DOCUMENT = "/api/v3/openapi.json"
#: Worker pid, the request's X-Step header, status, request line.
ACCESS_FORMAT = "%(p)s %({x-step}i)s %(s)s %(r)s"

Check = Callable[[int, dict[str, Any]], None]


@pytest.fixture
def logged_server(dynamo: None, tmp_path: Path) -> Iterator[Server]:
    """Two gunicorn workers writing an access log with the pid of each request's worker."""
    access = tmp_path / "access.log"
    started = Server(
        tmp_path / "gunicorn.log",
        GUNICORN_CMD_ARGS=f"--access-logfile {access} --access-logformat '{ACCESS_FORMAT}'",
    )
    started.access_path = access  # type: ignore[attr-defined]
    try:
        started.wait_ready()
        yield started
    finally:
        started.stop()


def get(server: Server, path: str, token: str, step: str) -> tuple[int, dict[str, Any]]:
    return server.get(path, {"Authorization": f"Bearer {token}", "X-Step": step})


def access_lines(server: Server) -> list[list[str]]:
    path: Path = server.access_path  # type: ignore[attr-defined]
    if not path.exists():
        return []
    return [line.split(" ", 3) for line in path.read_text().splitlines() if line.strip()]


def workers_in(server: Server, step: str) -> set[str]:
    return {pid for pid, marker, _status, _line in access_lines(server) if marker == step}


def every_worker_sees(server: Server, token: str, step: str, checks: dict[str, Check]) -> int:
    """Concurrent rounds of every request in ``checks`` (each must pass) until both
    workers answered in this step; at least three rounds. Returns the requests sent."""
    sent = 0
    rounds = 0
    deadline = time.monotonic() + WAIT
    paths = list(checks)
    with ThreadPoolExecutor(max_workers=4) as pool:
        while rounds < 3 or len(workers_in(server, step)) < 2:
            assert time.monotonic() < deadline, (step, workers_in(server, step), server.log())
            batch = paths * 2  # more requests at once than workers: both take some
            answers = pool.map(lambda p: (p, *get(server, p, token, step)), batch)
            for path, status, body in answers:
                assert status != 500, (step, path, body, server.log())
                checks[path](status, body)
                sent += 1
            rounds += 1
            time.sleep(0.05)  # the access log is written after the answer
    return sent


def ok(status: int, body: dict[str, Any]) -> None:
    assert status == 200, (status, body)


def read_properties(body: dict[str, Any]) -> dict[str, Any]:
    return body["read"]["properties"]


def entry_properties(body: dict[str, Any]) -> dict[str, Any]:
    return body["components"]["schemas"]["ProductEntry"]["properties"]


def test_the_api_in_other_server_processes_serves_each_change_on_its_next_request(
    logged_server: Server, django_user_model: Any
):
    server = logged_server
    editor = django_user_model.objects.create_superuser("editor", "e@example.com", "pw")
    _token, token = APIToken.create_token(user=editor, name="multiprocess")
    api.create_type("Product", [{"name": "title", "kind": "char"}], api_public=True)
    api.get_model("Product").objects.create(title="Dune")
    answers = answers_from_every_worker(server, "/_dynamo/fields/Product/?sleep=0.05")
    assert len({a["pid"] for a in answers}) >= 2  # two workers, both know Product

    def listed(status: int, body: dict[str, Any]) -> None:
        ok(status, body)
        assert [i["title"] for i in body["items"]] == ["Dune"], body

    def first_schema(status: int, body: dict[str, Any]) -> None:
        ok(status, body)
        assert "title" in read_properties(body) and "weight" not in read_properties(body)

    def first_document(status: int, body: dict[str, Any]) -> None:
        ok(status, body)
        assert PRODUCT in body["paths"] and SHELF not in body["paths"]
        assert "title" in entry_properties(body) and "weight" not in entry_properties(body)

    sent = every_worker_sees(
        server,
        token,
        "created",
        {PRODUCT: listed, PRODUCT_SCHEMA: first_schema, DOCUMENT: first_document},
    )

    # A new field: in the read schema, the OpenAPI components, the entries, the filters.
    api.add_field("Product", "weight", "float")

    def weighed(status: int, body: dict[str, Any]) -> None:
        listed(status, body)
        assert "weight" in body["items"][0] and body["items"][0]["weight"] is None, body

    def weight_schema(status: int, body: dict[str, Any]) -> None:
        ok(status, body)
        assert "weight" in read_properties(body), body

    def weight_document(status: int, body: dict[str, Any]) -> None:
        ok(status, body)
        assert "weight" in entry_properties(body), entry_properties(body)

    def weight_filter(status: int, body: dict[str, Any]) -> None:
        assert status == 200 and body["count"] == 0, (status, body)

    sent += every_worker_sees(
        server,
        token,
        "added",
        {
            PRODUCT: weighed,
            PRODUCT_SCHEMA: weight_schema,
            DOCUMENT: weight_document,
            PRODUCT + "?weight=1": weight_filter,
        },
    )

    # Renamed: the new name everywhere, the old one a 400 that names the new one.
    api.rename_field("Product", "weight", "mass")

    def massed(status: int, body: dict[str, Any]) -> None:
        listed(status, body)
        assert "mass" in body["items"][0] and "weight" not in body["items"][0], body

    def mass_schema(status: int, body: dict[str, Any]) -> None:
        ok(status, body)
        properties = read_properties(body)
        assert "mass" in properties and "weight" not in properties, properties

    def mass_document(status: int, body: dict[str, Any]) -> None:
        ok(status, body)
        properties = entry_properties(body)
        assert "mass" in properties and "weight" not in properties, properties

    def old_name(status: int, body: dict[str, Any]) -> None:
        assert status == 400, (status, body)
        assert body["detail"].startswith("weight") and "'mass'" in body["detail"], body

    sent += every_worker_sees(
        server,
        token,
        "renamed",
        {
            PRODUCT: massed,
            PRODUCT_SCHEMA: mass_schema,
            DOCUMENT: mass_document,
            PRODUCT + "?weight=1": old_name,
        },
    )

    # A second type: its routes, its schema and its path in the document.
    api.create_type("Shelf", [{"name": "label", "kind": "char"}], api_public=True)

    def shelf_listed(status: int, body: dict[str, Any]) -> None:
        assert status == 200 and body["count"] == 0, (status, body)

    def shelf_schema(status: int, body: dict[str, Any]) -> None:
        ok(status, body)
        assert "label" in read_properties(body), body

    def shelf_document(status: int, body: dict[str, Any]) -> None:
        ok(status, body)
        assert SHELF in body["paths"] and PRODUCT in body["paths"], sorted(body["paths"])
        assert "mass" in entry_properties(body)

    sent += every_worker_sees(
        server,
        token,
        "shelf",
        {SHELF: shelf_listed, SHELF_SCHEMA: shelf_schema, DOCUMENT: shelf_document},
    )

    # Trashed: gone from the routes, the schemas and the document; Product unchanged.
    api.delete_type("Shelf")

    def gone(status: int, body: dict[str, Any]) -> None:
        assert status == 404, (status, body)

    def no_shelf_document(status: int, body: dict[str, Any]) -> None:
        ok(status, body)
        assert SHELF not in body["paths"] and PRODUCT in body["paths"], sorted(body["paths"])

    sent += every_worker_sees(
        server,
        token,
        "trashed",
        {
            SHELF: gone,
            SHELF + "1/": gone,
            SHELF_SCHEMA: gone,
            DOCUMENT: no_shelf_document,
            PRODUCT: massed,
        },
    )

    deadline = time.monotonic() + WAIT
    while len(lines := [line for line in access_lines(server) if line[1] != "-"]) < sent:
        assert time.monotonic() < deadline, (len(lines), sent)
        time.sleep(0.05)
    assert len(lines) == sent, (len(lines), sent)
    assert len({pid for pid, *_rest in lines}) == 2, lines
    assert not [line for line in access_lines(server) if line[2].startswith("5")]
    assert "Traceback" not in server.log()
