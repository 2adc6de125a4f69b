"""One database's benchmarks, in one process: ``python -m bench.run --out FILE ...``.

Started by ``python -m bench`` with ``BENCH_DATABASE_URL`` pointing at a fresh
database; writes its result rows as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from bench.common import (  # noqa: E402
    SIZES,
    Row,
    catalogue_rows,
    chunks,
    compare,
    compare_batches,
    ms,
    timed,
)

SECTIONS = ("q", "admin", "sync", "worker", "schema", "cold", "memory")


def ratio_row(section: str, figure: str, num: float, den: float, goal: float | None, **data: Any):
    value = num / den if den else float("inf")
    return Row(
        section,
        figure,
        f"{value:.3f} ({ms(num)} / {ms(den)})",
        f"≤ {goal}" if goal is not None else "",
        None if goal is None else value <= goal,
        {"ratio": value, "num": num, "den": den, **data},
    )


class Bench:
    def __init__(self, size: dict[str, Any], only: set[str], label: str) -> None:
        self.size = size
        self.only = only
        self.label = label
        self.rows: list[Row] = []

    # -- setup -------------------------------------------------------------------

    def setup(self) -> None:
        from django.contrib.auth import get_user_model
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        User = get_user_model()
        self.user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
            "bench", "bench@example.com", "bench"
        )

    def catalogue_type(self, name: str, **options: Any) -> type:
        from dynamo_wagtail import api

        api.create_type(
            name,
            [
                {"name": "title", "kind": "char", "required": True, "indexed": True},
                {
                    "name": "price",
                    "kind": "decimal",
                    "indexed": True,
                    "options": {"max_digits": 8, "decimal_places": 2},
                },
                {"name": "stock", "kind": "integer", "indexed": True},
                {
                    "name": "color",
                    "kind": "char",
                    "indexed": True,
                    "options": {"max_length": 32},
                },
                {"name": "created", "kind": "date"},
            ],
            title_field="title",
            listing_columns=["title", "price", "stock", "color"],
            **options,
        )
        return api.get_model(name)

    def truncate(self, model: type) -> None:
        from django.db import connection

        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {table} RESTART IDENTITY")
            else:
                cursor.execute(f"DELETE FROM {table}")

    # -- 1 + 2: queries -------------------------------------------------------------

    def load(self) -> None:
        from django.db import transaction
        from eav.models import Attribute

        from bench.catalogue import models as cat

        self.data = catalogue_rows(self.size["rows"])
        self.Dynamic = self.catalogue_type("Product")
        self.Static = cat.Product

        def loader(model: type) -> Callable[[list[dict[str, Any]]], Any]:
            def load(batch: list[dict[str, Any]]) -> None:
                model.objects.bulk_create([model(**row) for row in batch])

            return load

        def empty() -> None:
            self.truncate(self.Static)
            self.truncate(self.Dynamic)

        times = compare_batches(
            {"static": loader(self.Static), "dynamic": loader(self.Dynamic)},
            list(chunks(self.data, 1000)),
            self.size["load_runs"],
            reset=empty,
            within=transaction.atomic,
        )
        self.rows.append(
            ratio_row(
                "parity",
                f"bulk load {len(self.data):,} rows",
                times["dynamic"],
                times["static"],
                1.05,
            )
        )

        def jsonable(row: dict[str, Any]) -> dict[str, Any]:
            return {
                **row,
                "price": float(row["price"]),
                "created": row["created"].isoformat(),
            }

        alt_load: dict[str, float] = {}
        for model in (cat.JsonProduct, cat.JsonProductIndexed):
            self.truncate(model)

            def load_json(model: type = model) -> None:
                with transaction.atomic():
                    model.objects.bulk_create(
                        (model(attrs=jsonable(row)) for row in self.data), batch_size=1000
                    )

            alt_load[model.__name__] = timed(load_json)

        for slug, datatype in (
            ("title", Attribute.TYPE_TEXT),
            ("price", Attribute.TYPE_FLOAT),
            ("stock", Attribute.TYPE_INT),
            ("color", Attribute.TYPE_TEXT),
            ("created", Attribute.TYPE_DATE),
        ):
            Attribute.objects.get_or_create(
                slug=slug, defaults={"name": slug, "datatype": datatype}
            )

        def load_eav() -> None:
            objs = []
            for row in self.data:
                obj = cat.EavProduct()
                obj.eav.title = row["title"]
                obj.eav.price = float(row["price"])
                obj.eav.stock = row["stock"]
                obj.eav.color = row["color"]
                obj.eav.created = row["created"]
                objs.append(obj)
            cat.EavProduct.objects.bulk_create(objs, batch_size=1000)

        alt_load["EavProduct"] = timed(load_eav)
        self.alt_load = alt_load
        self.alt_load["dynamic"] = times["dynamic"]
        self.settle()

    def settle(self) -> None:
        """Every table in the same state before the queries.

        Statistics everywhere; on PostgreSQL the visibility map too (VACUUM), which decides
        whether a count is answered from an index alone. Left to autovacuum, one table is
        done and the other not yet, or one is done during the timed runs.
        """
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    def queries(self) -> None:
        from django.db import connection
        from django.db.models import Avg, FloatField
        from django.db.models.fields.json import KT
        from django.db.models.functions import Cast
        from django.test.utils import CaptureQueriesContext
        from eav.models import Attribute, Value

        from bench.catalogue import models as cat

        title = self.data[len(self.data) // 3]["title"]
        attrs = ("id", "title", "price", "stock", "color", "created")

        def orm(model: type) -> dict[str, Any]:
            q1 = lambda: model.objects.filter(price__lt=50, color="red").order_by("-stock")[:25]  # noqa: E731
            return {
                "Q1": lambda: list(q1()),
                "Q1 reading every attribute": lambda: [
                    tuple(getattr(o, a) for a in attrs) for o in list(q1())
                ],
                "Q2": lambda: model.objects.get(title=title),
                "Q3": lambda: model.objects.filter(stock__gt=10).count(),
                "Q4": lambda: list(
                    model.objects.values("color").annotate(avg=Avg("price")).order_by("color")
                ),
            }

        def json_orm(model: type) -> dict[str, Any]:
            def q1() -> Any:
                qs = model.objects.filter(attrs__price__lt=50, attrs__color="red")
                return qs.order_by("-attrs__stock")[:25]

            keys = ("title", "price", "stock", "color", "created")
            return {
                "Q1": lambda: list(q1()),
                "Q1 reading every attribute": lambda: [
                    (o.pk, *(o.attrs[k] for k in keys)) for o in list(q1())
                ],
                "Q2": lambda: model.objects.get(attrs__title=title),
                "Q3": lambda: model.objects.filter(attrs__stock__gt=10).count(),
                "Q4": lambda: list(
                    model.objects.values(color=KT("attrs__color"))
                    .annotate(avg=Avg(Cast(KT("attrs__price"), FloatField())))
                    .order_by("color")
                ),
            }

        Eav = cat.EavProduct
        price = Attribute.objects.get(slug="price")
        color = Attribute.objects.get(slug="color")

        def eav_q4() -> list[Any]:
            # No aggregation over attributes in django-eav2: one average per color.
            colors = sorted(
                Value.objects.filter(attribute=color)
                .values_list("value_text", flat=True)
                .distinct()
            )
            return [
                (
                    c,
                    Value.objects.filter(
                        attribute=price, entity_id__in=Eav.objects.filter(eav__color=c).values("pk")
                    ).aggregate(avg=Avg("value_float"))["avg"],
                )
                for c in colors
            ]

        def eav_q1() -> Any:
            qs = Eav.objects.filter(eav__price__lt=50, eav__color="red")
            return qs.order_by("-eav__stock")[:25]

        eav = {
            "Q1": lambda: list(eav_q1()),
            "Q1 reading every attribute": lambda: [
                (o.pk, o.eav.title, o.eav.price, o.eav.stock, o.eav.color, o.eav.created)
                for o in list(eav_q1())
            ],
            "Q2": lambda: Eav.objects.get(eav__title=title),
            "Q3": lambda: Eav.objects.filter(eav__stock__gt=10).count(),
            "Q4": eav_q4,
        }
        variants = {
            "static": orm(self.Static),
            "dynamic": orm(self.Dynamic),
            "JSONField": json_orm(cat.JsonProduct),
            "JSONField + expression indexes": json_orm(cat.JsonProductIndexed),
            "django-eav2": eav,
        }
        # The same answers everywhere (the alternatives are really doing the work).
        expected = variants["static"]["Q3"]()
        for name, fns in variants.items():
            got = fns["Q3"]()
            assert got == expected, (name, got, expected)
            assert len(fns["Q1"]()) == len(variants["static"]["Q1"]()), name

        runs, min_run_seconds = self.size["runs"], self.size["min_run_seconds"]
        for query in variants["static"]:
            fns = {name: fns[query] for name, fns in variants.items()}
            # Parity in a pair of its own, so the ratio does not depend on which alternatives
            # (up to 100 ms a call) run between the static and the dynamic calls.
            pair = compare({k: fns[k] for k in ("static", "dynamic")}, runs, min_run_seconds)
            times = compare(fns, runs, min_run_seconds)
            counts = {}
            for name, fn in fns.items():
                with CaptureQueriesContext(connection) as ctx:
                    fn()
                counts[name] = len(ctx.captured_queries)
            self.rows.append(
                ratio_row(
                    "parity",
                    f"{query}: dynamic ÷ static",
                    pair["dynamic"],
                    pair["static"],
                    1.05,
                    counts=counts,
                )
            )
            for name in ("JSONField", "JSONField + expression indexes", "django-eav2"):
                row = ratio_row(
                    "alternatives",
                    f"{query}: {name} ÷ dynamic",
                    times[name],
                    times["dynamic"],
                    None,
                )
                row.value += f"; SQL {counts[name]} vs {counts['dynamic']}"
                row.data["counts"] = counts
                self.rows.append(row)
            row = ratio_row(
                "alternatives",
                f"{query}: django-eav2 ÷ static",
                times["django-eav2"],
                times["static"],
                None,
            )
            self.rows.append(row)
        for name, seconds in self.alt_load.items():
            if name != "dynamic":
                self.rows.append(
                    ratio_row(
                        "alternatives",
                        f"bulk load {len(self.data):,} rows: {name} ÷ dynamic (1 run)",
                        seconds,
                        self.alt_load["dynamic"],
                        None,
                    )
                )

    # -- 6: admin listing ------------------------------------------------------------

    def client(self):
        from django.test import Client

        client = Client()
        client.force_login(self.user)
        return client

    def admin(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = self.client()
        urls = {
            "static": "/admin/snippets/catalogue/product/",
            "dynamic": "/admin/snippets/dynamo/product/",
        }

        def get(url: str):
            def fn() -> None:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            return fn

        times = compare({k: get(u) for k, u in urls.items()}, self.size["listing_runs"])
        counts = {}
        for name, url in urls.items():
            with CaptureQueriesContext(connection) as ctx:
                get(url)()
            counts[name] = len(ctx.captured_queries)
        row = ratio_row(
            "admin",
            f"listing of {len(self.data):,} rows: dynamic ÷ static snippet",
            times["dynamic"],
            times["static"],
            1.2,
            counts=counts,
        )
        row.value += f"; SQL {counts['dynamic']} vs {counts['static']}"
        self.rows.append(row)

    # -- 5: sync overhead --------------------------------------------------------------

    def sync(self) -> None:
        """What the sync middleware adds to a page render, against no sync at all."""
        from django.conf import settings
        from django.db import connection
        from django.test import Client, override_settings
        from django.test.utils import CaptureQueriesContext

        from dynamo_wagtail import sync

        url = "/_bench/page/"
        without = [m for m in settings.MIDDLEWARE if m != "dynamo_wagtail.sync.SyncMiddleware"]
        with override_settings(MIDDLEWARE=without):
            plain = Client()
            plain.get(url)  # the handler loads its middleware chain now, without sync
        synced = Client()
        checked = sync.ensure_current

        def unsynced() -> Any:
            # The baseline: no middleware and no check in get_model either (a static site).
            sync.ensure_current = lambda *args, **kwargs: False
            try:
                return plain.get(url)
            finally:
                sync.ensure_current = checked

        def not_listening(fn: Any) -> Any:
            """``fn`` with DYNAMO_LISTEN = False (cheaper than override_settings per call)."""

            def call() -> Any:
                settings.DYNAMO_LISTEN = False
                try:
                    return fn()
                finally:
                    del settings.DYNAMO_LISTEN

            return call

        variants = {"none": unsynced, "with": lambda: synced.get(url)}
        labels = {"with": ""}
        if connection.vendor == "postgresql":
            # The default listens; DYNAMO_LISTEN = False asks the version on every request.
            labels["query"] = ", DYNAMO_LISTEN = False"
            variants["query"] = not_listening(lambda: synced.get(url))
        counts = {}
        for name, fn in variants.items():
            fn()  # warm-up: classes built, the connection listening
            with CaptureQueriesContext(connection) as ctx:
                assert fn().status_code == 200
            counts[name] = len(ctx.captured_queries)
        for name, label in labels.items():
            added = counts[name] - counts["none"]
            self.rows.append(
                Row(
                    "sync",
                    "SQL statements added per request" + label,
                    str(added),
                    "1",
                    added <= 1,
                    counts,
                )
            )
        n = self.size["page_requests"]
        times = compare(variants, max(n // 10, 1), 0.0 if n < 10 else 0.1)
        # The check alone, a thousand times per run: what the middleware adds to a request,
        # measured precisely enough for a 3 % goal (the whole-page A/B below varies by more
        # than that from run to run on a shared machine).
        from django.http import HttpResponse
        from django.test import RequestFactory

        request = RequestFactory().get(url)
        response = HttpResponse()
        middleware = sync.SyncMiddleware(lambda request: response)

        def thousand(call: Any) -> Any:
            return lambda: [call(request) for _ in range(1000)]

        checks = {"none": thousand(lambda request: response), "with": thousand(middleware)}
        if "query" in labels:
            checks["query"] = not_listening(thousand(middleware))
        check_times = compare(checks, max(n // 10, 1), 0.0 if n < 10 else 0.1)
        page = times["none"]
        for name, label in labels.items():
            added = (check_times[name] - check_times["none"]) / 1000
            share = added / page
            default = name == "with"  # the goal is the default's; the other is for reference
            self.rows.append(
                Row(
                    "sync",
                    "time added to a page render: the check" + label,
                    f"{share * 100:+.2f} % ({added * 1e6:.1f} µs on a {ms(page)} page)",
                    "≤ 3 %" if default else "(reference)",
                    share <= 0.03 if default else None,
                    {"added": added, "page": page},
                )
            )
        for name, label in labels.items():
            ratio = times[name] / times["none"]
            self.rows.append(
                Row(
                    "sync",
                    "whole page with ÷ without sync, A/B" + label,
                    f"{(ratio - 1) * 100:+.1f} % ({ms(times[name])} vs {ms(times['none'])})",
                    "",
                    None,
                    {"ratio": ratio, **times},
                )
            )

    def worker(self) -> None:
        """Time until another process (gunicorn worker) serves a change: its next request."""
        from dynamo_wagtail import api

        self.catalogue_type("Signal")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = dict(os.environ)
        server = subprocess.Popen(
            [
                os.path.join(os.path.dirname(sys.executable), "gunicorn"),
                "bench.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}/_bench/fields/Signal/"

        def fields() -> list[str]:
            with urllib.request.urlopen(base, timeout=30) as response:  # noqa: S310 - loopback
                return json.loads(response.read())["fields"]

        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    fields()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("gunicorn did not start") from None
                    time.sleep(0.1)
            for _ in range(3):
                fields()
            latencies, steady, first = [], [], 0
            changes = self.size["worker_changes"]
            for index in range(changes):
                start = time.perf_counter()
                fields()
                steady.append(time.perf_counter() - start)
                name = f"extra{index}"
                api.add_field("Signal", name, "char")
                changed = time.perf_counter()
                seen = fields()
                first += name in seen
                while name not in seen:  # a read may come before the notification
                    if time.perf_counter() - changed > 30:
                        raise RuntimeError(f"the worker never served {name}")
                    seen = fields()
                latencies.append(time.perf_counter() - changed)
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        import statistics

        latency, base_latency = statistics.median(latencies), statistics.median(steady)
        self.rows.append(
            Row(
                "sync",
                "another worker serves a change: its next request",
                f"{ms(latency)} after commit (an unchanged request: {ms(base_latency)}); "
                f"served by the very next request {first} of {changes} times",
                "next request",
                first == changes,
                {"latency": latency, "steady": base_latency, "first": first, "changes": changes},
            )
        )

    # -- 4: schema changes ---------------------------------------------------------------

    def schema(self) -> None:
        from django.db import transaction

        from dynamo_wagtail import api

        Probe = self.catalogue_type("Probe")
        api.add_field("Probe", "code", "char", options={"max_length": 16})
        Probe = api.get_model("Probe")
        with transaction.atomic():
            Probe.objects.bulk_create(
                (Probe(**row, code=str(i)) for i, row in enumerate(self.data)), batch_size=1000
            )
        n = len(self.data)
        operations = [
            ("add a nullable field", lambda: api.add_field("Probe", "note", "char")),
            ("rename a field", lambda: api.rename_field("Probe", "note", "remark")),
            ("add unique (title)", lambda: api.alter_field("Probe", "title", unique=True)),
            ("add an index (created)", lambda: api.alter_field("Probe", "created", indexed=True)),
            (
                "type change char → integer (with its conversion check)",
                lambda: api.alter_field("Probe", "code", kind="integer", options={}, confirm=True),
            ),
        ]
        for label, op in operations:
            seconds = timed(op)
            self.rows.append(
                Row("schema", f"{label}, {n:,} rows", ms(seconds), "", None, {"seconds": seconds})
            )
        assert api.get_model("Probe").objects.filter(code=n - 1).count() == 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="full", choices=sorted(SIZES))
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--label", default="")
    parser.add_argument("--cold-url", default="")
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
        bench.load()
        done("load")
    for section, measure, name in (
        ("q", bench.queries, "queries"),
        ("admin", bench.admin, "admin"),
        ("sync", bench.sync, "sync"),
        ("worker", bench.worker, "worker"),
        ("schema", bench.schema, "schema"),
    ):
        if section in only:
            measure()
            done(name)
    if only & {"cold", "memory"}:
        from bench import cold

        bench.rows += cold.run(args.cold_url, size, only, args.label)
        done("cold start / memory")
    with open(args.out, "w") as out:
        json.dump([r.as_dict() for r in bench.rows], out, indent=1, default=str)


if __name__ == "__main__":
    main()
