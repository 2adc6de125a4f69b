"""Figure 4: schema changes on a type with rows."""

from __future__ import annotations

from bench.common import Row, ms, timed
from bench.context import Bench


def measure(bench: Bench) -> None:
    from django.db import transaction

    from dynamo_wagtail import api

    Probe = bench.catalogue_type("Probe")
    api.add_field("Probe", "code", "char", options={"max_length": 16})
    Probe = api.get_model("Probe")
    with transaction.atomic():
        Probe.objects.bulk_create(
            (Probe(**row, code=str(i)) for i, row in enumerate(bench.data)), batch_size=1000
        )
    n = len(bench.data)
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
        bench.rows.append(
            Row("schema", f"{label}, {n:,} rows", ms(seconds), "", None, {"seconds": seconds})
        )
    assert api.get_model("Probe").objects.filter(code=n - 1).count() == 1
