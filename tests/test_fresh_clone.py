"""The README's two commands, from a fresh clone in an empty folder.

`make demo` must set everything up and answer on 127.0.0.1:8000 (home page, a page
of each use case, the admin login); `make test` must pass. Slow (it builds a new
virtualenv), so it runs with the browser tests.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
DEMO = "http://127.0.0.1:8000"
PAGES = {
    "/": "Black desk lamp",  # the home page lists cheap products and upcoming events
    "/events/": "Wagtail editors",  # CMS: events
    "/team/": "Grace Hopper",  # CMS: team members
    "/shop/": "Green tote bag",  # web shop
    "/survey/": 'name="csrfmiddlewaretoken"',  # survey: the public form
    "/admin/login/": "Sign in",
}


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.pop("VIRTUAL_ENV", None)
    env.pop("DYNAMO_TEST_SCRATCH_DIR", None)
    env.pop("DYNAMO_TEST_DB_SUFFIX", None)
    return env


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fresh") / "dynamo_wagtail"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)
    assert not (target / ".venv").exists() and not (target / "example_site/db.sqlite3").exists()
    return target


def port_free() -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", 8000)) != 0


def fetch(path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(DEMO + path, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def test_make_demo_serves_the_three_use_cases(clone: Path) -> None:
    assert port_free(), "something already listens on 127.0.0.1:8000"
    log = clone / "demo.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", "demo"],
            cwd=clone,
            env=clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 600
        while port_free():
            assert proc.poll() is None, log.read_text()[-4000:]
            assert time.monotonic() < deadline, "make demo did not start serving"
            time.sleep(1)
        time.sleep(1)
        for path, text in PAGES.items():
            status, body = fetch(path)
            assert status == 200, (path, status, body[:1000])
            assert text in body, path
        assert "user: admin  password: admin" in log.read_text()
        assert "Created " in log.read_text()
        # The demo loader is idempotent: a second run creates nothing.
        again = subprocess.run(
            [str(clone / ".venv/bin/python"), "example_site/manage.py", "dynamo_demo"],
            cwd=clone,
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert again.returncode == 0, again.stderr[-2000:]
        assert "nothing created" in again.stdout, again.stdout
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_make_test_passes(clone: Path) -> None:
    result = subprocess.run(
        ["make", "test"],
        cwd=clone,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=1500,
        stdin=subprocess.DEVNULL,
    )
    tail = (result.stdout + result.stderr)[-3000:]
    assert result.returncode == 0, tail
    assert " passed" in tail and "failed" not in tail.split("\n")[-2], tail
