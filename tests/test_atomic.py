"""A failure half-way through a plan: rolled back (PostgreSQL, SQLite) or resumable (MariaDB).

The fault is injected after the first DDL of a three-operation plan by wrapping the
applier's one entrance, ``apply_operation``.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from dynamo_wagtail import api, pipeline
from dynamo_wagtail.models import MetaField, MetaModel
from dynamo_wagtail.schema import applier
from dynamo_wagtail.schema.inspect import drift
from dynamo_wagtail.spec import ModelSpec
from tests.conftest import vendor

pytestmark = pytest.mark.usefixtures("dynamo")


def columns(table: str) -> dict[str, object]:
    with connection.cursor() as cursor:
        return {c.name: c for c in connection.introspection.get_table_description(cursor, table)}


def char_length(info) -> int | None:
    """The VARCHAR length introspection reports (PostgreSQL fills display_size only)."""
    return info.internal_size or info.display_size


def field_rows(meta_model: MetaModel) -> list[tuple]:
    return list(
        MetaField.objects.filter(meta_model=meta_model)
        .order_by("pk")
        .values_list("uid", "name", "type", "column", "options", "required", "trashed_at")
    )


def applied(meta_model: MetaModel) -> ModelSpec:
    return ModelSpec.from_json(MetaModel.objects.get(pk=meta_model.pk).applied_spec)


def drift_of(meta_model: MetaModel) -> list[str]:
    spec = applied(meta_model)
    return drift(spec, applier.Context(pipeline.others(spec.uid, "default")))


def values() -> list[tuple]:
    return list(api.get_model("Box").objects.order_by("pk").values_list("pk", "label", "qty"))


def fault_on(monkeypatch: pytest.MonkeyPatch, call: int) -> list[str]:
    """Make the ``call``-th operation fail (once); returns the operations started."""
    real = applier.apply_operation
    started: list[str] = []

    def flaky(editor, op, before, after, context):
        started.append(type(op).__name__)
        if len(started) == call:
            raise RuntimeError("injected fault")
        real(editor, op, before, after, context)

    monkeypatch.setattr(applier, "apply_operation", flaky)
    return started


def make_box() -> MetaModel:
    meta_model = api.create_type(
        "Box",
        [
            {"name": "label", "kind": "char", "options": {"max_length": 50}},
            {"name": "qty", "kind": "integer"},
        ],
    )
    Box = api.get_model("Box")
    Box.objects.bulk_create([Box(label=f"box {i}", qty=i) for i in range(20)])
    return meta_model


def change_three_ways(meta_model: MetaModel) -> None:
    """One definition change, three operations: widen label, add colour, add weight."""
    with pipeline.change():
        label = MetaField.objects.get(meta_model=meta_model, name="label")
        label.options = {"max_length": 100}
        label.save()
        MetaField(meta_model=meta_model, name="colour", type="char", order=5).save()
        MetaField(meta_model=meta_model, name="weight", type="integer", order=6).save()


def label_column(meta_model: MetaModel) -> str:
    return MetaField.objects.get(meta_model=meta_model, name="label").column


@pytest.mark.skipif(vendor() == "mysql", reason="MariaDB/MySQL cannot roll back DDL")
def test_failure_after_the_first_ddl_rolls_everything_back(monkeypatch):
    meta_model = make_box()
    Old = api.get_model("Box")
    cols = sorted(columns(meta_model.table))
    rows = field_rows(meta_model)
    row_values = values()
    spec_before = MetaModel.objects.get(pk=meta_model.pk).applied_spec
    version_before = MetaModel.objects.get(pk=meta_model.pk).schema_version
    started = fault_on(monkeypatch, 2)

    with pytest.raises(RuntimeError, match="injected fault"):
        change_three_ways(meta_model)

    assert started == ["AlterField", "AddField"]
    assert sorted(columns(meta_model.table)) == cols
    current = MetaModel.objects.get(pk=meta_model.pk)
    assert current.applied_spec == spec_before
    assert current.schema_version == version_before
    assert drift_of(meta_model) == []
    assert field_rows(meta_model) == rows
    assert api.get_model("Box") is Old
    assert Old._meta.get_field("label").max_length == 50
    assert values() == row_values
    if connection.vendor != "sqlite":  # SQLite does not keep VARCHAR lengths
        assert char_length(columns(meta_model.table)[label_column(meta_model)]) == 50
    assert api.plan("Box").is_empty

    # Without the fault the same change goes through.
    monkeypatch.undo()
    change_three_ways(meta_model)
    assert {"colour", "weight"} <= {f.name for f in api.get_model("Box")._meta.fields}
    assert drift_of(meta_model) == []


@pytest.mark.skipif(vendor() != "mysql", reason="DDL commits itself on MariaDB/MySQL only")
def test_failure_after_the_first_ddl_is_resumed_by_apply(monkeypatch):
    meta_model = make_box()
    cols = set(columns(meta_model.table))
    row_values = values()
    started = fault_on(monkeypatch, 2)

    with pytest.raises(RuntimeError, match="injected fault"):
        change_three_ways(meta_model)

    assert started == ["AlterField", "AddField"]
    # The definition rows committed first; the applied spec has the first step only.
    assert {"label", "qty", "colour", "weight"} == {r[1] for r in field_rows(meta_model)}
    spec = applied(meta_model)
    assert spec.field_by_name("label").option("max_length") == 100
    assert spec.field_by_name("colour") is None and spec.field_by_name("weight") is None
    assert set(columns(meta_model.table)) == cols
    assert char_length(columns(meta_model.table)[label_column(meta_model)]) == 100
    assert drift_of(meta_model) == []
    pending = api.plan("Box")
    assert [type(op).__name__ for op in pending.operations] == ["AddField", "AddField"]

    monkeypatch.undo()
    api.apply("Box")

    out = io.StringIO()
    call_command("dynamo_check", stdout=out)
    assert "match the database" in out.getvalue()
    new_columns = {
        MetaField.objects.get(meta_model=meta_model, name=n).column for n in ("colour", "weight")
    }
    assert set(columns(meta_model.table)) == cols | new_columns
    assert api.plan("Box").is_empty
    Box = api.get_model("Box")
    assert {"colour", "weight"} <= {f.name for f in Box._meta.fields}
    assert values() == row_values
    Box.objects.create(label="x" * 100, colour="red", weight=3)
