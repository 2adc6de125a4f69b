"""Defining types in the admin: the builder form, review page, trash, conflicts, audit log."""

from __future__ import annotations

import html

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import ModelLogEntry

from dynamo_wagtail import api
from dynamo_wagtail.admin.block_fields import NOT_SENT
from dynamo_wagtail.models import MetaField, MetaModel
from tests.admin_utils import add_url, current_fields, edit_url, field, type_form

pytestmark = pytest.mark.usefixtures("dynamo")


def create_product(admin_client) -> MetaModel:
    response = admin_client.post(
        add_url(),
        type_form(
            [
                field("char", "title", verbose_name="Title", required=True, max_length="100"),
                field("integer", "stock"),
            ],
            name="Product",
            verbose_name="product",
            verbose_name_plural="products",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return MetaModel.objects.get(name="Product")


def test_a_type_defined_in_the_builder_gets_a_table_and_a_log_entry(admin_client):
    meta_model = create_product(admin_client)
    Product = api.get_model("Product")
    assert [f.name for f in Product._meta.fields] == ["id", "title", "stock"]
    assert Product._meta.get_field("title").max_length == 100
    entry = ModelLogEntry.objects.get(action="dynamo_wagtail.schema_change")
    assert entry.object_id == str(meta_model.pk)
    assert "Create content type Product" in entry.message
    # The builder shows the fields with their ids (= field ids).
    page = admin_client.get(edit_url(meta_model)).content.decode()
    for uid in meta_model.fields.values_list("uid", flat=True):
        assert str(uid) in page


def test_rename_and_reorder_in_the_builder_keep_values(admin_client):
    meta_model = create_product(admin_client)
    api.get_model("Product").objects.create(title="Lamp", stock=3)
    blocks = current_fields(meta_model)
    blocks[0][1]["name"] = "name"  # rename title → name
    blocks.reverse()  # and reorder
    response = admin_client.post(
        edit_url(meta_model),
        type_form(blocks, expected_version=meta_model.schema_version + 0, name="Product"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    Product = api.get_model("Product")
    assert list(Product.objects.values_list("name", "stock")) == [("Lamp", 3)]
    assert [f.name for f in Product._meta.fields] == ["id", "stock", "name"]


def test_bad_names_show_on_the_block_and_nothing_is_written(admin_client):
    response = admin_client.post(
        add_url(),
        type_form([field("char", "class", max_length="10")], name="Thing"),
    )
    assert response.status_code == 200
    assert "is a Python keyword" in response.content.decode()
    assert not MetaModel.objects.filter(name="Thing").exists()
    assert not MetaField.objects.exists()


def test_deleting_a_field_goes_through_review_then_trash_and_restore(admin_client):
    meta_model = create_product(admin_client)
    api.get_model("Product").objects.create(title="Lamp", stock=7)
    meta_model.refresh_from_db()
    blocks = [b for b in current_fields(meta_model) if b[1]["name"] != "stock"]
    data = type_form(blocks, expected_version=meta_model.schema_version, name="Product")

    # Removing a field moves it to the trash: the review page first, then applied.
    review = admin_client.post(edit_url(meta_model), data)
    assert review.status_code == 200
    page = review.content.decode()
    assert "data-dynamo-review" in page and "Move field stock to the trash" in page
    assert "stock" in [f.name for f in api.get_model("Product")._meta.fields]  # not yet
    response = admin_client.post(edit_url(meta_model), {**data, "dynamo_confirm": "1"})
    assert response.status_code == 302
    assert "stock" not in [f.name for f in api.get_model("Product")._meta.fields]
    trashed = MetaField.objects.get(name="stock")
    assert trashed.trashed_at is not None

    trash = admin_client.get(reverse("dynamo_wagtail_trash")).content.decode()
    assert "stock" in trash
    response = admin_client.post(
        reverse("dynamo_wagtail_trash_restore", args=["field", trashed.pk])
    )
    assert response.status_code == 302
    assert list(api.get_model("Product").objects.values_list("stock", flat=True)) == [7]


def test_narrowing_a_field_shows_the_review_page_and_applies_on_confirm(admin_client):
    meta_model = create_product(admin_client)
    api.get_model("Product").objects.create(title="Lamp", stock=1)
    meta_model.refresh_from_db()
    blocks = current_fields(meta_model)
    blocks[0][1]["max_length"] = "50"
    data = type_form(blocks, expected_version=meta_model.schema_version, name="Product")

    review = admin_client.post(edit_url(meta_model), data)
    assert review.status_code == 200
    page = review.content.decode()
    assert "data-dynamo-review" in page and "Change field title: max_length 100 → 50" in page
    assert api.get_model("Product")._meta.get_field("title").max_length == 100  # not yet

    confirmed = admin_client.post(edit_url(meta_model), {**data, "dynamo_confirm": "1"})
    assert confirmed.status_code == 302
    assert api.get_model("Product")._meta.get_field("title").max_length == 50


def test_a_type_change_refused_for_rows_shows_the_report_on_the_block(admin_client):
    meta_model = create_product(admin_client)
    api.get_model("Product").objects.create(title="abc", stock=1)
    meta_model.refresh_from_db()
    blocks = current_fields(meta_model)
    blocks[0][1]["convert_to"] = "integer"
    data = type_form(blocks, expected_version=meta_model.schema_version, name="Product")
    response = admin_client.post(edit_url(meta_model), {**data, "dynamo_confirm": "1"})
    assert response.status_code == 200
    assert "cannot be converted from char to integer" in response.content.decode()
    assert api.get_model("Product")._meta.get_field("title").get_internal_type() == "CharField"


def test_a_stale_form_gets_a_conflict_message_and_keeps_the_input(admin_client):
    meta_model = create_product(admin_client)
    meta_model.refresh_from_db()
    opened_at = meta_model.schema_version
    api.add_field("Product", "colour", "char")  # someone else, meanwhile
    blocks = current_fields(meta_model)
    blocks[0][1]["verbose_name"] = "My new label"
    response = admin_client.post(
        edit_url(meta_model), type_form(blocks, expected_version=opened_at, name="Product")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "after you opened it" in page
    assert "My new label" in page
    assert MetaField.objects.get(name="title").verbose_name == "Title"


def test_only_schema_permissions_open_the_builder(client, django_user_model):
    editor = django_user_model.objects.create_user("editor", "e@example.com", "pw")
    group = Group.objects.create(name="Content editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(group)
    client.force_login(editor)
    assert client.get(add_url()).status_code in (302, 403)
    assert client.get(reverse("dynamo_wagtail_trash")).status_code in (302, 403)
    assert "Content types" not in client.get(reverse("wagtailadmin_home")).content.decode()
    group.permissions.add(
        *Permission.objects.filter(
            codename__in=["add_metamodel", "change_metamodel", "view_metamodel"]
        )
    )
    editor = django_user_model.objects.get(pk=editor.pk)
    client.force_login(editor)
    assert client.get(add_url()).status_code == 200
    assert client.get(reverse("dynamo_wagtail_trash")).status_code == 200


def test_success_message_history_and_field_listing(admin_client):
    meta_model = create_product(admin_client)
    response = admin_client.get(reverse("wagtailsnippets_dynamo_wagtail_metamodel:list"))
    messages = [str(m) for m in response.context["messages"]]
    assert any("Create content type Product with 2 field(s)" in m for m in messages), messages

    history = admin_client.get(
        reverse("wagtailsnippets_dynamo_wagtail_metamodel:history", args=[meta_model.pk])
    )
    assert history.status_code == 200
    assert "Schema changed: Create content type Product" in history.content.decode()

    api.create_type("Shop", [{"name": "city", "kind": "char"}])
    fields = reverse("wagtailsnippets_dynamo_wagtail_metafield:list")

    def rows(**query):
        page = admin_client.get(fields, query).content.decode()
        return page.split('<table class="listing')[1].split("</table>")[0]

    def shown(listing, name):
        return f"/inspect/{MetaField.objects.get(name=name).pk}/" in listing

    listing = rows(type="integer")
    assert shown(listing, "stock") and not shown(listing, "title")
    assert not shown(listing, "city")
    listing = rows(meta_model=MetaModel.objects.get(name="Shop").pk)
    assert shown(listing, "city") and not shown(listing, "stock")
    stock = MetaField.objects.get(name="stock")
    inspect = admin_client.get(
        reverse("wagtailsnippets_dynamo_wagtail_metafield:inspect", args=[stock.pk])
    )
    assert inspect.status_code == 200 and "integer" in inspect.content.decode()
    assert "/edit/" not in listing  # fields change in the builder only


def test_trashed_types_are_not_offered_in_the_chooser_or_the_field_filter(admin_client):
    api.create_type("Shop", [{"name": "city", "kind": "char"}])
    api.create_type("Gone", [{"name": "note", "kind": "char"}])
    api.delete_type("Gone")
    kept, trashed = (MetaModel.objects.get(name=name).pk for name in ("Shop", "Gone"))

    chooser = MetaModel.snippet_viewset.chooser_viewset
    modal = admin_client.get(reverse(chooser.get_url_name("choose"))).json()["html"]
    results = admin_client.get(reverse(chooser.get_url_name("choose_results"))).content.decode()
    for text in (modal, results):
        assert "Shop" in text and "Gone" not in text

    page = admin_client.get(reverse("wagtailsnippets_dynamo_wagtail_metafield:list"))
    choices = [str(value) for value, _ in page.context["filters"].form.fields["meta_model"].choices]
    assert str(kept) in choices and str(trashed) not in choices


@pytest.mark.parametrize("page", ["edit", "layout"])
def test_a_post_without_the_block_data_is_a_form_error_not_a_server_error(admin_client, page):
    meta_model = api.create_type("Product", [{"name": "title", "kind": "char"}])
    meta_model.refresh_from_db()
    url = reverse(f"wagtailsnippets_dynamo_wagtail_metamodel:{page}", args=[meta_model.pk])
    posted = {"name": "Product", "expected_version": str(meta_model.schema_version)}
    for data in (posted, {**posted, "field_definitions-count": "x", "layout-count": "2"}):
        response = admin_client.post(url, data)
        assert response.status_code == 200
        assert NOT_SENT in html.unescape(response.content.decode())
    meta_model.refresh_from_db()
    assert [f.name for f in meta_model.fields.all()] == ["title"]
