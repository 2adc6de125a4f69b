"""Print docs/reliability.md: the hostile corpus and random schema evolution, measured.

    python -m tests.reliability --db sqlite --db postgres --db mariadb

Each database runs the corpus test module (every case through the API, ORM saves and the
builder) and the schema evolution state machine in a pytest process of its own, then the
figures go into one page. Database URLs come from ``--postgres-url`` / ``--mariadb-url``
(or RELIABILITY_POSTGRES_URL / RELIABILITY_MARIADB_URL). Failing tests do not stop the
run: they are what the page counts.

Other measurements of the page (fault injection, concurrency trials, live writers)
come from test modules with a summary helper (``OTHER_FIGURES``):
the test file runs on each database, then the helper prints its Markdown. A section
whose files are not there is reported as not measured.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.hostile.summary import PROBLEMS, counts, failures_by_cause, load

ROOT = Path(__file__).resolve().parent.parent
DATABASES = {
    "sqlite": "",
    "postgres": "postgres://postgres@127.0.0.1:5432/test",
    "mariadb": "mysql://root@127.0.0.1:3306/test",
}
NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL", "mariadb": "MariaDB"}
#: Sections measured by other test modules: (title, helper module, test file, code that
#: prints the section's Markdown once the test file ran on every database).
OTHER_FIGURES = (
    (
        "Exceptions injected at every step of apply",
        "tests/faults.py",
        "tests/test_faults.py",
        "from tests import faults; print(faults.table(faults.load()))",
    ),
    (
        "Two processes saving one type at once",
        "tests/figures.py",
        "tests/test_concurrency.py",
        "from tests import figures; print(figures.races_table())",
    ),
    (
        "Writers during schema changes",
        "tests/figures.py",
        "tests/test_live_writers.py",
        "from tests import figures; print(figures.writers_table())",
    ),
)


def available_figures() -> list[tuple[str, str, str, str]]:
    return [
        slot
        for slot in OTHER_FIGURES
        if slot[2] and (ROOT / slot[1]).exists() and (ROOT / slot[2]).exists()
    ]


def run_suite(db: str, url: str, sequences: int, workdir: Path) -> dict[str, Any]:
    """One pytest process for the corpus and one for the evolution machine."""
    env = {**os.environ, "DYNAMO_EVOLUTION_SEQUENCES": str(sequences)}
    env.pop("DATABASE_URL", None)
    if url:
        env["DATABASE_URL"] = url
    corpus = workdir / f"corpus-{db}.json"
    evolution = workdir / f"evolution-{db}.json"
    env["DYNAMO_CORPUS_RESULTS"] = str(corpus)
    env["DYNAMO_EVOLUTION_RESULTS"] = str(evolution)
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=no"]
    started = datetime.datetime.now()
    codes = {}
    suites = [
        ("corpus", ["-m", "corpus", "tests/test_hostile_corpus.py"]),
        ("evolution", ["tests/test_evolution.py"]),
    ]
    suites += [(slot[2], [slot[2]]) for slot in available_figures()]
    for name, args in suites:
        print(f"[{db}] {name} ...", file=sys.stderr, flush=True)
        codes[name] = subprocess.run([*base, *args], cwd=ROOT, env=env).returncode
    result: dict[str, Any] = {
        "codes": codes,
        "minutes": (datetime.datetime.now() - started).total_seconds() / 60,
    }
    return {**read_results(db, workdir), **result}


def read_results(db: str, folder: Path) -> dict[str, Any]:
    """What one database's runs wrote (missing files: not measured)."""
    result: dict[str, Any] = {"db": db, "codes": {}}
    corpus = folder / f"corpus-{db}.json"
    evolution = folder / f"evolution-{db}.json"
    if corpus.exists():
        outcomes, extra = load(corpus)
        result["outcomes"] = outcomes
        result["vendor"] = extra.get("vendor", db)
    if evolution.exists():
        result["evolution"] = json.loads(evolution.read_text(encoding="utf-8"))
        result["codes"]["evolution"] = 0 if result["evolution"].get("passed") else 1
    return result


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines + [""]


