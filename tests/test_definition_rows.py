"""Definition rows saved through the ORM: stale saves, queryset deletes, dumpdata.

A MetaModel or MetaField instance carries the revision it was loaded at. Saving
it after someone else changed that row is a Conflict with nothing written; saving
it after the engine applied other changes (a field added, a version bumped)
merges only its own attributes and never writes back the applied state it read.
"""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.urls import reverse

from dynamo_wagtail import api, pipeline
from dynamo_wagtail.models import MetaField, MetaModel
from dynamo_wagtail.schema import applier
from dynamo_wagtail.schema import operations as ops
from dynamo_wagtail.spec import ModelSpec

pytestmark = pytest.mark.usefixtures("dynamo")


def ticket() -> MetaModel:
    api.create_type("Ticket", [{"name": "title", "kind": "char"}])
    return MetaModel.objects.get(name="Ticket")


def applied(name: str) -> ModelSpec:
    return ModelSpec.from_json(MetaModel.objects.get(name=name).applied_spec)


# -- stale saves ------------------------------------------------------------------


def test_a_save_after_another_change_keeps_both_and_bumps_the_version_twice():
    stale = ticket()
    start = stale.schema_version
    api.add_field("Ticket", "size", "integer")
    stale.verbose_name = "Support ticket"
    stale.save()
    row = MetaModel.objects.get(pk=stale.pk)
    assert row.schema_version == start + 2
    assert row.verbose_name == "Support ticket"
    spec = applied("Ticket")
    assert spec.verbose_name == "Support ticket"
    assert [f.name for f in spec.active_fields] == ["title", "size"]
    assert [f.name for f in api.get_model("Ticket")._meta.fields] == ["id", "title", "size"]
    # An editor who saw the version after the field was added now sees a conflict.
    with pytest.raises(pipeline.Conflict):
        api.add_field("Ticket", "late", "integer", expected_version=start + 1)
    assert api.plan("Ticket").is_empty


def test_two_saves_from_one_loaded_row_the_second_is_a_conflict_writing_nothing():
    ticket()
    first = MetaModel.objects.get(name="Ticket")
    second = MetaModel.objects.get(name="Ticket")
    start = first.schema_version
    first.verbose_name = "First"
    first.save()
    second.description = "Second"
    with pytest.raises(pipeline.Conflict, match="Ticket was changed by .* Reload"):
        second.save()
    row = MetaModel.objects.get(pk=first.pk)
    assert (row.verbose_name, row.description) == ("First", "")
    assert row.schema_version == start + 1
    assert applied("Ticket").description == ""
    assert api.plan("Ticket").is_empty
    # Reloaded, the same save goes through.
    second.refresh_from_db()
    second.description = "Second"
    second.save()
    assert MetaModel.objects.get(pk=first.pk).schema_version == start + 2
    assert applied("Ticket").description == "Second"


def test_a_stale_save_of_a_trashed_type_does_not_bring_it_back():
    stale = ticket()
    api.delete_type("Ticket")
    version = MetaModel.objects.get(pk=stale.pk).schema_version
    stale.verbose_name = "Back?"
    with pytest.raises(pipeline.Conflict):
        stale.save()
    row = MetaModel.objects.get(pk=stale.pk)
    assert row.trashed_at is not None
    assert (row.verbose_name, row.schema_version) == ("", version)
    assert not applied("Ticket").is_active
    assert not MetaModel.objects.active().exists()


def test_a_stale_save_of_a_trashed_field_does_not_bring_it_back():
    ticket()
    api.add_field("Ticket", "size", "integer")
    stale = MetaField.objects.get(name="size")
    api.remove_field("Ticket", "size")
    version = MetaModel.objects.get(name="Ticket").schema_version
    stale.help = "How big"
    with pytest.raises(pipeline.Conflict):
        stale.save()
    row = MetaField.objects.get(pk=stale.pk)
    assert row.trashed_at is not None and row.help == ""
    assert MetaModel.objects.get(name="Ticket").schema_version == version
    assert [f.name for f in api.get_model("Ticket")._meta.fields] == ["id", "title"]


