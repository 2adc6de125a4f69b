"""Figures 1 and 2: a type's rows against a static model's, and against JSONField and django-eav2.

The same rows loaded into a dynamic type, an equal static model (bench.catalogue), a JSONField
model (with and without expression indexes) and django-eav2; then the same four queries on each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.common import catalogue_rows, chunks, compare, compare_batches, ratio_row, timed
from bench.context import Bench


def load(bench: Bench) -> None:
    from django.db import transaction
    from eav.models import Attribute

    from bench.catalogue import models as cat

    bench.data = catalogue_rows(bench.size["rows"])
    bench.Dynamic = bench.catalogue_type("Product")
    bench.Static = cat.Product

    def loader(model: type) -> Callable[[list[dict[str, Any]]], Any]:
        def load(batch: list[dict[str, Any]]) -> None:
            model.objects.bulk_create([model(**row) for row in batch])

        return load

    def empty() -> None:
        bench.truncate(bench.Static)
        bench.truncate(bench.Dynamic)

    times = compare_batches(
        {"static": loader(bench.Static), "dynamic": loader(bench.Dynamic)},
        list(chunks(bench.data, 1000)),
        bench.size["load_runs"],
        reset=empty,
        within=transaction.atomic,
    )
    bench.rows.append(
        ratio_row(
            "parity",
            f"bulk load {len(bench.data):,} rows",
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
        bench.truncate(model)

        def load_json(model: type = model) -> None:
            with transaction.atomic():
                model.objects.bulk_create(
                    (model(attrs=jsonable(row)) for row in bench.data), batch_size=1000
                )

        alt_load[model.__name__] = timed(load_json)

    for slug, datatype in (
        ("title", Attribute.TYPE_TEXT),
        ("price", Attribute.TYPE_FLOAT),
        ("stock", Attribute.TYPE_INT),
        ("color", Attribute.TYPE_TEXT),
        ("created", Attribute.TYPE_DATE),
    ):
        Attribute.objects.get_or_create(slug=slug, defaults={"name": slug, "datatype": datatype})

    def load_eav() -> None:
        objs = []
        for row in bench.data:
            obj = cat.EavProduct()
            obj.eav.title = row["title"]
            obj.eav.price = float(row["price"])
            obj.eav.stock = row["stock"]
            obj.eav.color = row["color"]
            obj.eav.created = row["created"]
            objs.append(obj)
        cat.EavProduct.objects.bulk_create(objs, batch_size=1000)

    alt_load["EavProduct"] = timed(load_eav)
    bench.alt_load = alt_load
    bench.alt_load["dynamic"] = times["dynamic"]
    settle()


def settle() -> None:
    """Every table in the same state before the queries.

    Statistics everywhere; on PostgreSQL the visibility map too (VACUUM), which decides
    whether a count is answered from an index alone. Left to autovacuum, one table is
    done and the other not yet, or one is done during the timed runs.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def measure(bench: Bench) -> None:
    from django.db import connection
    from django.db.models import Avg, FloatField
    from django.db.models.fields.json import KT
    from django.db.models.functions import Cast
    from django.test.utils import CaptureQueriesContext
    from eav.models import Attribute, Value

    from bench.catalogue import models as cat

    title = bench.data[len(bench.data) // 3]["title"]
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
            Value.objects.filter(attribute=color).values_list("value_text", flat=True).distinct()
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
        "static": orm(bench.Static),
        "dynamic": orm(bench.Dynamic),
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

    runs, min_run_seconds = bench.size["runs"], bench.size["min_run_seconds"]
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
        bench.rows.append(
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
            bench.rows.append(row)
        row = ratio_row(
            "alternatives",
            f"{query}: django-eav2 ÷ static",
            times["django-eav2"],
            times["static"],
            None,
        )
        bench.rows.append(row)
    for name, seconds in bench.alt_load.items():
        if name != "dynamic":
            bench.rows.append(
                ratio_row(
                    "alternatives",
                    f"bulk load {len(bench.data):,} rows: {name} ÷ dynamic (1 run)",
                    seconds,
                    bench.alt_load["dynamic"],
                    None,
                )
            )
