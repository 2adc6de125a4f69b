"""Figure 5, across processes: how soon another worker serves a change."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

from bench.common import Row, ms
from bench.context import Bench


def measure(bench: Bench) -> None:
    """Time until another process (gunicorn worker) serves a change: its next request."""
    from dynamo_wagtail import api

    bench.catalogue_type("Signal")
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
        changes = bench.size["worker_changes"]
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
    latency, base_latency = statistics.median(latencies), statistics.median(steady)
    bench.rows.append(
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