def test_two_saves_of_one_loaded_field_the_second_is_a_conflict():
    ticket()
    first = MetaField.objects.get(name="title")
    second = MetaField.objects.get(name="title")
    first.help = "Short"
    first.save()
    second.name = "heading"
    with pytest.raises(pipeline.Conflict):
        second.save()
    assert MetaField.objects.get(pk=first.pk).name == "title"
    assert [f.name for f in api.get_model("Ticket")._meta.fields] == ["id", "title"]
    assert applied("Ticket").active_fields[0].help_text == "Short"


def test_a_conflict_inside_a_transaction_leaves_the_transaction_usable():
    ticket()
    first = MetaModel.objects.get(name="Ticket")
    second = MetaModel.objects.get(name="Ticket")
    first.verbose_name = "First"
    first.save()
    with transaction.atomic():
        second.description = "Second"
        with pytest.raises(pipeline.Conflict):
            second.save()
        # The refused save undid only itself: the transaction goes on.
        assert MetaModel.objects.filter(name="Ticket", description="").exists()
        MetaField.objects.filter(name="title").update(help="Still usable")
    assert MetaField.objects.get(name="title").help == "Still usable"


def test_a_refused_save_leaves_the_instance_usable():
    stale = ticket()
    start = stale.schema_version
    stale.title_field = "nope"
    with pytest.raises(api.DefinitionError):
        stale.save()
    stale.title_field = "title"
    stale.save()
    assert MetaModel.objects.get(pk=stale.pk).schema_version == start + 1


def test_a_plain_save_never_writes_the_applied_state():
    stale = ticket()
    start = stale.schema_version
    stale.schema_version = 999
    stale.applied_spec = None
    stale.verbose_name = "Renamed label"
    stale.save()
    row = MetaModel.objects.get(pk=stale.pk)
    assert row.schema_version == start + 1
    assert applied("Ticket").verbose_name == "Renamed label"


# -- deleting through querysets ---------------------------------------------------


def test_queryset_delete_of_types_moves_them_to_the_trash(table_names):
    ticket()
    api.create_type("Note", [{"name": "text", "kind": "text"}])
    api.get_model("Note").objects.create(text="kept")
    table = MetaModel.objects.get(name="Note").table
    assert MetaModel.objects.filter(name__in=["Ticket", "Note"]).delete() == (
        2,
        {"dynamo_wagtail.MetaModel": 2},
    )
    assert MetaModel.objects.trashed().count() == 2
    assert MetaField.objects.filter(meta_model__name="Note").count() == 1
    assert table in connection.introspection.table_names()
    assert api.plan("Note").is_empty  # nothing pending, nothing destructive
    api.restore_type("Note")
    assert list(api.get_model("Note").objects.values_list("text", flat=True)) == ["kept"]


def test_queryset_delete_of_fields_moves_them_to_the_trash():
    ticket()
    api.add_field("Ticket", "size", "integer")
    api.get_model("Ticket").objects.create(title="a", size=3)
    meta_model = MetaModel.objects.get(name="Ticket")
    assert meta_model.fields.filter(name="size").delete()[0] == 1
    assert MetaField.objects.get(name="size").trashed_at is not None
    assert [f.name for f in api.get_model("Ticket")._meta.fields] == ["id", "title"]
    assert api.plan("Ticket").is_empty
    api.restore_field("Ticket", "size")
    assert list(api.get_model("Ticket").objects.values_list("size", flat=True)) == [3]


def test_remove_rows_deletes_the_rows_only():
    spec = ModelSpec.from_json(ticket().applied_spec)
    MetaModel.objects.filter(name="Ticket").remove_rows()
    assert not MetaModel.objects.exists() and not MetaField.objects.exists()
    with connection.cursor() as cursor:
        assert spec.table in connection.introspection.table_names(cursor)
    # The table is the test's to drop now: the cleanup only knows tables with a definition.
    context = applier.Context({spec.uid: spec})
    with connection.schema_editor(atomic=False) as editor:
        applier.apply_operation(editor, ops.DeleteType(spec, drop_table=True), spec, None, context)


# -- dumpdata / loaddata ----------------------------------------------------------


