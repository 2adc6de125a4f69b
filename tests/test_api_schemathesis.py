"""The example site's API against its own live OpenAPI document, with schemathesis.

A copy of the example site (its own database and media folder) with the demo content is
served by gunicorn; schemathesis generates requests for every operation of the content
types (``/api/v3/snippets/dynamo.*``) from the document the site serves, with a token of
the admin, and checks that no answer is a server error and that every answer matches the
schema the document gives for its status. Bounded: ``DYNAMO_SCHEMATHESIS_EXAMPLES`` (20)
examples per operation, generated deterministically.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_fresh_clone import free_port, listening

pytestmark = pytest.mark.schemathesis

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = os.environ.get("DYNAMO_SCHEMATHESIS_EXAMPLES", "20")


def test_the_example_sites_api_answers_as_its_document_says(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DEMO_DATABASE": str(tmp_path / "db.sqlite3"),
        "DEMO_MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SUPERUSER_PASSWORD": "admin",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, str(ROOT / "example_site" / "manage.py")]

    def run(*args: str) -> str:
        done = subprocess.run(
            [*manage, *args], env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("migrate", "--noinput", "-v", "0")
    run("createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.com")
    run("dynamo_demo")
    token = run("api_tokens", "create", "--user", "admin", "--name", "schemathesis").split()[-1]

    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "example_site.wsgi",
            "--chdir",
            str(ROOT / "example_site"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not listening(port):
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        document = f"http://127.0.0.1:{port}/api/v3/openapi.json"
        with urllib.request.urlopen(document, timeout=30) as response:  # noqa: S310 (local)
            assert response.status == 200
        checked = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                document,
                "--header",
                f"Authorization: Bearer {token}",
                "--include-path-regex",
                r"^/api/v3/snippets/dynamo\.",
                "--checks",
                "not_a_server_error,response_schema_conformance",
                "--max-examples",
                EXAMPLES,
                "--generation-deterministic",
                "--no-color",
            ],
            env=env,
            cwd=tmp_path,  # its own files (.schemathesis/) stay out of the checkout
            capture_output=True,
            text=True,
            timeout=1200,
        )
        output = checked.stdout + checked.stderr
        server_log = (tmp_path / "gunicorn.log").read_text()
        assert checked.returncode == 0, output[-20000:] + server_log[-5000:]
        assert " passed" in output and "generated" in output, output[-5000:]
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
