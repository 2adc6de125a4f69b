"""Figure 10: the API's listing with relations expanded, against a hand-written endpoint.

100 articles, each with three relations (writer, imprint, topic), listed in one page with the
three expanded (``?limit=100&expand=writer,imprint,topic``): a generated type through the
API of ``dynamo_wagtail.contrib.api`` against the same models as static code
(``catalogue.Article``) through a hand-written django-ninja endpoint of the same shape
(``bench.ninja_api``, the same JSON). Both through Django's test client with the same bearer
token, alternating request by request; the statements are counted at 10 and at 100 entries.
"""

from __future__ import annotations

from typing import Any

from bench.common import Row, compare, ratio_row
from bench.context import Bench

ENTRIES = 100
#: Relation field → the type (dynamic) or model (static) it points to.
TARGETS = {"writer": "Writer", "imprint": "Imprint", "topic": "Topic"}
RELATIONS = tuple(TARGETS)
DYNAMIC_URL = "/api/v3/snippets/dynamo.Article/?limit={limit}&expand=" + ",".join(RELATIONS)
STATIC_URL = "/_bench/api/articles/?limit={limit}"


def _fill(article: Any, related: dict[str, Any], count: int) -> None:
    targets = {name: model.objects.order_by("pk")[0] for name, model in related.items()}
    for index in range(article.objects.count(), count):
        article.objects.create(title=f"Article {index}", **targets)


def _related(name: str, model: Any) -> None:
    for index in range(3):
        model.objects.create(name=f"{name} {index}")


def _same(dynamic: dict[str, Any], static: dict[str, Any]) -> bool:
    """The same JSON but for the labels (``dynamo.X`` against ``catalogue.X``)."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if k not in ("type", "detail_url")}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return plain(dynamic) == plain(static)


def measure(bench: Bench) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import APIToken

    from bench.catalogue import models as cat
    from dynamo_wagtail import api

    for name in TARGETS.values():
        api.create_type(name, [{"name": "name", "kind": "char", "required": True}])
    api.create_type(
        "Article",
        [
            {"name": "title", "kind": "char", "required": True},
            *(
                {"name": field, "kind": "foreign_key", "related_model": target}
                for field, target in TARGETS.items()
            ),
        ],
        title_field="title",
    )
    sides = {
        "static": (cat.Article, {f: getattr(cat, t) for f, t in TARGETS.items()}),
        "dynamic": (api.get_model("Article"), {f: api.get_model(t) for f, t in TARGETS.items()}),
    }
    for _article, related in sides.values():
        for name, model in related.items():
            _related(name, model)
    _token, plain = APIToken.create_token(user=bench.user, name="bench api")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plain}")
    urls = {"static": STATIC_URL, "dynamic": DYNAMIC_URL}

    def get(name: str, limit: int) -> dict[str, Any]:
        response = client.get(urls[name].format(limit=limit))
        assert response.status_code == 200, response.content[:500]
        return response.json()

    counts: dict[str, list[int]] = {name: [] for name in sides}
    for size in (10, ENTRIES):
        answers = {}
        for name, (article, related) in sides.items():
            _fill(article, related, size)
            get(name, size)  # warm: the API's build, the token's user
            with CaptureQueriesContext(connection) as ctx:
                answers[name] = get(name, size)
            counts[name].append(len(ctx.captured_queries))
            assert len(answers[name]["items"]) == size
        assert _same(answers["dynamic"], answers["static"]), answers

    def request(name: str) -> Any:
        url = urls[name].format(limit=ENTRIES)

        def fn() -> Any:
            return client.get(url)

        return fn

    fns = {name: request(name) for name in sides}
    times = compare(fns, bench.size["runs"], bench.size["min_run_seconds"])
    row = ratio_row(
        "api",
        f"{ENTRIES} entries with {len(RELATIONS)} relations expanded, listed through the API:"
        " dynamic ÷ static ninja endpoint",
        times["dynamic"],
        times["static"],
        1.2,
        counts=counts,
    )
    row.value += f"; SQL {counts['dynamic'][-1]} vs {counts['static'][-1]}"
    bench.rows.append(row)
    constant = all(c[0] == c[-1] for c in counts.values())
    bench.rows.append(
        Row(
            "api",
            f"SQL statements per request at 10 and at {ENTRIES} entries (dynamic; static)",
            f"{counts['dynamic'][0]} and {counts['dynamic'][-1]}; "
            f"{counts['static'][0]} and {counts['static'][-1]}",
            "the same",
            constant,
        )
    )
