"""Renames keep every value, the column, the content type and the permissions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from dynamo_wagtail import api, pipeline
from dynamo_wagtail.models import MetaField, MetaModel

pytestmark = pytest.mark.usefixtures("dynamo")

ROWS = 1000


def columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return sorted(c.name for c in connection.introspection.get_table_description(cursor, table))


def make_book() -> MetaModel:
    meta_model = api.create_type(
        "Book",
        [
            {"name": "title", "kind": "char", "required": True},
            {"name": "pages", "kind": "integer"},
            {"name": "price", "kind": "decimal", "options": {"max_digits": 8, "decimal_places": 2}},
            {"name": "published", "kind": "date"},
        ],
    )
    Book = api.get_model("Book")
    start = datetime.date(2000, 1, 1)
    Book.objects.bulk_create(
        [
            Book(
                title=f"Book {i}",
                pages=None if i % 7 == 0 else i,
                price=Decimal(i) / 4,
                published=start + datetime.timedelta(days=i),
            )
            for i in range(ROWS)
        ],
        batch_size=250,
    )
    return meta_model


def rows(name: str, *fields: str) -> list[tuple]:
    return list(api.get_model(name).objects.order_by("pk").values_list("pk", *fields))


def test_field_rename_keeps_values_and_column():
    meta_model = make_book()
    before = rows("Book", "title", "pages", "price", "published")
    assert len(before) == ROWS
    cols_before = columns(meta_model.table)
    column = MetaField.objects.get(meta_model=meta_model, name="pages").column

    plan = api.rename_field("Book", "pages", "page_count")

    assert [type(op).__name__ for op in plan.operations] == ["RenameField"]
    assert columns(meta_model.table) == cols_before
    assert MetaField.objects.get(meta_model=meta_model, name="page_count").column == column
    assert not MetaField.objects.filter(meta_model=meta_model, name="pages").exists()
    Book = api.get_model("Book")
    assert "page_count" in {f.name for f in Book._meta.fields}
    assert "pages" not in {f.name for f in Book._meta.fields}
    assert rows("Book", "title", "page_count", "price", "published") == before


def test_type_rename_keeps_rows_table_content_type_and_permissions():
    meta_model = make_book()
    table = meta_model.table
    before = rows("Book", "title", "pages", "price", "published")
    cols_before = columns(table)
    ct = ContentType.objects.get_for_model(api.get_model("Book"))
    perms_before = {p.codename: p.pk for p in Permission.objects.filter(content_type=ct)}
    assert set(perms_before) == {"add_book", "change_book", "delete_book", "view_book"}

    api.rename_type("Book", "Novel")

    Novel = api.get_model("Novel")
    with pytest.raises(LookupError):
        api.get_model("Book")
    assert Novel._meta.db_table == table
    assert columns(table) == cols_before
    assert rows("Novel", "title", "pages", "price", "published") == before
    new_ct = ContentType.objects.get_for_model(Novel)
    assert new_ct.pk == ct.pk
    assert (new_ct.app_label, new_ct.model) == ("dynamo", "novel")
    assert new_ct.model_class() is Novel
    assert not ContentType.objects.filter(app_label="dynamo", model="book").exists()
    perms_after = {p.codename: p.pk for p in Permission.objects.filter(content_type=ct)}
    assert perms_after == {
        codename.replace("_book", "_novel"): pk for codename, pk in perms_before.items()
    }


def test_rename_back_and_forth_keeps_values():
    meta_model = make_book()
    before = rows("Book", "title", "pages")
    cols_before = columns(meta_model.table)

    api.rename_field("Book", "pages", "count")
    assert rows("Book", "title", "count") == before
    api.rename_field("Book", "count", "pages")
    assert rows("Book", "title", "pages") == before
    api.rename_type("Book", "Tome")
    api.rename_type("Tome", "Book")
    assert rows("Book", "title", "pages") == before
    assert columns(meta_model.table) == cols_before
    assert MetaModel.objects.get(pk=meta_model.pk).applied_spec["name"] == "Book"


def test_swap_two_field_names_in_one_change():
    meta_model = make_book()
    before = rows("Book", "title", "pages", "price")
    cols_before = columns(meta_model.table)
    title = MetaField.objects.get(meta_model=meta_model, name="title")
    pages = MetaField.objects.get(meta_model=meta_model, name="pages")

    with pipeline.change() as session:
        title.name = "pages"
        title.save()
        pages.name = "title"
        pages.save()

    ops = session.plans[-1].operations
    assert sorted(type(op).__name__ for op in ops) == ["RenameField", "RenameField"]
    assert columns(meta_model.table) == cols_before
    # Same rows, same columns: what was called title is now called pages and vice versa.
    assert rows("Book", "pages", "title", "price") == before
    Book = api.get_model("Book")
    assert Book._meta.get_field("pages").get_internal_type() == "CharField"
    assert Book._meta.get_field("title").get_internal_type() == "IntegerField"


def test_swap_two_field_names_back_through_the_api():
    meta_model = make_book()
    before = rows("Book", "title", "pages")
    api.rename_field("Book", "title", "tmp")
    api.rename_field("Book", "pages", "title")
    api.rename_field("Book", "tmp", "pages")
    assert rows("Book", "pages", "title") == before
    assert sorted(
        MetaField.objects.filter(meta_model=meta_model).values_list("name", flat=True)
    ) == ["pages", "price", "published", "title"]
    assert api.plan("Book").is_empty


def test_type_rename_with_a_link_to_itself_keeps_every_link():
    """Both key columns of a self link are renamed, the second from the first's result."""
    api.create_type("Tone", [{"name": "title", "kind": "char"}])
    api.add_field("Tone", "peers", "many_to_many", related_model="Tone")
    model = api.get_model("Tone")
    a, b, c = (model.objects.create(title=t) for t in "abc")
    a.peers.add(b, c)
    api.rename_type("Tone", "Tfive")
    model = api.get_model("Tfive")
    assert sorted(p.title for p in model.objects.get(title="a").peers.all()) == ["b", "c"]
    assert api.plan("Tfive").is_empty
    model.objects.get(title="c").peers.add(model.objects.get(title="a"))
    assert model.objects.get(title="c").peers.count() == 1
