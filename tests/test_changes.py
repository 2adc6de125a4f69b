"""Field changes over existing rows: refused, confirmed or applied, never half-done."""

from __future__ import annotations

import pytest
from django.db import connection

from dynamo_wagtail import api, pipeline
from dynamo_wagtail.definitions import DefinitionError
from dynamo_wagtail.models import MetaField, MetaModel
from dynamo_wagtail.pipeline import ConfirmationRequired

pytestmark = pytest.mark.usefixtures("dynamo")


def columns(table: str) -> dict[str, object]:
    with connection.cursor() as cursor:
        return {c.name: c for c in connection.introspection.get_table_description(cursor, table)}


def char_length(info) -> int | None:
    """The VARCHAR length introspection reports (PostgreSQL fills display_size only)."""
    return info.internal_size or info.display_size


def constraints(table: str) -> dict[str, dict]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def field_rows(meta_model: MetaModel) -> list[tuple]:
    return list(
        MetaField.objects.filter(meta_model=meta_model)
        .order_by("pk")
        .values_list("uid", "name", "type", "required", "unique", "indexed", "default", "options")
    )


def state(meta_model: MetaModel) -> tuple:
    """Everything a refused change must leave alone."""
    current = MetaModel.objects.get(pk=meta_model.pk)
    return (
        sorted(columns(meta_model.table)),
        field_rows(meta_model),
        current.applied_spec,
        current.schema_version,
    )


def make_item(*extra: dict) -> MetaModel:
    return api.create_type(
        "Item",
        [
            {"name": "name", "kind": "char", "options": {"max_length": 100}},
            {"name": "qty", "kind": "integer"},
            *extra,
        ],
    )


def values(field: str) -> list:
    return list(api.get_model("Item").objects.order_by("pk").values_list(field, flat=True))


def column_of(meta_model: MetaModel, name: str) -> str:
    return MetaField.objects.get(meta_model=meta_model, name=name).column


# -- adding fields ---------------------------------------------------------------


def test_required_field_without_default_is_refused_on_a_table_with_rows():
    meta_model = make_item()
    api.get_model("Item").objects.create(name="a", qty=1)
    before = state(meta_model)

    with pytest.raises(DefinitionError) as caught:
        api.add_field("Item", "stock", "integer", required=True)

    assert "stock.default" in caught.value.message_dict
    assert "1 entries exist" in caught.value.message_dict["stock.default"][0]
    assert state(meta_model) == before
    assert "stock" not in {f.name for f in api.get_model("Item")._meta.fields}


def test_required_field_with_default_fills_existing_rows():
    meta_model = make_item()
    Item = api.get_model("Item")
    Item.objects.bulk_create([Item(name=str(i)) for i in range(3)])

    api.add_field("Item", "stock", "integer", required=True, default="7")

    column = columns(meta_model.table)[column_of(meta_model, "stock")]
    assert not column.null_ok
    assert values("stock") == [7, 7, 7]
    assert api.get_model("Item").objects.create(name="new").stock == 7


def test_required_text_field_without_default_on_a_table_with_rows_is_refused_or_blank():
    """A required string field is added over existing rows: either refused with a report on
    ``<field>.default`` or filled with "" (strings are never NULL). Never a database error."""
    meta_model = make_item()
    api.get_model("Item").objects.create(name="a", qty=1)
    before = state(meta_model)

    try:
        api.add_field("Item", "sku", "char", required=True)
    except DefinitionError as exc:
        assert "sku.default" in exc.message_dict
        assert state(meta_model) == before
    else:
        assert values("sku") == [""]
        assert not columns(meta_model.table)[column_of(meta_model, "sku")].null_ok


# -- narrowing -----------------------------------------------------------------------


def test_narrowing_max_length_is_refused_over_a_long_value():
    meta_model = make_item()
    Item = api.get_model("Item")
    Item.objects.create(name="short")
    long_row = Item.objects.create(name="x" * 50)
    before = state(meta_model)

    with pytest.raises(DefinitionError) as caught:
        api.alter_field("Item", "name", options={"max_length": 10}, confirm=True)

    message = caught.value.message_dict["name.max_length"][0]
    assert f"id {long_row.pk}" in message
    assert "1 entry" in message
    assert state(meta_model) == before
    assert values("name") == ["short", "x" * 50]


def test_narrowing_max_length_needs_confirmation():
    meta_model = make_item()
    Item = api.get_model("Item")
    Item.objects.create(name="short")
    before = state(meta_model)

    with pytest.raises(ConfirmationRequired) as caught:
        api.alter_field("Item", "name", options={"max_length": 10})

    assert caught.value.plan.is_destructive
    assert state(meta_model) == before
    api.alter_field("Item", "name", options={"max_length": 10}, confirm=True)
    assert api.get_model("Item")._meta.get_field("name").max_length == 10
    assert values("name") == ["short"]
    if connection.vendor != "sqlite":  # SQLite does not enforce VARCHAR lengths
        column = columns(meta_model.table)[column_of(meta_model, "name")]
        assert char_length(column) == 10