def test_entries_round_trip_through_dumpdata_and_loaddata(tmp_path):
    api.create_type("Tag", [{"name": "label", "kind": "char"}])
    api.create_type("Author", [{"name": "name", "kind": "char"}])
    api.create_type(
        "Book",
        [
            {"name": "title", "kind": "char"},
            {"name": "author", "kind": "foreign_key", "related_model": "Author"},
            {"name": "tags", "kind": "many_to_many", "related_model": "Tag"},
        ],
    )
    Tag, Author, Book = (api.get_model(n) for n in ("Tag", "Author", "Book"))
    red, blue = Tag.objects.create(label="red"), Tag.objects.create(label="blue")
    ada = Author.objects.create(name="Ada")
    book = Book.objects.create(title="Notes", author=ada)
    book.tags.set([red, blue])
    Book.objects.create(title="Loose", author=None)

    out = io.StringIO()
    call_command("dumpdata", "dynamo", stdout=out)
    dumped = json.loads(out.getvalue())
    assert sorted(item["model"] for item in dumped) == [
        "dynamo.author",
        "dynamo.book",
        "dynamo.book",
        "dynamo.tag",
        "dynamo.tag",
    ]
    one = io.StringIO()
    call_command("dumpdata", "dynamo.Book", stdout=one)
    assert {item["fields"]["title"] for item in json.loads(one.getvalue())} == {"Notes", "Loose"}

    fixture = tmp_path / "entries.json"
    fixture.write_text(out.getvalue())
    Book.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()
    call_command("loaddata", str(fixture), verbosity=0)

    book = Book.objects.get(title="Notes")
    assert book.author.name == "Ada"
    assert sorted(book.tags.values_list("label", flat=True)) == ["blue", "red"]
    assert Book.objects.get(title="Loose").author is None
    assert (Tag.objects.count(), Author.objects.count(), Book.objects.count()) == (2, 1, 2)
    # Definitions are not entries: dumping the runtime app leaves them out.
    assert not [i for i in dumped if i["model"].startswith("dynamo_wagtail.")]


def test_makemigrations_and_migrate_ignore_the_runtime_app_with_types_defined():
    ticket()
    permissions = sorted(
        Permission.objects.filter(content_type__app_label="dynamo").values_list(
            "codename", flat=True
        )
    )
    assert permissions == ["add_ticket", "change_ticket", "delete_ticket", "view_ticket"]
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    out = io.StringIO()
    call_command("migrate", verbosity=1, stdout=out)
    assert "dynamo" not in out.getvalue().replace("dynamo_wagtail", "")
    assert api.get_model("Ticket").objects.count() == 0
    # Django's post_migrate handlers now see the app: nothing duplicated, nothing missing.
    after = Permission.objects.filter(content_type__app_label="dynamo")
    assert sorted(after.values_list("codename", flat=True)) == permissions
    assert ContentType.objects.filter(app_label="dynamo").count() == 1


# -- the admin shows a conflict, never an error page ------------------------------


@pytest.mark.skipif(connection.vendor != "mysql", reason="the named lock is MariaDB/MySQL's")
def test_admin_delete_and_restore_show_a_conflict_while_another_change_runs(
    admin_client, monkeypatch
):
    meta_model = ticket()
    api.add_field("Ticket", "size", "integer")
    api.remove_field("Ticket", "size")
    field = MetaField.objects.get(name="size")
    version = MetaModel.objects.get(pk=meta_model.pk).schema_version
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT GET_LOCK('dynamo_wagtail_schema', 5)")
        monkeypatch.setattr(pipeline, "LOCK_TIMEOUT", 1)
        delete_url = reverse(MetaModel.snippet_viewset.get_url_name("delete"), args=[meta_model.pk])
        restore_url = reverse("dynamo_wagtail_trash_restore", args=["field", field.pk])
        for url in (delete_url, restore_url):
            response = admin_client.post(url, follow=True)
            assert response.status_code == 200
            assert "Another schema change" in response.content.decode()
    finally:
        other.close()
    row = MetaModel.objects.get(pk=meta_model.pk)
    assert row.trashed_at is None and row.schema_version == version
    assert MetaField.objects.get(pk=field.pk).trashed_at is not None
