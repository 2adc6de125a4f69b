"""Changes that used to leave a type stuck or a database error behind.

A link whose target was emptied from the trash, a foreign key to a text primary key in
``dynamo_check``, a new unique field over existing entries, and inserts from a class
that predates a new column.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.urls import reverse
from django.utils import timezone

from dynamo_wagtail import api, pipeline, stale, sync
from dynamo_wagtail.definitions import DefinitionError
from dynamo_wagtail.models import MetaField, MetaModel
from dynamo_wagtail.registry import registry
from dynamo_wagtail.schema import applier
from dynamo_wagtail.schema.impact import ImpactRefused
from dynamo_wagtail.schema.inspect import drift
from dynamo_wagtail.spec import ModelSpec

pytestmark = pytest.mark.usefixtures("dynamo")


def drift_of(name: str) -> list[str]:
    spec = ModelSpec.from_json(MetaModel.objects.get(name=name).applied_spec)
    return drift(spec, applier.Context(pipeline.others(spec.uid, "default")))


def check_status() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("dynamo_check", stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def make_pub_and_book() -> None:
    api.create_type("Pub", [{"name": "name", "kind": "char"}])
    api.create_type(
        "Book",
        [
            {"name": "title", "kind": "char"},
            {"name": "pub", "kind": "foreign_key", "related_model": "Pub"},
        ],
    )
    pub = api.get_model("Pub").objects.create(name="Inn")
    api.get_model("Book").objects.create(title="Ale", pub=pub)


def test_emptying_a_target_from_the_trash_takes_the_trashed_links_to_it():
    make_pub_and_book()
    pub_table = MetaModel.objects.get(name="Pub").table
    api.remove_field("Book", "pub")
    api.delete_type("Pub")

    api.empty_trash("Pub", confirm=True)

    assert pub_table not in tables()
    assert not MetaModel.objects.filter(name="Pub").exists()
    assert not MetaField.objects.filter(meta_model__name="Book", name="pub").exists()
    assert drift_of("Book") == []
    # The source type still changes and goes as any other.
    api.add_field("Book", "isbn", "char")
    Book = api.get_model("Book")
    assert Book.objects.get().title == "Ale"
    Book.objects.create(title="Stout", isbn="1")
    assert check_status()[0] == 0
    api.delete_type("Book")
    api.empty_trash("Book", confirm=True)
    assert not MetaModel.objects.filter(name="Book").exists()


def test_a_type_in_the_trash_still_linking_blocks_emptying_its_target():
    make_pub_and_book()
    api.delete_type("Book")  # in the trash, its link still active
    api.delete_type("Pub")

    with pytest.raises(DefinitionError, match="Book link"):
        api.empty_trash("Pub", confirm=True)

    assert MetaModel.objects.get(name="Pub").applied_spec is not None
    api.restore_type("Book")
    api.restore_type("Pub")
    assert api.get_model("Book").objects.get().pub.name == "Inn"


def test_check_is_clean_for_a_link_to_a_text_primary_key():
    api.create_type(
        "Visit",
        [{"name": "session", "kind": "foreign_key", "related_model": "sessions.Session"}],
    )
    Session.objects.create(session_key="k" * 32, session_data="", expire_date=timezone.now())
    api.get_model("Visit").objects.create(session_id="k" * 32)

    assert drift_of("Visit") == []
    status, out = check_status()
    assert status == 0, out


def make_items(count: int) -> None:
    api.create_type("Item", [{"name": "label", "kind": "char"}])
    Item = api.get_model("Item")
    Item.objects.bulk_create([Item(label=f"item {i}") for i in range(count)])


def test_a_new_unique_field_over_entries_is_refused_with_a_report():
    make_items(3)
    table_columns = set(drift_of("Item"))
    version = MetaModel.objects.get(name="Item").schema_version

    with pytest.raises(ImpactRefused) as caught:
        api.add_field("Item", "code", "char", unique=True)

    assert caught.value.impact.rows == 3
    assert len(caught.value.impact.examples) == 3
    message = " ".join(caught.value.messages)
    assert "3 entries" in message and "unique" in message
    assert "code.unique" in caught.value.message_dict
    assert not MetaField.objects.filter(name="code").exists()
    assert MetaModel.objects.get(name="Item").schema_version == version
    assert set(drift_of("Item")) == table_columns == set()
    # A default is one value for every entry too.
    with pytest.raises(ImpactRefused):
        api.add_field("Item", "code", "char", unique=True, default="x")
    # NULLs never clash: a unique number field is added.
    api.add_field("Item", "number", "integer", unique=True)
    assert drift_of("Item") == []


def test_a_new_unique_field_over_one_entry_is_added():
    make_items(1)
    api.add_field("Item", "code", "char", unique=True)
    Item = api.get_model("Item")
    Item.objects.create(label="b", code="b")
    assert drift_of("Item") == []


def test_a_class_from_before_a_new_column_keeps_inserting():
    """Another process still holds the old class: its inserts leave the column out."""
    make_items(1)
    Old = api.get_model("Item")
    api.add_field("Item", "body", "text")
    api.add_field("Item", "done", "boolean")
    api.add_field("Item", "stock", "integer", required=True, default="7")
    api.add_field("Item", "slug", "char", required=True, default="none")

    Old.objects.create(label="from the old class")

    Item = api.get_model("Item")
    row = Item.objects.get(label="from the old class")
    assert (row.body, row.done, row.stock, row.slug) == ("", False, 7, "none")
    assert Item.objects.get(label="item 0").stock == 7
    assert drift_of("Item") == []


def test_a_write_by_a_class_from_before_a_dropped_column_fails_soft():
    make_items(1)
    api.add_field("Item", "colour", "char")
    Old = api.get_model("Item")
    api.remove_field("Item", "colour")
    api.empty_trash("Item", confirm=True)  # drops the column Old still writes

    with pytest.raises(stale.SchemaChanged, match="try again"), stale.guard(Old):
        Old.objects.create(label="stale")

    Item = api.get_model("Item")
    with stale.guard(Item):
        Item.objects.create(label="fresh")
    assert sorted(Item.objects.values_list("label", flat=True)) == ["fresh", "item 0"]
    # An error that no schema change explains is not dressed up as one.
    with pytest.raises(IntegrityError), stale.guard(Item):
        Item.objects.create(label=None)


@pytest.mark.parametrize(
    ("kind", "attrs"),
    [
        ("char", {"unique": True, "options": {"max_length": 1000}}),
        ("char", {"indexed": True, "options": {"max_length": 800}}),
    ],
)
def test_an_index_the_database_cannot_build_is_refused_before_any_ddl(kind, attrs):
    make_items(1)
    columns_before = drift_of("Item")
    if connection.vendor != "mysql":
        api.add_field("Item", "big", kind, **attrs)  # PostgreSQL and SQLite build it
        assert drift_of("Item") == []
        return
    option = "unique" if attrs.get("unique") else "indexed"
    with pytest.raises(ImpactRefused) as caught:
        api.add_field("Item", "big", kind, **attrs)
    assert f"big.{option}" in caught.value.message_dict
    assert not MetaField.objects.filter(name="big").exists()
    assert drift_of("Item") == columns_before == []
    assert all(p.is_empty for p in api.plan())


def test_an_admin_save_a_concurrent_change_broke_answers_with_a_message(client, django_user_model):
    """The middleware checked the version, then another process dropped a column."""
    client.force_login(django_user_model.objects.create_superuser("ed", "ed@example.com", "pw"))
    make_items(1)
    api.add_field("Item", "colour", "char")
    old_specs, old_version = sync.applied_specs(), sync.read_version()
    api.remove_field("Item", "colour")
    api.empty_trash("Item", confirm=True)
    real = sync.ensure_current
    sync.ensure_current = lambda *args, **kwargs: False  # its check ran before the change
    try:
        with registry.lock:  # this process has not heard of the change yet
            registry.sync(old_specs)
            registry.version = old_version
        Old = registry.get(str(MetaModel.objects.get(name="Item").uid))
        assert "colour" in {f.name for f in Old._meta.fields}
        add = reverse(Old.snippet_viewset.get_url_name("add"))
        response = client.post(add, {"label": "stale", "colour": "red"})
    finally:
        sync.ensure_current = real

    assert response.status_code == 302 and response["Location"] == add
    assert not api.get_model("Item").objects.filter(label="stale").exists()
    page = client.get(add, follow=True)
    assert page.status_code == 200
    assert sync.SCHEMA_CHANGED in page.content.decode().replace("&#x27;", "'")
    assert 'name="colour"' not in page.content.decode()
    response = client.post(add, {"label": "again"})
    assert response.status_code == 302
    assert api.get_model("Item").objects.filter(label="again").exists()


def test_switching_a_feature_on_fills_rows_of_a_type_with_a_foreign_key() -> None:
    # Filling the new columns updates every row; on PostgreSQL that queues the deferred
    # foreign key checks of those rows, and an ALTER TABLE with checks pending is refused.
    api.create_type("Pub", [{"name": "name", "kind": "char"}])
    pub = api.get_model("Pub").objects.create(name="North")
    api.create_type(
        "Book",
        [
            {"name": "title", "kind": "char"},
            {"name": "pub", "kind": "foreign_key", "related_model": "Pub"},
        ],
    )
    api.get_model("Book").objects.create(title="Maps", pub=pub)
    api.alter_type("Book", revisions=True, drafts=True, confirm=True)
    api.alter_type("Book", translation=True, confirm=True)
    Book = api.get_model("Book")
    assert list(Book.objects.values_list("title", "pub__name", "live")) == [("Maps", "North", True)]
    assert Book.objects.get().locale_id is not None
