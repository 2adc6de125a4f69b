"""Figure 6: the admin listing of a type against a static snippet's."""

from __future__ import annotations

from bench.common import compare, ratio_row
from bench.context import Bench


def measure(bench: Bench) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = bench.client()
    urls = {
        "static": "/admin/snippets/catalogue/product/",
        "dynamic": "/admin/snippets/dynamo/product/",
    }

    def get(url: str):
        def fn() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return fn

    times = compare({k: get(u) for k, u in urls.items()}, bench.size["listing_runs"])
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as ctx:
            get(url)()
        counts[name] = len(ctx.captured_queries)
    row = ratio_row(
        "admin",
        f"listing of {len(bench.data):,} rows: dynamic ÷ static snippet",
        times["dynamic"],
        times["static"],
        1.2,
        counts=counts,
    )
    row.value += f"; SQL {counts['dynamic']} vs {counts['static']}"
    bench.rows.append(row)
