"""Figure 9: entries with a repeatable group, read with their items, against static code.

100 events with a programme of three sessions: a generated type with a ``group`` field (its
items a type of their own) against the same models written as Wagtail documents child items
(``catalogue.Event``, a ClusterableModel, and ``catalogue.EventSession``, an Orderable). Each
side reads every event and every session, the items fetched with ``prefetch_related`` (as
``dynamo_entries`` and ``dynamo_list`` do); the statements are counted at 10 and at 100 events.
"""

from __future__ import annotations

from typing import Any

from bench.common import Row, compare, ratio_row
from bench.context import Bench

EVENTS = 100
SESSIONS = 3


def _fill(event_model: Any, session_model: Any, count: int) -> None:
    for index in range(event_model.objects.count(), count):
        event = event_model(title=f"Event {index}")
        event.programme = [
            session_model(talk=f"Talk {index}.{n}", speaker=f"Speaker {n}") for n in range(SESSIONS)
        ]
        event.save()


def measure(bench: Bench) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.catalogue import models as cat
    from dynamo_wagtail import api
    from dynamo_wagtail.presentation import with_links

    api.create_type(
        "Event",
        [
            {"name": "title", "kind": "char", "required": True},
            {"name": "programme", "kind": "group"},
        ],
        title_field="title",
    )
    api.add_field("EventProgramme", "talk", "char", required=True, default="")
    api.add_field("EventProgramme", "speaker", "char")
    Dynamic, DynamicItem = api.get_model("Event"), api.get_model("EventProgramme")
    sides = {"static": (cat.Event, cat.EventSession), "dynamic": (Dynamic, DynamicItem)}

    def read(model: Any, prefetch: Any) -> Any:
        def fn() -> int:
            events = list(prefetch(model.objects.order_by("pk")))
            return sum(len(e.programme.all()) for e in events)

        return fn

    readers = {
        "static": read(cat.Event, lambda qs: qs.prefetch_related("programme")),
        "dynamic": read(Dynamic, with_links),
    }
    counts: dict[str, list[int]] = {name: [] for name in sides}
    for size in (10, EVENTS):
        for name, (event_model, session_model) in sides.items():
            _fill(event_model, session_model, size)
            with CaptureQueriesContext(connection) as ctx:
                assert readers[name]() == size * SESSIONS
            counts[name].append(len(ctx.captured_queries))
    times = compare(readers, bench.size["runs"], bench.size["min_run_seconds"])
    row = ratio_row(
        "groups",
        f"{EVENTS} entries with {SESSIONS} items each, read with their items: dynamic ÷ static",
        times["dynamic"],
        times["static"],
        1.2,
        counts=counts,
    )
    row.value += f"; SQL {counts['dynamic'][-1]} vs {counts['static'][-1]}"
    bench.rows.append(row)
    constant = counts["dynamic"][0] == counts["dynamic"][-1]
    bench.rows.append(
        Row(
            "groups",
            f"SQL statements at 10 and at {EVENTS} entries (dynamic)",
            f"{counts['dynamic'][0]} and {counts['dynamic'][-1]}",
            "the same",
            constant,
        )
    )
