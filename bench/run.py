"""One database's benchmarks, in one process: ``python -m bench.run --out FILE ...``.

Started by ``python -m bench`` with ``BENCH_DATABASE_URL`` pointing at a fresh
database; writes its result rows as JSON. Each benchmark has its module:

- ``queries``: figures 1 and 2, parity with a static model and the JSONField / django-eav2
  alternatives (it also loads the rows the next three use);
- ``listing``: figure 6, the admin listing;
- ``sync`` and ``worker``: figure 5, the sync check per request and another process serving a
  change;
- ``schema``: figure 4, schema changes on a type with rows;
- ``cold`` (with ``coldstart``): figures 3 and 7, cold start and memory;
- ``builder``: figure 8, the field builder's page weight and render time;
- ``groups``: figure 9, entries read with the items of a repeatable group;
- ``api``: figure 10, the API's listing with relations expanded against a ninja endpoint;
- ``scale``: figure 11, one type's schema changes at few and at many types present (its own
  databases, one per level, in ``--scale-urls``).
"""

from __future__ import annotations

import argparse
import json
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from bench import (  # noqa: E402
    api,
    builder,
    cold,
    groups,
    listing,
    queries,
    scale,
    schema,
    sync,
    worker,
)
from bench.common import SIZES  # noqa: E402
from bench.context import Bench  # noqa: E402

SECTIONS = (
    "q",
    "admin",
    "sync",
    "worker",
    "schema",
    "cold",
    "memory",
    "builder",
    "groups",
    "api",
    "scale",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="full", choices=sorted(SIZES))
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--label", default="")
    parser.add_argument("--cold-url", default="")
    parser.add_argument("--scale-urls", default="", help="N=URL,... one database per level")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    django.setup()
    size = SIZES[args.size]
    only = set(args.only.split(","))
    bench = Bench(size, only, args.label)
    bench.setup()
    started = time.perf_counter()

    def done(name: str) -> None:
        print(f"  [{args.label}] {name} done at {time.perf_counter() - started:.0f} s", flush=True)

    if only & {"q", "admin", "sync", "schema"}:
        queries.load(bench)
        done("load")
    for section, measure, name in (
        ("q", queries.measure, "queries"),
        ("admin", listing.measure, "admin"),
        ("sync", sync.measure, "sync"),
        ("worker", worker.measure, "worker"),
        ("schema", schema.measure, "schema"),
        ("builder", builder.measure, "builder"),
        ("groups", groups.measure, "groups"),
        ("api", api.measure, "api"),
    ):
        if section in only:
            measure(bench)
            done(name)
    if only & {"cold", "memory"}:
        bench.rows += cold.run(args.cold_url, size, only, args.label)
        done("cold start / memory")
    if "scale" in only:
        urls = dict(item.split("=", 1) for item in args.scale_urls.split(",") if item)
        bench.rows += scale.run({int(n): url for n, url in urls.items()}, size, args.label)
        done("scale")
    with open(args.out, "w") as out:
        json.dump([r.as_dict() for r in bench.rows], out, indent=1, default=str)


if __name__ == "__main__":
    main()
