"""Figure 5: what the sync middleware adds to a request."""

from __future__ import annotations

import statistics
from typing import Any

from bench.common import Row, compare, ms, paired, rounds
from bench.context import Bench


def measure(bench: Bench) -> None:
    """What the sync middleware adds to a request, against no sync at all."""
    one_row(bench)
    page(bench)


def one_row(bench: Bench) -> None:
    """A one-row view, whole requests through the test client: with SyncMiddleware against
    no middleware and no check at all; µs and SQL statements added per request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = "/_bench/one/"
    unsynced, synced = _clients(url)
    variants = {"none": unsynced, "with": synced}
    counts = {}
    for name, fn in variants.items():
        fn()
        with CaptureQueriesContext(connection) as ctx:
            response = fn()
            assert response.status_code == 200 and response.content == b"Product 000001"
        counts[name] = len(ctx.captured_queries)
    added_queries = counts["with"] - counts["none"]
    bench.rows.append(
        Row(
            "sync",
            "one-row view: SQL statements added per request",
            f"{added_queries} ({counts['with']} vs {counts['none']})",
            "0",
            added_queries <= 0,
            counts,
        )
    )
    n = bench.size["page_requests"]
    # Many requests per timed sample (0.1 s of them), rounds alternating, and the added
    # time taken round by round (paired): µs resolved on a request of a millisecond.
    samples = rounds(variants, max(n // 5, 1), 0.0 if n < 10 else 0.1)
    times = {name: statistics.median(values) for name, values in samples.items()}
    added = paired(samples, "with", "none")
    bench.rows.append(
        Row(
            "sync",
            "one-row view: time added per request (whole request, test client)",
            f"{added * 1e6:+.1f} µs ({ms(times['with'])} vs {ms(times['none'])})",
            "≤ 10 µs",
            added <= 10e-6,
            {"added": added, **times},
        )
    )


def page(bench: Bench) -> None:
    """What the sync middleware adds to a page render, against no sync at all."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dynamo_wagtail import listen, sync
    from dynamo_wagtail.conf import settings as dynamo_settings

    url = "/_bench/page/"
    unsynced, synced_get = _clients(url)

    def not_listening(fn: Any) -> Any:
        """``fn`` with DYNAMO_LISTEN = False (cheaper than override_settings per call)."""

        def call() -> Any:
            # What override_settings' setting_changed receivers do, without the others.
            settings.DYNAMO_LISTEN = False
            dynamo_settings.forget()
            listen.forget()
            try:
                return fn()
            finally:
                del settings.DYNAMO_LISTEN
                dynamo_settings.forget()
                listen.forget()

        return call

    variants = {"none": unsynced, "with": synced_get}
    labels = {"with": ""}
    if connection.vendor == "postgresql":
        # The default listens; DYNAMO_LISTEN = False asks the version on every request.
        labels["query"] = ", DYNAMO_LISTEN = False"
        variants["query"] = not_listening(synced_get)
    counts = {}
    for name, fn in variants.items():
        fn()  # warm-up: classes built, the connection listening
        with CaptureQueriesContext(connection) as ctx:
            assert fn().status_code == 200
        counts[name] = len(ctx.captured_queries)
    for name, label in labels.items():
        added = counts[name] - counts["none"]
        bench.rows.append(
            Row(
                "sync",
                "SQL statements added per request" + label,
                str(added),
                "1",
                added <= 1,
                counts,
            )
        )
    n = bench.size["page_requests"]
    # Each variant beside the page without sync, in a run of its own: DYNAMO_LISTEN = False
    # resets every listening connection, so between two calls of the default it would make
    # the default ask the version again.
    times = compare({"none": unsynced, "with": synced_get}, max(n // 10, 1), 0.0 if n < 10 else 0.1)
    if "query" in variants:
        query = compare(
            {"none": unsynced, "query": variants["query"]}, max(n // 10, 1), 0.0 if n < 10 else 0.1
        )
        times["query"] = query["query"] * times["none"] / query["none"]
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
    check_times = compare(checks, max(n // 10, 1), 0.0 if n < 10 else 0.1)
    if "query" in labels:
        checks = {"none": checks["none"], "query": not_listening(thousand(middleware))}
        check_times["query"] = compare(checks, max(n // 10, 1), 0.0 if n < 10 else 0.1)["query"]
    page = times["none"]
    for name, label in labels.items():
        added = (check_times[name] - check_times["none"]) / 1000
        share = added / page
        default = name == "with"  # the goal is the default's; the other is for reference
        bench.rows.append(
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
        bench.rows.append(
            Row(
                "sync",
                "whole page with ÷ without sync, A/B" + label,
                f"{(ratio - 1) * 100:+.1f} % ({ms(times[name])} vs {ms(times['none'])})",
                "",
                None,
                {"ratio": ratio, **times},
            )
        )


def _clients(url: str) -> tuple[Any, Any]:
    """(a request without sync at all, a request through SyncMiddleware) to ``url``."""
    from django.conf import settings
    from django.test import Client, override_settings

    from dynamo_wagtail import sync

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

    return unsynced, lambda: synced.get(url)
