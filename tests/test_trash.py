"""The trash: fields and types are hidden with their data, restorable, emptied on confirm."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import override_settings

from dynamo_wagtail import api
from dynamo_wagtail.definitions import DefinitionError
from dynamo_wagtail.models import MetaField, MetaModel
from dynamo_wagtail.pipeline import ConfirmationRequired, others
from dynamo_wagtail.schema.applier import Context
from dynamo_wagtail.schema.inspect import drift
from dynamo_wagtail.spec import ModelSpec

pytestmark = pytest.mark.usefixtures("dynamo")


def tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def columns(table: str) -> dict[str, object]:
    with connection.cursor() as cursor:
        return {c.name: c for c in connection.introspection.get_table_description(cursor, table)}


def applied(meta_model: MetaModel) -> dict:
    return MetaModel.objects.get(pk=meta_model.pk).applied_spec


def applied_field(meta_model: MetaModel, column: str) -> dict | None:
    return next((f for f in applied(meta_model)["fields"] if f["column"] == column), None)


def make_note() -> tuple[MetaModel, list[int]]:
    meta_model = api.create_type(
        "Note",
        [
            {"name": "title", "kind": "char", "required": True},
            {"name": "score", "kind": "integer", "required": True, "default": "0"},
            {"name": "body", "kind": "text"},
        ],
    )
    Note = api.get_model("Note")
    Note.objects.bulk_create([Note(title=f"t{i}", score=i, body=f"b{i}") for i in range(5)])
    return meta_model, list(Note.objects.order_by("pk").values_list("pk", flat=True))


def values(*fields: str) -> list[tuple]:
    return list(api.get_model("Note").objects.order_by("pk").values_list(*fields))


def field_names() -> set[str]:
    return {f.name for f in api.get_model("Note")._meta.fields}


# -- fields ----------------------------------------------------------------------------


def test_removed_field_is_hidden_and_restored_with_its_values():
    meta_model, _pks = make_note()
    before = values("pk", "title", "score", "body")
    column = MetaField.objects.get(meta_model=meta_model, name="score").column

    api.remove_field("Note", "score")

    assert field_names() == {"id", "title", "body"}
    assert column in columns(meta_model.table)
    assert applied_field(meta_model, column)["state"] == "trashed"
    assert MetaField.objects.get(column=column).trashed_at is not None
    assert values("pk", "title", "body") == [(p, t, b) for p, t, _s, b in before]

    api.restore_field("Note", "score")

    assert field_names() == {"id", "title", "score", "body"}
    assert applied_field(meta_model, column)["state"] == "active"
    assert values("pk", "title", "score", "body") == before


def test_a_row_can_be_added_while_a_required_field_is_in_the_trash():
    meta_model, _pks = make_note()
    column = MetaField.objects.get(meta_model=meta_model, name="title").column
    assert not columns(meta_model.table)[column].null_ok

    api.remove_field("Note", "title")

    assert columns(meta_model.table)[column].null_ok
    new = api.get_model("Note").objects.create(score=9, body="new")
    assert api.get_model("Note").objects.get(pk=new.pk).body == "new"


def test_restoring_a_required_integer_field_over_rows_added_in_the_trash():
    """A row added while the field was in the trash has no value: restoring the required
    field either fills it from the default or is refused with a report; never a crash."""
    meta_model, _pks = make_note()
    api.remove_field("Note", "score")
    new = api.get_model("Note").objects.create(title="new")

    api.restore_field("Note", "score", confirm=True)

    # score has default "0": the new row gets it.
    assert api.get_model("Note").objects.get(pk=new.pk).score == 0
    score = MetaField.objects.get(meta_model=meta_model, name="score")
    assert not columns(meta_model.table)[score.column].null_ok


def test_restoring_a_required_text_field_over_rows_added_in_the_trash():
    """Same for a required string field without default: refused with a report naming the
    row, or filled with "" (optional strings are blank, not NULL); never a database error."""
    meta_model, _pks = make_note()
    title = MetaField.objects.get(meta_model=meta_model, name="title")
    api.remove_field("Note", "title")
    new = api.get_model("Note").objects.create(score=1)

    try:
        api.restore_field("Note", "title", confirm=True)
    except DefinitionError as exc:
        messages = " ".join(m for ms in exc.message_dict.values() for m in ms)
        assert any(key.startswith("title.") for key in exc.message_dict)
        assert str(new.pk) in messages
        assert MetaField.objects.get(pk=title.pk).trashed_at is not None
        assert "title" not in field_names()
    else:
        assert api.get_model("Note").objects.get(pk=new.pk).title == ""
        assert not columns(meta_model.table)[title.column].null_ok


def test_emptying_the_trash_of_fields_needs_confirmation_then_drops_the_column():
    meta_model, _pks = make_note()
    column = MetaField.objects.get(meta_model=meta_model, name="score").column
    api.remove_field("Note", "score")

    with pytest.raises(ConfirmationRequired):
        api.empty_trash("Note")
    assert MetaField.objects.filter(column=column).exists()
    assert column in columns(meta_model.table)

    api.empty_trash("Note", confirm=True)

    assert not MetaField.objects.filter(column=column).exists()
    assert column not in columns(meta_model.table)
    assert applied_field(meta_model, column) is None
    assert values("title") == [(f"t{i}",) for i in range(5)]


@override_settings(DYNAMO_DELETE_COLUMNS=False)
def test_emptied_field_keeps_its_column_as_retired_when_columns_are_not_deleted():
    meta_model, pks = make_note()
    column = MetaField.objects.get(meta_model=meta_model, name="score").column
    api.remove_field("Note", "score")

    api.empty_trash("Note", confirm=True)

    assert not MetaField.objects.filter(column=column).exists()
    assert column in columns(meta_model.table)
    assert columns(meta_model.table)[column].null_ok
    assert applied_field(meta_model, column)["state"] == "retired"
    assert field_names() == {"id", "title", "body"}
    new = api.get_model("Note").objects.create(title="new")
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(meta_model.table)
        cursor.execute(f"SELECT id, {connection.ops.quote_name(column)} FROM {table} ORDER BY id")  # noqa: S608
        raw = [tuple(row) for row in cursor.fetchall()]
    assert raw == [*zip(pks, range(5), strict=True), (new.pk, None)]
    assert api.plan("Note").is_empty
    spec = ModelSpec.from_json(applied(meta_model))
    assert drift(spec, Context(others(spec.uid, "default"))) == []


# -- types -----------------------------------------------------------------------------


def test_deleted_type_is_trashed_but_stays_registered_then_restored_with_its_rows():
    meta_model, _pks = make_note()
    before = values("pk", "title", "score", "body")
    Note = api.get_model("Note")
    ct = ContentType.objects.get_for_model(Note)

    api.delete_type("Note")

    current = MetaModel.objects.get(pk=meta_model.pk)
    assert current.is_trashed
    assert current.applied_spec["state"] == "trashed"
    assert not MetaModel.objects.active().filter(pk=meta_model.pk).exists()
    assert meta_model.table in tables()
    # Hidden from the admin, not from Django: the class and its content type still resolve
    # (revisions, references and workflow states point at them).
    Trashed = api.get_model("Note")
    assert Trashed.dynamo_spec.state == "trashed"
    assert ContentType.objects.get(pk=ct.pk).model_class() is Trashed
    assert values("pk", "title", "score", "body") == before

    api.restore_type("Note")

    current = MetaModel.objects.get(pk=meta_model.pk)
    assert not current.is_trashed
    assert current.applied_spec["state"] == "active"
    assert api.get_model("Note").dynamo_spec.state == "active"
    assert ContentType.objects.get_for_model(api.get_model("Note")).pk == ct.pk
    assert values("pk", "title", "score", "body") == before


def test_orm_delete_of_a_definition_moves_it_to_the_trash():
    meta_model, _pks = make_note()
    MetaModel.objects.get(pk=meta_model.pk).delete()
    assert MetaModel.objects.get(pk=meta_model.pk).is_trashed
    assert meta_model.table in tables()
    MetaField.objects.get(meta_model=meta_model, name="body").delete()
    assert MetaField.objects.get(meta_model=meta_model, name="body").trashed_at is not None


def test_emptying_the_trash_of_a_type_needs_confirmation_then_drops_the_table():
    meta_model, _pks = make_note()
    ct_pk = ContentType.objects.get_for_model(api.get_model("Note")).pk
    api.delete_type("Note")

    with pytest.raises(ConfirmationRequired):
        api.empty_trash("Note")
    assert meta_model.table in tables()
    assert MetaModel.objects.filter(pk=meta_model.pk).exists()

    api.empty_trash("Note", confirm=True)

    assert meta_model.table not in tables()
    assert not MetaModel.objects.filter(pk=meta_model.pk).exists()
    assert not MetaField.objects.filter(meta_model_id=meta_model.pk).exists()
    assert not ContentType.objects.filter(pk=ct_pk).exists()
    with pytest.raises(LookupError):
        api.get_model("Note")


@override_settings(DYNAMO_DELETE_TABLES=False)
def test_emptied_type_keeps_its_table_as_retired_when_tables_are_not_deleted():
    meta_model, pks = make_note()
    api.delete_type("Note")

    api.empty_trash("Note", confirm=True)

    assert meta_model.table in tables()
    assert applied(meta_model)["state"] == "retired"
    with pytest.raises(LookupError):
        api.get_model("Note")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {connection.ops.quote_name(meta_model.table)} ORDER BY id")  # noqa: S608
        assert [row[0] for row in cursor.fetchall()] == pks
    # A retired type is left out of plans.
    assert api.plan() == []