def corpus_section(results: list[dict[str, Any]]) -> list[str]:
    lines = ["## The hostile corpus", ""]
    lines += [
        "Every case of `tests/hostile/corpus.json` through the Python API, ORM saves and the",
        "builder's POST (a logged-in superuser). A refusal must name the option and leave no",
        "definition row, table, column or index behind; an accepted type must save and read",
        "back an entry, pass `manage.py check`, answer 200 on its admin listing, add and edit",
        "pages, and save revisions, publish, lock and preview where switched on. After every",
        "case a query and a fresh schema change must still work.",
        "",
        "A case is one line of the corpus (its format is described in",
        "`tests/hostile/cases.py`); `make test-corpus` runs them on one database,",
        "`DYNAMO_CORPUS_ONLY=rn-,nul-` runs the cases whose ids contain one of the parts.",
        "",
    ]
    measured = [r for r in results if r.get("outcomes")]
    if not measured:
        return [*lines, "Not measured in this run.", ""]
    figures = {r["db"]: counts(r["outcomes"]) for r in measured}
    dbs = [r["db"] for r in measured]
    lines += [
        "### Problems (the goal is 0 of each)",
        "",
        "Counted per run (a case through one channel); one run can count under two problems,",
        "such as a crash that also leaves a broken process behind.",
        "",
    ]
    rows = [[key, PROBLEMS[key], *(figures[db]["problems"][key] for db in dbs)] for key in PROBLEMS]
    rows.append(
        [
            "runs without a problem",
            "",
            *(f"{figures[db]['ok']} of {figures[db]['runs']}" for db in dbs),
        ]
    )
    lines += _table(["problem", "meaning", *(NAMES[db] for db in dbs)], rows)
    first = figures[dbs[0]]
    lines += ["### Cases per category and channel", ""]
    channels = sorted(first["by_channel"])
    rows = [
        [category, *(per.get(c, 0) for c in channels)]
        for category, per in first["by_category"].items()
    ]
    rows.append(["**all**", *(first["by_channel"].get(c, 0) for c in channels)])
    lines += [
        f"{first['cases']} cases, {first['runs']} runs per database (a channel that cannot",
        "express a case, such as a Python None typed into a form, does not run it).",
        "",
    ]
    lines += _table(["category", *channels], rows)
    lines += ["### Answers (expected → given)", ""]
    keys = sorted({k for f in figures.values() for k in f["results"]})
    rows = [[key, *(figures[db]["results"].get(key, 0) for db in dbs)] for key in keys]
    lines += _table(["expected → given", *(NAMES[db] for db in dbs)], rows)
    for r in measured:
        groups = failures_by_cause(r["outcomes"])
        if not groups:
            continue
        lines += [f"### Failing runs on {NAMES[r['db']]}, by cause", ""]
        rows = []
        for cause, items in groups.items():
            shown = ", ".join(sorted({f"`{o.case}` ({o.channel})" for o in items})[:6])
            more = f" and {len(items) - 6} more" if len(items) > 6 else ""
            cause = cause.replace("|", "/").replace("`", "'")
            rows.append([f"`{cause}`", len(items), shown + more])
        lines += _table(["cause", "runs", "examples"], rows)
    return lines


