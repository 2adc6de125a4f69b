"""Figure 11: one type's schema changes with few and with many types present.

The parent (``run``) starts one long-lived process per level (5, 200, 2,000 types), each on
its own database: ``python -m bench.scale serve --types N --fields F``. A process first
creates its N types (batched, untimed; see ``bench.population``), then answers commands on
stdin, one JSON line each, with the seconds the operation took (``SCALE {...}`` on stdout).
In each round every process creates its probe type, adds a field, renames it and deletes
the type (to the trash, then emptied), one operation at a time across the levels, in an
order of levels reversed every round. The first round is a warm-up.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import IO, Any

from bench.common import Row, ratio_row

OPERATIONS = ("create", "add field", "rename field", "delete")
PREFIX = "SCALE "
#: Every this many types, one links to a type of the batch before its own (a foreign key;
#: MariaDB applies a batch after planning all of it, so a link within one cannot be made).
LINK_EVERY = 10


def batch_size(types: int) -> int:
    """Types made per schema change in the setup: 50, fewer for a small level's links."""
    return max(5, min(50, types // 4))


def type_name(index: int) -> str:
    return f"Scale{index:04d}"


def definitions(types: int, fields: int) -> list[Any]:
    from bench.population import simple_fields

    result = []
    batch = batch_size(types)
    for index in range(types):
        spec = simple_fields(fields)
        if index % LINK_EVERY == LINK_EVERY - 1 and index >= batch:
            target = type_name((index // batch - 1) * batch)
            spec.append({"name": "link", "kind": "foreign_key", "related_model": target})
        result.append((type_name(index), spec, {"title_field": "f0"}))
    return result


# -- the child process ------------------------------------------------------------------


def _probe(number: int) -> str:
    return f"Probe{number}"


#: Statements whose time is the database's own schema work (on SQLite, every ALTER TABLE
#: re-reads the definitions of all tables: its cost grows with the number of types).
DDL = ("CREATE", "ALTER", "DROP")


class DDLTimer:
    """A connection's execute wrapper adding up the seconds its DDL statements take."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not sql.lstrip().upper().startswith(DDL):
            return execute(sql, params, many, context)
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start


#: What the probe links to: never a link target of the setup (those are multiples of a batch).
PROBE_TARGET = type_name(1)


def operate(op: str, number: int) -> float:
    """One operation on probe type ``number``; its seconds."""
    from dynamo_wagtail import api

    name = _probe(number)
    start = time.perf_counter()
    if op == "create":
        api.create_type(
            name,
            [
                {"name": "title", "kind": "char", "required": True},
                {"name": "count", "kind": "integer"},
                {"name": "day", "kind": "date"},
                # A type no other type links to, at every level: the probe's neighbours
                # (which a new link's check builds) are the same with 5 and 2,000 types.
                {"name": "link", "kind": "foreign_key", "related_model": PROBE_TARGET},
            ],
            title_field="title",
        )
    elif op == "add field":
        api.add_field(name, "note", "char")
    elif op == "rename field":
        api.rename_field(name, "note", "remark")
    elif op == "delete":
        api.delete_type(name)
        api.empty_trash(name, confirm=True)
    else:
        raise ValueError(op)
    return time.perf_counter() - start


def _say(message: dict[str, Any]) -> None:
    print(PREFIX + json.dumps(message), flush=True)


def serve(types: int, fields: int) -> None:
    import gc

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.population import create_types
    from dynamo_wagtail import sync
    from dynamo_wagtail.models import MetaModel

    call_command("migrate", verbosity=0, interactive=False)
    start = time.perf_counter()
    existing = MetaModel.objects.filter(name__startswith="Scale").count()
    created = create_types(definitions(types, fields)[existing:], batch=batch_size(types))
    sync.ensure_current()
    # Objects alive now (the types' classes, Django) stay out of full collections, as in
    # bench.common.compare: a collection lands on whichever operation runs when it is due.
    gc.collect()
    gc.freeze()
    _say({"ready": True, "created": created, "seconds": time.perf_counter() - start})
    for line in sys.stdin:
        command = json.loads(line)
        if command.get("op") == "quit":
            break
        timer = DDLTimer()
        with connection.execute_wrapper(timer):
            seconds = operate(command["op"], command["round"])
        _say({"seconds": seconds, "ddl": timer.seconds})


# -- the parent -------------------------------------------------------------------------


class Level:
    """One child process with ``types`` types on the database at ``url``."""

    def __init__(self, types: int, fields: int, url: str) -> None:
        self.types = types
        env = {**os.environ, "BENCH_DATABASE_URL": url}
        env.pop("BENCH_EXTRA_APPS", None)
        env.pop("BENCH_STATIC_ONLY", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.scale", "serve", "--types", str(types)]
            + ["--fields", str(fields)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def read(self) -> dict[str, Any]:
        stdout: IO[str] | None = self.process.stdout
        assert stdout is not None
        for line in stdout:
            if line.startswith(PREFIX):
                return json.loads(line[len(PREFIX) :])
        raise RuntimeError(f"bench.scale at {self.types} types stopped ({self.process.wait()})")

    def ask(self, op: str, number: int) -> tuple[float, float]:
        """(seconds, of which in DDL statements) of one operation."""
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(json.dumps({"op": op, "round": number}) + "\n")
        stdin.flush()
        answer = self.read()
        return float(answer["seconds"]), float(answer["ddl"])

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.process.stdin.close()
                self.process.wait(60)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


def run(urls: dict[int, str], size: dict[str, Any], label: str) -> list[Row]:
    """Figure 11 on the databases ``urls`` (one per level, keyed by its number of types)."""
    levels = sorted(urls)
    started = time.perf_counter()
    # The setups run side by side (untimed); the rounds one operation at a time.
    children = [Level(types, size["scale_fields"], urls[types]) for types in levels]
    samples: dict[tuple[str, int], list[float]] = {}
    outside: dict[tuple[str, int], list[float]] = {}  # the seconds outside DDL statements
    try:
        setups = {child.types: child.read() for child in children}
        for child in children:
            setup = setups[child.types]
            print(
                f"  [{label}] scale: {child.types} types ready "
                f"({setup['created']} created, {setup['seconds']:.0f} s)",
                flush=True,
            )
        rounds = size["scale_rounds"]
        for number in range(rounds + 1):  # round 0 is the warm-up
            order = children if number % 2 == 0 else children[::-1]
            for op in OPERATIONS:
                for child in order:
                    seconds, ddl = child.ask(op, number)
                    if number:
                        samples.setdefault((op, child.types), []).append(seconds)
                        outside.setdefault((op, child.types), []).append(seconds - ddl)
    finally:
        for child in children:
            child.close()
    low, high = levels[0], levels[-1]
    rows: list[Row] = []
    for op in OPERATIONS:
        median = {types: statistics.median(samples[(op, types)]) for types in levels}
        rows.append(
            ratio_row(
                "scale",
                f"{op}: at {high:,} types ÷ at {low}",
                median[high],
                median[low],
                1.2,
                medians=median,
            )
        )
        beyond = {types: statistics.median(outside[(op, types)]) for types in levels}
        rows.append(
            ratio_row(
                "scale",
                f"{op}, beyond the database's own DDL statements: at {high:,} ÷ at {low}",
                beyond[high],
                beyond[low],
                None,
                medians=beyond,
            )
        )
        for middle in levels[1:-1]:
            rows.append(
                ratio_row(
                    "scale",
                    f"{op}: at {middle:,} types ÷ at {low}",
                    median[middle],
                    median[low],
                    None,
                    medians=median,
                )
            )
    rows.append(
        Row(
            "scale",
            "setup: types created (up to 50 a change, the levels side by side, untimed)",
            "; ".join(f"{types:,} types in {setups[types]['seconds']:.0f} s" for types in levels),
            "",
            None,
            {"setups": setups, "wall": time.perf_counter() - started},
        )
    )
    return rows


def main() -> None:
    import argparse

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--types", type=int, required=True)
    parser.add_argument("--fields", type=int, default=10)
    args = parser.parse_args()
    serve(args.types, args.fields)


if __name__ == "__main__":
    main()
