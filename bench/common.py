"""Shared helpers: seeded data, timing, process memory, result rows."""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

COLORS = ("red", "green", "blue", "black", "white", "yellow", "purple", "orange")
SEED = 20_240_601

#: --size presets.
SIZES: dict[str, dict[str, Any]] = {
    "full": {
        "rows": 100_000,
        "runs": 15,
        "load_runs": 7,
        "min_run_seconds": 0.05,
        "types": [200, 2000],
        "cold_repeats": 5,
        "fields": 20,
        "rebuilds": 100,
        "page_requests": 300,
        "listing_runs": 15,
        "worker_changes": 7,
        "scale_types": [5, 200, 2000],
        "scale_fields": 10,
        "scale_rounds": 15,
    },
    "small": {
        "rows": 2_000,
        "runs": 1,
        "load_runs": 1,
        "min_run_seconds": 0.0,
        "types": [10],
        "cold_repeats": 1,
        "fields": 20,
        "rebuilds": 5,
        "page_requests": 5,
        "listing_runs": 1,
        "worker_changes": 1,
        "scale_types": [5, 20, 50],
        "scale_fields": 10,
        "scale_rounds": 2,
    },
}


def catalogue_rows(n: int) -> list[dict[str, Any]]:
    """The same seeded catalogue everywhere: title, price, stock, color, created."""
    rnd = random.Random(SEED)
    base = date(2020, 1, 1)
    return [
        {
            "title": f"Product {i:06d}",
            "price": Decimal(rnd.randrange(100, 20_000)) / 100,
            "stock": rnd.randrange(0, 100),
            "color": rnd.choice(COLORS),
            "created": base + timedelta(days=rnd.randrange(0, 1_500)),
        }
        for i in range(n)
    ]


def rss_kib() -> int:
    """Resident set size of this process (VmRSS), KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep the objects alive now out of the garbage collector's full collections.

    A full collection scans every tracked object: in a benchmark process that is
    mostly the seeded data and Django itself, not the work timed. It runs when an
    allocation count is reached, so it lands on whichever variant is running then;
    one extra collection on one side was 4 % of a bulk load. Frozen, the collector
    still runs but scans only what the timed calls create.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def compare(
    fns: dict[str, Callable[[], Any]], runs: int, min_run_seconds: float = 0.0
) -> dict[str, float]:
    """Median seconds per call of each function, measured side by side.

    One warm-up call each; then ``runs`` rounds. A round repeats each call until it lasts
    ``min_run_seconds`` (the same repeat count for every round of one function), and the
    calls of the variants alternate one by one, in an order reversed every round, so a
    burst of noise on a shared machine falls on every variant alike.
    """
    samples = rounds(fns, runs, min_run_seconds)
    return {name: statistics.median(values) for name, values in samples.items()}


def paired(samples: dict[str, list[float]], name: str, base: str) -> float:
    """Median over the rounds of ``name``'s time minus ``base``'s in the same round.

    For a difference much smaller than either time: a round's two variants ran side by
    side, so what a slow stretch of the machine adds to both cancels in their difference,
    where the difference of the two medians keeps it.
    """
    return statistics.median(a - b for a, b in zip(samples[name], samples[base], strict=True))


def rounds(
    fns: dict[str, Callable[[], Any]], runs: int, min_run_seconds: float = 0.0
) -> dict[str, list[float]]:
    """Seconds per call of each function in each round, as :func:`compare` measures."""
    inner: dict[str, int] = {}
    for name, fn in fns.items():
        once = timed(fn)
        inner[name] = max(1, int(min_run_seconds / once)) if once > 0 else 1
    samples: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    for index in range(runs):
        order = names if index % 2 == 0 else names[::-1]
        spent = dict.fromkeys(names, 0.0)
        with frozen_heap():
            for repeat in range(max(inner.values())):
                for name in order:
                    if repeat < inner[name]:
                        fn = fns[name]
                        start = time.perf_counter()
                        fn()
                        spent[name] += time.perf_counter() - start
        for name in names:
            samples[name].append(spent[name] / inner[name])
    return samples


def compare_batches(
    steps: dict[str, Callable[[Any], Any]],
    batches: list[Any],
    runs: int,
    *,
    reset: Callable[[], Any],
    within: Callable[[], AbstractContextManager[Any]] = nullcontext,
) -> dict[str, float]:
    """Median seconds of a whole job done batch by batch, measured side by side.

    A run calls ``reset()``, then, inside one ``within()``, gives every batch to each
    variant in turn, in an order reversed every batch; a variant's time is the sum of
    its batch times. One warm-up run, then ``runs`` runs. A job of several seconds
    timed in one piece takes any burst of noise on one variant only.
    """
    samples: dict[str, list[float]] = {name: [] for name in steps}
    names = list(steps)
    for index in range(runs + 1):
        reset()
        spent = dict.fromkeys(names, 0.0)
        with frozen_heap(), within():
            for number, batch in enumerate(batches):
                for name in names if number % 2 == 0 else names[::-1]:
                    step = steps[name]
                    start = time.perf_counter()
                    step(batch)
                    spent[name] += time.perf_counter() - start
        if index:
            for name in names:
                samples[name].append(spent[name])
    return {name: statistics.median(values) for name, values in samples.items()}


@dataclass
class Row:
    section: str
    figure: str
    value: str
    goal: str = ""
    met: bool | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def ms(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.001:
        return f"{seconds * 1000:.2f} ms"
    return f"{seconds * 1_000_000:.0f} µs"


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ratio_row(
    section: str, figure: str, num: float, den: float, goal: float | None, **data: Any
) -> Row:
    value = num / den if den else float("inf")
    return Row(
        section,
        figure,
        f"{value:.3f} ({ms(num)} / {ms(den)})",
        f"≤ {goal}" if goal is not None else "",
        None if goal is None else value <= goal,
        {"ratio": value, "num": num, "den": den, **data},
    )