# -- required ------------------------------------------------------------------------


def test_required_over_null_rows_without_default_is_refused_naming_the_rows():
    meta_model = make_item()
    Item = api.get_model("Item")
    Item.objects.create(name="a", qty=1)
    empty = [Item.objects.create(name="b").pk, Item.objects.create(name="c").pk]
    before = state(meta_model)

    with pytest.raises(DefinitionError) as caught:
        api.alter_field("Item", "qty", required=True, confirm=True)

    message = caught.value.message_dict["qty.required"][0]
    assert "2 entries" in message
    assert all(f"{pk}" in message for pk in empty)
    assert state(meta_model) == before


def test_required_over_null_rows_with_default_needs_confirmation_and_fills():
    meta_model = make_item()
    Item = api.get_model("Item")
    Item.objects.create(name="a", qty=1)
    Item.objects.create(name="b")
    before = state(meta_model)

    with pytest.raises(ConfirmationRequired):
        api.alter_field("Item", "qty", required=True, default="5")
    assert state(meta_model) == before

    api.alter_field("Item", "qty", required=True, default="5", confirm=True)
    assert values("qty") == [1, 5]
    assert not columns(meta_model.table)[column_of(meta_model, "qty")].null_ok


# -- unique and indexes --------------------------------------------------------------


def test_unique_over_duplicates_is_refused_with_the_values():
    meta_model = make_item()
    Item = api.get_model("Item")
    Item.objects.bulk_create(
        [Item(name="alpha"), Item(name="beta"), Item(name="alpha"), Item(name="gamma")]
    )
    before = state(meta_model)

    with pytest.raises(DefinitionError) as caught:
        api.alter_field("Item", "name", unique=True, confirm=True)

    message = caught.value.message_dict["name.unique"][0]
    assert "alpha" in message
    assert "beta" not in message and "gamma" not in message
    assert state(meta_model) == before


def test_unique_without_duplicates_creates_a_unique_constraint():
    meta_model = make_item()
    Item = api.get_model("Item")
    Item.objects.bulk_create([Item(name="alpha"), Item(name="beta")])
    column = column_of(meta_model, "name")

    api.alter_field("Item", "name", unique=True)

    assert any(
        c["unique"] and c["columns"] == [column] for c in constraints(meta_model.table).values()
    )


def test_indexed_creates_a_real_index():
    meta_model = make_item()
    column = column_of(meta_model, "qty")
    assert not any(
        c["columns"] == [column] and (c["index"] or c["unique"])
        for c in constraints(meta_model.table).values()
    )

    api.alter_field("Item", "qty", indexed=True)

    assert any(
        c["index"] and c["columns"] == [column] for c in constraints(meta_model.table).values()
    )
    api.alter_field("Item", "qty", indexed=False)
    assert not any(c["columns"] == [column] for c in constraints(meta_model.table).values())


# -- plans, dry runs and versions ------------------------------------------------------


def test_dry_run_changes_nothing():
    meta_model = make_item()
    api.get_model("Item").objects.create(name="a")
    before = state(meta_model)

    plan = api.add_field("Item", "colour", "char", dry_run=True)
    assert [type(op).__name__ for op in plan.operations] == ["AddField"]
    plan = api.alter_field("Item", "name", options={"max_length": 5}, dry_run=True)
    assert plan.is_destructive
    plan = api.rename_type("Item", "Thing", dry_run=True)
    assert [type(op).__name__ for op in plan.operations] == ["RenameType"]

    assert state(meta_model) == before
    assert MetaModel.objects.get(pk=meta_model.pk).name == "Item"
    assert api.get_model("Item").objects.count() == 1


def test_plan_of_a_pending_change_changes_nothing():
    meta_model = make_item()
    # A definition edited behind the engine's back (no save()): planned, not applied.
    MetaField.objects.filter(meta_model=meta_model, name="name").update(options={"max_length": 200})
    before = state(meta_model)

    plan = api.plan("Item")

    assert [type(op).__name__ for op in plan.operations] == ["AlterField"]
    assert state(meta_model) == before
    assert api.get_model("Item")._meta.get_field("name").max_length == 100
    assert [p.is_empty for p in api.plan()] == [False]
    api.apply("Item")
    assert api.plan("Item").is_empty
    assert api.get_model("Item")._meta.get_field("name").max_length == 200


def test_expected_version_mismatch_is_a_conflict_and_writes_nothing():
    meta_model = make_item()
    version = MetaModel.objects.get(pk=meta_model.pk).schema_version
    api.add_field("Item", "colour", "char", expected_version=version)
    before = state(meta_model)

    with pytest.raises(pipeline.Conflict):
        api.add_field("Item", "size", "integer", expected_version=version)
    with pytest.raises(pipeline.Conflict):
        api.alter_field("Item", "name", options={"max_length": 200}, expected_version=version)

    assert state(meta_model) == before
    assert not MetaField.objects.filter(name="size").exists()
    api.add_field("Item", "size", "integer", expected_version=before[3])
    assert "size" in {f.name for f in api.get_model("Item")._meta.fields}