def evolution_section(results: list[dict[str, Any]]) -> list[str]:
    lines = ["## Random schema evolution", ""]
    lines += [
        "`tests/test_evolution.py`: a hypothesis state machine creates, renames, trashes,",
        "restores and purges types; adds text, number, yes/no, choice, file, date, link,",
        "self-link and many-to-many fields, renames, trashes, restores and purges them;",
        "switches drafts, locking,",
        "translation, search and preview on and off; and adds, edits and deletes entries.",
        "After every step it compares each table with its applied spec (`drift`) and every",
        "value with its own model of the rows. Sequences counts every run of the machine",
        "(hypothesis' generation and, after a failure, shrinking).",
        "",
    ]
    asked = sorted({r["evolution"].get("requested") for r in results if r.get("evolution")})
    if asked and asked[-1]:
        lines += [
            f"This run asked for {asked[-1]} sequences a database (`make soak` asks for 500,",
            "the database suites of `make test-all` for 50).",
            "",
        ]
    measured = [r for r in results if r.get("evolution")]
    if not measured:
        return [*lines, "Not measured in this run.", ""]
    rows = [
        [
            NAMES[r["db"]],
            r["evolution"]["sequences"],
            r["evolution"]["steps"],
            r["evolution"]["drift"],
            r["evolution"]["changed_values"],
            "passed" if r["codes"].get("evolution") == 0 else "failed",
            "`" + r["evolution"].get("failure", "").replace("|", "/").replace("`", "'") + "`"
            if r["evolution"].get("failure")
            else "",
        ]
        for r in measured
    ]
    header = ["database", "sequences", "steps", "drift", "changed values", "result", "failure"]
    return [*lines, *_table(header, rows)]


def other_sections() -> list[str]:
    lines: list[str] = []
    ready = {slot[0] for slot in available_figures()}
    for title, _helper, _tests, code in OTHER_FIGURES:
        lines += [f"## {title}", ""]
        if title not in ready:
            lines += ["Not measured in this run.", ""]
            continue
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
        printed = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        lines += [printed.stdout.strip() or "Not measured in this run.", ""]
    return lines


def revision() -> str:
    """The commit the figures were measured on (the checkout's HEAD)."""
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return found.stdout.strip() or "unknown"


def render(results: list[dict[str, Any]], measured_at: str = "") -> str:
    dbs = ", ".join(NAMES[r["db"]] for r in results)
    lines = [
        "# Reliability",
        "",
        "Can an editor or a developer break the data model? These figures say how often,",
        f"measured on {dbs}. The page is printed by `python -m tests.reliability`",
        "(`make reliability` runs it on all three databases); do not edit it by hand.",
        "",
    ]
    if measured_at:
        lines += [f"Measured on commit `{measured_at}`.", ""]
    lines += corpus_section(results)
    lines += evolution_section(results)
    lines += other_sections()
    lines += [
        "## dumpdata and loaddata",
        "",
        "Entries of generated types, with a link between two types and a many-to-many, go out",
        "with `dumpdata` and come back with `loaddata` in every database suite",
        "(`tests/test_definition_rows.py`).",
        "",
    ]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", choices=sorted(DATABASES))
    parser.add_argument("--postgres-url", default=os.environ.get("RELIABILITY_POSTGRES_URL"))
    parser.add_argument("--mariadb-url", default=os.environ.get("RELIABILITY_MARIADB_URL"))
    parser.add_argument("--sequences", type=int, default=50)
    parser.add_argument("--output", default=str(ROOT / "docs" / "reliability.md"))
    parser.add_argument(
        "--results",
        help="render from corpus-<db>.json / evolution-<db>.json in this folder, run nothing",
    )
    parser.add_argument(
        "--measured-at",
        default=None,
        help="the commit the results in --results were measured on (default: this HEAD)",
    )
    parser.add_argument(
        "--workdir",
        help="keep each database's results in this folder (to run databases side by side and "
        "render them together with --results)",
    )
    args = parser.parse_args(argv)
    if args.results:
        results = [read_results(db, Path(args.results)) for db in args.db or ["sqlite"]]
        page = render(results, args.measured_at or revision())
        Path(args.output).write_text(page, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
        return 0
    urls = dict(DATABASES)
    urls["postgres"] = args.postgres_url or urls["postgres"]
    urls["mariadb"] = args.mariadb_url or urls["mariadb"]
    results = []
    with tempfile.TemporaryDirectory(prefix="reliability-") as tmp:
        workdir = Path(args.workdir or tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for db in args.db or ["sqlite"]:
            results.append(run_suite(db, urls[db], args.sequences, workdir))
    Path(args.output).write_text(render(results, revision()), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
