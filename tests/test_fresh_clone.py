"""The README's two commands, from a fresh clone in an empty folder.

`make demo` must set everything up and answer (home page, a page of each use case, the
admin login, the favicon); `make test` must pass. The demo serves on a free port here
(`DEMO_ADDR`, 127.0.0.1:8000 by default) so that nothing else listening on 8000 gets in
the way. The time from `make demo` to its first answer is printed, not asserted: it
depends on the machine and on pip's download cache, which is left as it is. Slow (it
builds a new virtualenv), so it runs with the browser tests.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "/": "Black desk lamp",  # the home page lists cheap products and upcoming events
    "/events/": "<li>meet-up</li>",  # CMS: events, with their tags
    "/events/2-wagtail-editors-meet-up/": "Templates for everyone",  # its programme (a group)
    "/team/": "Grace Hopper",  # CMS: team members
    "/shop/": "Green tote bag",  # web shop
    "/shop/4-black-desk-lamp/": "Made to be moved",  # a product's story (a stream field)
    "/survey/": 'name="csrfmiddlewaretoken"',  # survey: the public form
    "/admin/login/": "Sign in",
}


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.pop("VIRTUAL_ENV", None)
    env.pop("DYNAMO_TEST_SCRATCH_DIR", None)
    env.pop("DYNAMO_TEST_DB_SUFFIX", None)
    # Run from `make test-all`, make's own variables would make the inner make print its
    # "Entering/Leaving directory" lines and pass on the outer make's flags.
    for name in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fresh") / "dynamo_wagtail"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)
    assert not (target / ".venv").exists() and not (target / "example_site/db.sqlite3").exists()
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Browser:
    """urllib with cookies, enough to log in to the Wagtail admin."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def fetch(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(request, timeout=30) as response:
                return (
                    response.status,
                    response.headers["Content-Type"],
                    response.read().decode(errors="replace"),
                )
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers["Content-Type"], exc.read().decode(errors="replace")


def test_make_demo_serves_the_three_use_cases(clone: Path, capsys: pytest.CaptureFixture) -> None:
    port = free_port()
    site = Browser(f"http://127.0.0.1:{port}")
    log = clone / "demo.log"
    started = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", "demo", f"DEMO_ADDR=127.0.0.1:{port}"],
            cwd=clone,
            env=clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        deadline = started + 600
        while not listening(port):
            assert proc.poll() is None, log.read_text()[-4000:]
            assert time.monotonic() < deadline, "make demo did not start serving"
            time.sleep(0.2)
        status, _, body = site.fetch("/")
        first_answer = time.monotonic() - started
        assert status == 200, body[:1000]
        with capsys.disabled():
            print(
                f"\nmake demo: first answer {first_answer:.0f} s after starting it in a fresh "
                "clone with no virtualenv (pip's download cache as found on this machine)"
            )
        for path, text in PAGES.items():
            status, _, body = site.fetch(path)
            assert status == 200, (path, status, body[:1000])
            assert text in body, path
        assert "user: admin  password: admin" in log.read_text()
        assert "Created " in log.read_text()

        # A favicon of its own, linked from the pages and at the address browsers try.
        _, _, home = site.fetch("/")
        assert '<link rel="icon" href="/static/demo/favicon.ico">' in home
        status, content_type, _ = site.fetch("/favicon.ico")
        assert status == 200 and content_type.startswith("image/"), content_type

        # The admin asks no other host for anything: no Gravatar images, no update check.
        _, _, login = site.fetch("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
        status, _, dashboard = site.fetch(
            "/admin/login/",
            {"csrfmiddlewaretoken": token, "username": "admin", "password": "admin"},
        )
        assert status == 200 and "Dashboard" in dashboard, dashboard[:1000]
        assert 'data-controller="w-upgrade' not in dashboard
        assert "gravatar" not in dashboard.lower()

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
    # The whole suite, with the random tests shorter: the database suites carry their counts.
    env = {**clean_env(), "DYNAMO_EVOLUTION_SEQUENCES": "10", "DYNAMO_RACE_TRIALS": "10"}
    result = subprocess.run(
        ["make", "test"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
        stdin=subprocess.DEVNULL,
    )
    # pip (installing the test tools into the demo's virtualenv) may write to stderr; pytest's
    # summary line is the last of its kind on stdout.
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    summaries = re.findall(r"^=+ (.* in [0-9.]+s.*) =+$", result.stdout, re.MULTILINE)
    assert summaries, result.stdout[-3000:]
    assert re.search(r"\b[1-9][0-9]* passed", summaries[-1]), summaries[-1]
    assert "failed" not in summaries[-1] and "error" not in summaries[-1], summaries[-1]
