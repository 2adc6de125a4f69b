"""The package as users get it: built with `python -m build`, the wheel installed (not editable)
into a new virtualenv beside a new project from `wagtail start`, set up as the README says.

Slow (a virtualenv, a build, a migrated project), so it runs once, in `make test-packaging`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dynamo_wagtail"

# The README's "Install into an existing Wagtail project", steps 2 and 3.
APPS = [
    "dynamo_wagtail",
    "dynamo_wagtail.runtime",
    "dynamo_wagtail.contrib.pages",
    "wagtail.contrib.routable_page",
]
AUTH_MIDDLEWARE = '"django.contrib.auth.middleware.AuthenticationMiddleware",'
SYNC_MIDDLEWARE = '"dynamo_wagtail.sync.SyncMiddleware",'

# Run in the new project by `manage.py shell`: the first process defines a type and an entry,
# the second (which has never seen the type) serves the admin pages and renders the tags.
DEFINE = """
from django.contrib.auth import get_user_model
from dynamo_wagtail import api
api.create_type(
    "Book",
    [{"name": "title", "kind": "char", "required": True}, {"name": "pages", "kind": "integer"}],
    title_field="title",
    listing_columns=["title", "pages"],
)
api.get_model("Book").objects.create(title="Dune", pages=412)
get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
"""
SERVE = """
import json
import dynamo_wagtail
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from dynamo_wagtail import api

client = Client()
client.force_login(get_user_model().objects.get(username="admin"))
Book = api.get_model("Book")
types = "wagtailsnippets_dynamo_wagtail_metamodel"
pages = {
    "type": reverse(f"{types}:edit", args=[api.get_type("Book").pk]),
    "types": reverse(f"{types}:list"),
    "entries": reverse(Book.snippet_viewset.get_url_name("list")),
}
answers = {}
for name, url in pages.items():
    response = client.get(url)
    answers[name] = [url, response.status_code, response.content.decode()]
tags = Template(
    '{% load dynamo_tags %}{% dynamo_entries "Book" as books %}{% dynamo_list books %}'
).render(Context())
print("RESULT " + json.dumps({"file": dynamo_wagtail.__file__, "pages": answers, "tags": tags}))
"""


def run(args: list[str], cwd: Path, timeout: int = 600) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "DYNAMO_")) and k not in ("PYTHONPATH",)
    }
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, (args, done.stdout[-3000:], done.stderr[-3000:])
    return done.stdout


def checkout_files() -> list[str]:
    """The files of this checkout, committed or not, without what git ignores."""
    listing = run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], ROOT)
    return [name for name in listing.split("\0") if name and (ROOT / name).is_file()]


def package_files() -> set[str]:
    """Every file of the package (templates, static, migrations, code)."""
    return {name for name in checkout_files() if name.startswith(f"{PACKAGE.name}/")}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy: an egg-info left in the checkout by the editable install lists the
    # files it found then, and setuptools would package those whatever the configuration says.
    source = tmp_path_factory.mktemp("source")
    for name in checkout_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", str(out), str(source)], cwd=source)
    return out


def test_the_wheel_and_the_sdist_hold_the_whole_package(dist: Path) -> None:
    (wheel,) = dist.glob("dynamo_wagtail-*.whl")
    (sdist,) = dist.glob("dynamo_wagtail-*.tar.gz")
    expected = package_files()
    assert any(name.endswith(".html") for name in expected)
    assert "dynamo_wagtail/migrations/0001_initial.py" in expected
    assert "dynamo_wagtail/contrib/pages/migrations/0001_initial.py" in expected

    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    assert expected - in_wheel == set()
    assert {name for name in in_wheel if not name.startswith("dynamo_wagtail")} == set()

    with tarfile.open(sdist) as archive:
        top = f"{sdist.name.removesuffix('.tar.gz')}/"
        in_sdist = {m.name.removeprefix(top) for m in archive.getmembers() if m.isfile()}
    assert expected - in_sdist == set()
    assert {"README.md", "CHANGELOG.md", "LICENSE", "pyproject.toml"} <= in_sdist
    assert not any(name.startswith(("tests/", "example_site/", "bench/")) for name in in_sdist)


def test_the_wheel_installs_into_a_new_wagtail_project(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("dynamo_wagtail-*.whl")
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel), "Django>=5.2,<5.3"],
        cwd=tmp_path,
    )
    run([str(venv / "bin" / "wagtail"), "start", "mysite"], cwd=tmp_path)
    project = tmp_path / "mysite"

    # Steps 2 and 3: the apps first in INSTALLED_APPS, the middleware after authentication's.
    settings = project / "mysite" / "settings" / "base.py"
    text = settings.read_text()
    assert text.count("INSTALLED_APPS = [\n") == 1 and text.count(AUTH_MIDDLEWARE) == 1
    apps = "".join(f'    "{app}",\n' for app in APPS)
    text = text.replace("INSTALLED_APPS = [\n", f"INSTALLED_APPS = [\n{apps}")
    text = re.sub(
        rf"^(\s*){re.escape(AUTH_MIDDLEWARE)}\n",
        rf"\g<0>\g<1>{SYNC_MIDDLEWARE}\n",
        text,
        flags=re.MULTILINE,
    )
    settings.write_text(text)

    # Step 4, and the project stays clean: no migrations for the runtime types.
    manage = [str(python), "manage.py"]
    run([*manage, "migrate", "--noinput"], cwd=project)
    run([*manage, "check"], cwd=project)
    run([*manage, "shell", "--verbosity", "0", "-c", DEFINE], cwd=project)
    run([*manage, "makemigrations", "--check", "--dry-run"], cwd=project)

    out = run([*manage, "shell", "--verbosity", "0", "-c", SERVE], cwd=project)
    (line,) = [line for line in out.splitlines() if line.startswith("RESULT ")]
    result = json.loads(line.removeprefix("RESULT "))
    # The installed wheel, not this checkout.
    assert Path(result["file"]).is_relative_to(venv), result["file"]
    for name, (url, status, body) in result["pages"].items():
        assert status == 200, (name, url, status, body[:2000])
    assert "Book" in result["pages"]["types"][2]
    assert 'value="Book"' in result["pages"]["type"][2]
    entries = result["pages"]["entries"][2]
    assert "Dune" in entries and "412" in entries
    assert "Dune" in result["tags"]
