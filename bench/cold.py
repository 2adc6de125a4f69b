"""Figures 3 and 7: cold start and memory, from fresh processes (see coldstart.py)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from typing import Any

from bench.common import Row, ms


def child(args: list[str], url: str, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    env = {**os.environ, "BENCH_DATABASE_URL": url, **(extra_env or {})}
    env.pop("BENCH_EXTRA_APPS", None)
    # Bytecode cached, as on a deployed site: otherwise every start compiles the sources
    # that were never imported with caching on (the project's, the static app's).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra_env or {})
    done = subprocess.run(
        [sys.executable, "-m", "bench.coldstart", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT ") :])
    raise RuntimeError(f"bench.coldstart {' '.join(args)} failed:\n{done.stderr[-4000:]}")


def run(url: str, size: dict[str, Any], only: set[str], label: str) -> list[Row]:
    rows: list[Row] = []
    static_dir = tempfile.mkdtemp(prefix="dynamo_bench_static_")
    repeats = size["cold_repeats"]
    per_type: dict[str, dict[int, float]] = {}
    measured: dict[int, dict[str, Any]] = {}
    bare_env = {"BENCH_STATIC_ONLY": "1"}
    for types in size["types"]:
        setup = child(
            [
                "setup",
                "--types",
                str(types),
                "--fields",
                str(size["fields"]),
                "--static-dir",
                static_dir,
            ],
            url,
        )
        print(f"  [{label}] {types} types ready ({setup['seconds']:.0f} s to create)", flush=True)
        if "cold" not in only:
            continue
        static_env = {"BENCH_STATIC_ONLY": "1", "BENCH_EXTRA_APPS": f"bench_static_{types}"}
        results: dict[str, list[dict[str, Any]]] = {"dynamic": [], "static": [], "bare": []}
        modes = (("dynamic", {}), ("static", static_env), ("bare", bare_env))
        # One unmeasured process each first (content types of the static app, OS caches).
        for mode, env in modes:
            if repeats > 1:
                child(
                    ["measure", "--mode", mode, "--types", str(types), "--static-dir", static_dir],
                    url,
                    env,
                )
        for _ in range(repeats):
            for mode, env in modes:
                results[mode].append(
                    child(
                        [
                            "measure",
                            "--mode",
                            mode,
                            "--types",
                            str(types),
                            "--static-dir",
                            static_dir,
                        ],
                        url,
                        env,
                    )
                )

        def med(mode: str, key: str, results: dict[str, list[dict[str, Any]]] = results) -> float:
            return statistics.median(r[key] for r in results[mode])

        for key, text in (
            ("build_register", "build and register"),
            ("first_response", "to the first admin response"),
        ):
            dyn, sta = med("dynamic", key), med("static", key)
            rows.append(
                Row(
                    "cold",
                    f"{types} types × {size['fields']} fields: {text}, dynamic ÷ static",
                    f"{dyn / sta:.2f} ({ms(dyn)} / {ms(sta)})",
                    "≤ 1.5",
                    dyn / sta <= 1.5,
                    {"dynamic": dyn, "static": sta},
                )
            )
        # What the types cost beyond a bare start (Django and Wagtail, no models of either
        # side): the start each side adds, dynamic ÷ static.
        bare = med("bare", "build_register")
        for key, text in (
            ("build_register", "build and register"),
            ("first_response", "to the first admin response"),
        ):
            dyn, sta = med("dynamic", key) - bare, med("static", key) - bare
            rows.append(
                Row(
                    "cold",
                    f"{types} types × {size['fields']} fields: {text} beyond a bare start, "
                    "dynamic ÷ static",
                    f"{dyn / sta:.2f} ({ms(dyn)} / {ms(sta)} beyond a bare {ms(bare)})",
                    "≤ 1.2",
                    dyn / sta <= 1.2,
                    {"dynamic": dyn, "static": sta, "bare": bare},
                )
            )

        # The types alone, each side beyond its own start without them: the dynamic side's
        # start is its django.setup() (no database access at start-up: no type is built
        # there), the static side's is the bare start. What the project's own apps add to a
        # start (the same with 0 or 2,000 types) is shown on its own.
        dynamic = results["dynamic"]
        dyn = statistics.median(r["build_register"] - r["steps"]["django.setup()"] for r in dynamic)
        sta = med("static", "build_register") - bare
        own = statistics.median(r["steps"]["django.setup()"] for r in dynamic) - bare
        rows.append(
            Row(
                "cold",
                f"{types} types × {size['fields']} fields: building and registering the types "
                "beyond each side's start without them, dynamic ÷ static",
                f"{dyn / sta:.2f} ({ms(dyn)} / {ms(sta)}; the project's own apps add "
                f"{ms(own)} to a start)",
                "≤ 1.2",
                dyn / sta <= 1.2,
                {"dynamic": dyn, "static": sta, "own_start": own},
            )
        )
        steps: dict[str, float] = {}
        for mode in ("dynamic", "static"):
            for step in results[mode][0]["steps"]:
                value = statistics.median(r["steps"][step] for r in results[mode])
                steps[f"{mode}: {step}"] = value
                per_type.setdefault(f"{mode}: {step}", {})[types] = value
        measured[types] = {
            "steps": steps,
            "rss_dynamic": med("dynamic", "rss_kib"),
            "rss_static": med("static", "rss_kib"),
        }
        rows.append(
            Row(
                "cold",
                f"{types} types: steps",
                "; ".join(f"{k} {ms(v)}" for k, v in steps.items()),
                "",
                None,
                steps,
            )
        )
        rows.append(
            Row(
                "memory",
                f"RSS after the first admin response, {types} types",
                f"dynamic {measured[types]['rss_dynamic'] / 1024:.0f} MiB, "
                f"static {measured[types]['rss_static'] / 1024:.0f} MiB",
            )
        )
    sizes = size["types"]
    if "cold" in only and len(sizes) > 1:
        low, high = sizes[0], sizes[-1]
        for step, values in per_type.items():
            if "log in" in step:
                continue
            growth = (values[high] / values[low]) / (high / low) if values[low] > 0 else 0.0
            # Fixed costs make small steps look sub-linear; only flag what grows faster.
            # The goal is the engine's: static steps (Wagtail's own) are shown for reference.
            ours = step.startswith("dynamic")
            rows.append(
                Row(
                    "growth",
                    f"{step}: ({ms(values[low])} at {low} → {ms(values[high])} at {high}) "
                    f"÷ {high // low}×",
                    f"{growth:.2f}",
                    "≤ 1.2 (linear)" if ours else "(reference)",
                    growth <= 1.2 if ours else None,
                    {"growth": growth},
                )
            )
    if "memory" in only:
        result = child(["memory", "--rebuilds", str(size["rebuilds"])], url)
        samples = result["samples"]
        first_n, first = samples[0]
        mid_n, mid = samples[len(samples) // 2]
        last_n, last = samples[-1]
        rows.append(
            Row(
                "memory",
                f"RSS with {result['types']} types loaded (and one admin page served)",
                f"{result['rss_loaded_kib'] / 1024:.0f} MiB "
                f"(after django.setup(): {result['rss_setup_kib'] / 1024:.0f} MiB)",
            )
        )
        growth = (last - first) / 1024
        settled = (last - mid) / 1024
        trail = " → ".join(f"{n}: {v / 1024:.0f} MiB" for n, v in samples)
        rows.append(
            Row(
                "memory",
                "RSS after rebuilds of one type (gc.collect() first); old classes still alive",
                f"{trail}: {growth:+.1f} MiB from rebuild {first_n}, {settled:+.1f} MiB from "
                f"rebuild {mid_n} to {last_n}; "
                f"{result['old_classes_alive']} of {result['rebuilds']} old classes alive",
                "no growth, 0 alive",
                result["old_classes_alive"] == 0 and settled < 1.0,
                result,
            )
        )
    return rows
