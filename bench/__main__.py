"""``python -m bench [--size small|full] [--db sqlite|postgres|mariadb|both|all] [--only q,...]``

Creates its own databases (SQLite files in a temporary directory; on PostgreSQL and MariaDB
``bench_dynamo``, ``bench_dynamo_cold`` and one ``bench_dynamo_scale<N>`` per level of the
scale benchmark, dropped afterwards), runs each database's benchmarks in a child process
(``bench.run``) and writes the table to ``--output`` (default ``docs/benchmarks.md``).
``both`` is SQLite and PostgreSQL, ``all`` adds MariaDB; on MariaDB only the sections in
``MARIADB_SECTIONS`` run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import SIZES
from bench.report import merge, render
from bench.run import SECTIONS

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
_PG = os.environ.get("BENCH_PG_DATABASE", "bench_dynamo")
PG_NAMES = (_PG, f"{_PG}_cold")
MARIADB = os.environ.get("BENCH_MARIADB_URL", "mysql://root@127.0.0.1:3306")
_MARIADB = os.environ.get("BENCH_MARIADB_DATABASE", "bench_dynamo")
MARIADB_NAMES = (_MARIADB, f"{_MARIADB}_cold")
#: The sections that run on MariaDB (the others compare SQLite and PostgreSQL).
MARIADB_SECTIONS = ("scale",)
DBS = {"both": ["sqlite", "postgres"], "all": ["sqlite", "postgres", "mariadb"]}


def pg_admin(sql: list[str]) -> str:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        result = ""
        for statement in sql:
            cur = conn.execute(statement)
            if cur.description:
                result = str(cur.fetchone()[0])
        return result


def mariadb_admin(sql: list[str]) -> str:
    import MySQLdb

    url = urlsplit(MARIADB)
    conn = MySQLdb.connect(
        host=url.hostname or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
    )
    try:
        result = ""
        cur = conn.cursor()
        for statement in sql:
            cur.execute(statement)
            if cur.description:
                result = str(cur.fetchone()[0])
        return result
    finally:
        conn.close()


def machine() -> dict[str, str]:
    import django
    import wagtail

    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    try:
        from importlib.metadata import version

        eav = version("django-eav2")
    except Exception:  # noqa: BLE001
        eav = "not installed"
    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "RAM": ram,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "Wagtail": wagtail.__version__,
        "django-eav2": eav,
    }


def run_db(db: str, args: argparse.Namespace, scratch: Path) -> tuple[list[dict[str, Any]], str]:
    only = args.only.split(",")
    if db == "mariadb":
        only = [name for name in only if name in MARIADB_SECTIONS]
    levels = SIZES[args.size]["scale_types"] if "scale" in only else []
    if db == "sqlite":
        url = f"sqlite:///{scratch / 'bench.sqlite3'}"
        cold = f"sqlite:///{scratch / 'bench_cold.sqlite3'}"
        scale = {n: f"sqlite:///{scratch / f'bench_scale{n}.sqlite3'}" for n in levels}
        version = f"SQLite {sqlite3.sqlite_version}"
        names: list[str] = []
    elif db == "postgres":
        names = [*PG_NAMES, *(f"{_PG}_scale{n}" for n in levels)]
        pg_admin([f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names])
        pg_admin([f'CREATE DATABASE "{n}"' for n in names])
        url, cold = (f"{POSTGRES}/{n}" for n in PG_NAMES)
        scale = {n: f"{POSTGRES}/{_PG}_scale{n}" for n in levels}
        version = "PostgreSQL " + pg_admin(["SHOW server_version"])
    else:
        names = [*MARIADB_NAMES, *(f"{_MARIADB}_scale{n}" for n in levels)]
        mariadb_admin([f"DROP DATABASE IF EXISTS `{n}`" for n in names])
        charset = "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        mariadb_admin([f"CREATE DATABASE `{n}` {charset}" for n in names])
        url, cold = (f"{MARIADB}/{n}" for n in MARIADB_NAMES)
        scale = {n: f"{MARIADB}/{_MARIADB}_scale{n}" for n in levels}
        version = "MariaDB " + mariadb_admin(["SELECT VERSION()"]).split("-")[0]
    out = scratch / f"{db}.json"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_DATABASE_URL": url,
        "BENCH_SCRATCH_DIR": str(scratch / db),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    if not only:
        print(f"bench: {db}: none of {args.only} runs there", flush=True)
        return [], version
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.run",
                "--size",
                args.size,
                "--only",
                ",".join(only),
                "--label",
                db,
                "--cold-url",
                cold,
                "--scale-urls",
                ",".join(f"{n}={u}" for n, u in scale.items()),
                "--out",
                str(out),
            ],
            env=env,
            check=True,
            cwd=ROOT,
        )
    finally:
        if db == "postgres" and not args.keep:
            pg_admin([f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names])
        elif db == "mariadb" and not args.keep:
            mariadb_admin([f"DROP DATABASE IF EXISTS `{n}`" for n in names])
    return json.loads(out.read_text()), version


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--size", default="full", choices=sorted(SIZES))
    parser.add_argument(
        "--db", default="both", choices=["sqlite", "postgres", "mariadb", "both", "all"]
    )
    parser.add_argument("--only", default=",".join(SECTIONS), help=",".join(SECTIONS))
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    unknown = set(args.only.split(",")) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    dbs = DBS.get(args.db, [args.db])
    scratch = Path(tempfile.mkdtemp(prefix="dynamo_bench_"))
    results: dict[str, list[dict[str, Any]]] = {}
    versions: dict[str, str] = {}
    started = time.perf_counter()
    try:
        for db in dbs:
            print(f"bench: {db} ({args.size})", flush=True)
            results[db], versions[db] = run_db(db, args, scratch)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    info = machine()
    info["Databases"] = "; ".join(versions[db] for db in dbs)
    size = SIZES[args.size]
    info["Sizes"] = (
        f"--size {args.size}: {size['rows']:,} rows; {size['runs']} timed runs per query "
        f"(median, after a warm-up), {size['load_runs']} per bulk load; cold start with "
        f"{', '.join(map(str, size['types']))} types × {size['fields']} fields "
        f"({size['cold_repeats']} fresh processes each, median); "
        f"{size['rebuilds']} rebuilds; scale: {', '.join(map(str, size['scale_types']))} "
        f"types × {size['scale_fields']} fields, {size['scale_rounds']} rounds (median, after "
        "a warm-up round)"
    )
    info["Wall time"] = f"{time.perf_counter() - started:.0f} s"
    text = render(results, info, args)
    output = Path(args.output)
    if set(args.only.split(",")) != set(SECTIONS) and output.exists():
        # A partial run replaces only its own sections of an existing page.
        note = f"--only {args.only}, --size {args.size}, on {info['CPU']}: {info['Wall time']}"
        text = merge(output.read_text(), text, set(args.only.split(",")), note)
    output.write_text(text)
    print(f"bench: wrote {args.output}")


if __name__ == "__main__":
    main()
