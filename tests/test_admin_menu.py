"""Where a type shows in the admin: under Snippets or as its own menu item; its icon; labels.

Menu placement and order are plain type options: changing them runs no DDL, and the
admin menu follows at once (the type's viewset is registered again with the new spec).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from wagtail.admin.menu import admin_menu

from dynamo_wagtail import api
from dynamo_wagtail.definitions import build_spec
from dynamo_wagtail.models import MetaModel
from dynamo_wagtail.schema import operations as ops
from dynamo_wagtail.schema import planner
from dynamo_wagtail.spec import ModelSpec
from dynamo_wagtail.validation import icon_names
from tests.admin_utils import add_url, current_fields, edit_url, field, type_form

pytestmark = pytest.mark.usefixtures("dynamo")

DDL = re.compile(r"^\s*(CREATE|ALTER|DROP|RENAME)\b", re.I)
SIDEBAR = re.compile(
    r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', re.S
)


def _unpack(value: Any) -> Any:
    """Telepath's packing of repeated values ({"_val": ...}) undone (enough for labels)."""
    if isinstance(value, dict):
        if "_val" in value:
            return _unpack(value["_val"])
        return {k: _unpack(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unpack(v) for v in value]
    return value


def main_menu(client: Any) -> list[dict[str, Any]]:
    """The top-level items of the sidebar's main menu, in order (on the content type list)."""
    page = client.get(reverse("wagtailsnippets_dynamo_wagtail_metamodel:list")).content.decode()
    match = SIDEBAR.search(page)
    assert match, page[:2000]
    modules = _unpack(json.loads(match.group(1)))["modules"]
    (menu,) = [m for m in modules if m["_type"] == "wagtail.sidebar.MainMenuModule"]
    return [item["_args"][0] for item in menu["_args"][0]]


def menu_order_of(client: Any, name: str) -> int:
    request = RequestFactory().get("/admin/")
    request.user = client.user
    (item,) = [i for i in admin_menu.menu_items_for_request(request) if i.name == name]
    return item.order


def snippets_index(client: Any) -> str:
    """The Snippets index (empty when no snippet is under Snippets: it redirects home)."""
    response = client.get("/admin/snippets/")
    if response.status_code == 302:
        assert "snippets" not in [item["name"] for item in main_menu(client)]
        return ""
    assert response.status_code == 200
    return response.content.decode()


@contextmanager
def no_ddl() -> Iterator[None]:
    statements: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield
    assert [s for s in statements if DDL.match(s)] == []


def make_book(**options: Any) -> MetaModel:
    return api.create_type(
        "Book",
        [{"name": "title", "kind": "char"}],
        verbose_name="book",
        verbose_name_plural="books",
        title_field="title",
        **options,
    )


def test_own_menu_item_with_its_order_and_back_under_snippets_without_ddl(admin_client):
    make_book()
    names = [item["name"] for item in main_menu(admin_client)]
    assert "dynamo-book" not in names
    assert "Books" in snippets_index(admin_client)

    version = MetaModel.objects.get(name="Book").schema_version
    with no_ddl():
        plan = api.alter_type("Book", add_to_admin_menu=True, menu_order=150)
    assert [type(op) for op in plan.operations] == [ops.AlterTypeOptions]
    menu = main_menu(admin_client)
    names = [item["name"] for item in menu]
    (book,) = [item for item in menu if item["name"] == "dynamo-book"]
    assert book["label"] == "Books"
    assert book["url"] == "/admin/snippets/dynamo/book/"
    # Order 150: after Pages (100), before Images (300).
    assert names.index("explorer") < names.index("dynamo-book") < names.index("images")
    assert menu_order_of(admin_client, "dynamo-book") == 150
    assert "Books" not in snippets_index(admin_client)
    assert admin_client.get("/admin/snippets/dynamo/book/").status_code == 200

    with no_ddl():
        plan = api.alter_type("Book", menu_order=5000)
    assert [type(op) for op in plan.operations] == [ops.AlterTypeOptions]
    assert menu_order_of(admin_client, "dynamo-book") == 5000
    names = [item["name"] for item in main_menu(admin_client)]
    assert names.index("documents") < names.index("dynamo-book") < names.index("reports")

    with no_ddl():
        plan = api.alter_type("Book", add_to_admin_menu=False)
    assert [type(op) for op in plan.operations] == [ops.AlterTypeOptions]
    assert "dynamo-book" not in [item["name"] for item in main_menu(admin_client)]
    assert "Books" in snippets_index(admin_client)
    # Plain type options: the version moves on (every process follows), no table changed.
    assert MetaModel.objects.get(name="Book").schema_version == version + 3


def test_the_form_moves_a_type_to_its_own_menu_item_and_back(admin_client):
    meta_model = make_book()
    blocks = current_fields(meta_model)

    def post(**options: Any) -> None:
        meta_model.refresh_from_db()
        data = type_form(
            blocks,
            expected_version=meta_model.schema_version,
            name="Book",
            verbose_name="book",
            verbose_name_plural="books",
            title_field="title",
            **options,
        )
        with no_ddl():
            response = admin_client.post(edit_url(meta_model), data)
        assert response.status_code == 302, response.content.decode()[:3000]

    post(add_to_admin_menu=True, menu_order="150")
    meta_model.refresh_from_db()
    assert (meta_model.add_to_admin_menu, meta_model.menu_order) == (True, 150)
    assert menu_order_of(admin_client, "dynamo-book") == 150
    assert "Books" not in snippets_index(admin_client)
    post(add_to_admin_menu=False, menu_order="")
    meta_model.refresh_from_db()
    assert (meta_model.add_to_admin_menu, meta_model.menu_order) == (False, None)
    assert "dynamo-book" not in [item["name"] for item in main_menu(admin_client)]
    assert "Books" in snippets_index(admin_client)


BAD_OPTIONS = [
    ("menu_order-text", {"menu_order": "first"}, "menu_order"),
    ("menu_order-negative", {"menu_order": -1}, "menu_order"),
    ("menu_order-bool", {"menu_order": True}, "menu_order"),
    ("menu_order-fraction", {"menu_order": 1.5}, "menu_order"),
    ("menu_order-huge", {"menu_order": 10**20}, "menu_order"),
    ("add_to_admin_menu-yes", {"add_to_admin_menu": "yes"}, "add_to_admin_menu"),
    ("icon-unknown", {"icon": "no-such-icon"}, "icon"),
]


def _stored(meta_model: MetaModel) -> tuple:
    row = MetaModel.objects.get(pk=meta_model.pk)
    return (row.revision, row.schema_version, row.icon, row.menu_order, row.add_to_admin_menu)


@pytest.mark.parametrize(("label", "options", "key"), BAD_OPTIONS, ids=[c[0] for c in BAD_OPTIONS])
def test_bad_menu_options_and_unknown_icons_are_refused_by_the_api(label, options, key):
    meta_model = make_book(add_to_admin_menu=True, menu_order=10, icon="doc-full")
    before = _stored(meta_model)
    with pytest.raises(api.DefinitionError) as caught:
        api.alter_type("Book", **options)
    assert list(caught.value.message_dict) == [key]
    (message,) = caught.value.message_dict[key]
    assert key in message or "icon" in message
    assert _stored(meta_model) == before
    with pytest.raises(api.DefinitionError) as caught:
        api.create_type("Other", [{"name": "title", "kind": "char"}], **options)
    assert list(caught.value.message_dict) == [key]
    assert not MetaModel.objects.filter(name="Other").exists()


def test_an_unknown_icon_gets_a_clear_message():
    with pytest.raises(api.DefinitionError) as caught:
        make_book(icon="no-such-icon")
    (message,) = caught.value.message_dict["icon"]
    assert "Unknown icon 'no-such-icon'" in message
    assert not MetaModel.objects.exists()


@pytest.mark.parametrize(
    ("options", "key", "message"),
    [
        ({"menu_order": "first"}, "menu_order", "Enter a whole number."),
        ({"menu_order": "-3"}, "menu_order", "greater than or equal to 0"),
        ({"icon": "no-such-icon"}, "icon", "Unknown icon 'no-such-icon'"),
    ],
    ids=["menu_order-text", "menu_order-negative", "icon-unknown"],
)
def test_bad_menu_options_and_unknown_icons_are_refused_by_the_form(
    admin_client, options, key, message
):
    meta_model = make_book(add_to_admin_menu=True, menu_order=10, icon="doc-full")
    meta_model.refresh_from_db()
    before = _stored(meta_model)
    data = type_form(
        current_fields(meta_model),
        expected_version=meta_model.schema_version,
        name="Book",
        title_field="title",
        **{"add_to_admin_menu": True, "menu_order": "10", "icon": "doc-full", **options},
    )
    response = admin_client.post(edit_url(meta_model), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [key], errors
    assert any(message in e for e in errors[key]), errors
    assert message in response.content.decode().replace("&#x27;", "'")
    assert _stored(meta_model) == before
    # A new type is refused the same way, and nothing is written.
    response = admin_client.post(
        add_url(), type_form([field("char", "title", max_length="100")], name="Other", **options)
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [key]
    assert not MetaModel.objects.filter(name="Other").exists()


def test_the_icon_is_chosen_from_wagtails_icons_with_a_preview(admin_client):
    meta_model = make_book(icon="doc-full")
    page = admin_client.get(edit_url(meta_model)).content.decode()
    names = icon_names()
    assert {"snippet", "date", "doc-full", "user"} <= set(names)
    # The page carries a select of the chosen icon and every name once; icon-select.js
    # turns them into radios, each with its icon (from Wagtail's sprite) before its name.
    select = re.search(
        r'<div class="dynamo-icon-select" data-controller="dynamo-icon-select"'
        r' data-dynamo-icon-select-names-value="([^"]*)">'
        r'<select name="icon" id="id_icon">(.*?)</select></div>',
        page,
    )
    assert select, "no icon select"
    assert select.group(1).split(" ") == list(names)
    assert re.findall(r"<option selected>([^<]+)</option>", select.group(2)) == ["doc-full"]
    assert "dynamo_wagtail/js/icon-select.js" in page
    assert "dynamo_wagtail/css/type-form.css" in page  # the grid's styles
    # The panel's client-side definition does not carry the options a second time.
    handler = re.search(r'<script id="w-edit-handler-data"[^>]*>(.*?)</script>', page, re.S)
    assert handler and "doc-full" not in handler.group(1)
    assert 'data-controller="dynamo-icon-select"' in admin_client.get(add_url()).content.decode()


def test_labels_have_one_casing_everywhere(admin_client):
    response = admin_client.post(
        add_url(),
        type_form(
            [field("char", "title", max_length="100")],
            name="Book",
            verbose_name="book",
            verbose_name_plural="books",
            title_field="title",
        ),
        follow=True,
    )
    assert response.status_code == 200
    meta_model = MetaModel.objects.get(name="Book")
    assert (str(meta_model), meta_model.label, meta_model.plural_label) == ("Book", "Book", "Books")
    # The success message.
    messages = [html.unescape(str(m)) for m in response.context["messages"]]
    assert any(m.startswith("Content type 'Book' saved") for m in messages), messages

    def cells(html: str) -> list[str]:
        text = re.sub(r"<[^>]+>", "\n", html)
        return [line.strip() for line in text.splitlines() if line.strip()]

    # The content type listing: label and plural label.
    listing = cells(
        admin_client.get(reverse("wagtailsnippets_dynamo_wagtail_metamodel:list")).content.decode()
    )
    assert "Book" in listing and "Books" in listing
    assert "book" not in listing and "books" not in listing
    # The builder heading.
    edit = admin_client.get(edit_url(meta_model)).content.decode()
    (heading,) = re.findall(r'<h2[^>]*id="header-title"[^>]*>(.*?)</h2>', edit, re.S)
    assert "Book" in cells(heading), heading
    assert "book" not in cells(heading)
    # The content type chooser.
    chooser = MetaModel.snippet_viewset.chooser_viewset
    results = cells(
        admin_client.get(reverse(chooser.get_url_name("choose_results"))).content.decode()
    )
    assert "Book" in results and "book" not in results
    # The snippets menu and index: the plural label.
    index = cells(snippets_index(admin_client))
    assert "Books" in index and "books" not in index
    # As its own menu item: the plural label as well.
    api.alter_type("Book", add_to_admin_menu=True)
    (item,) = [i for i in main_menu(admin_client) if i["name"] == "dynamo-book"]
    assert item["label"] == "Books"
    # The message of a change.
    meta_model.refresh_from_db()
    response = admin_client.post(
        edit_url(meta_model),
        type_form(
            current_fields(meta_model),
            expected_version=meta_model.schema_version,
            name="Book",
            verbose_name="book",
            verbose_name_plural="books",
            title_field="title",
            description="Printed.",
        ),
        follow=True,
    )
    messages = [html.unescape(str(m)) for m in response.context["messages"]]
    assert any(m.startswith("Content type 'Book' saved") for m in messages), messages


def test_labels_without_a_plural_follow_djangos_default():
    meta_model = api.create_type(
        "Lamp", [{"name": "title", "kind": "char"}], verbose_name="desk lamp"
    )
    assert (meta_model.label, meta_model.plural_label) == ("Desk lamp", "Desk lamps")
    assert api.get_model("Lamp").snippet_viewset.menu_label == "Desk lamps"
    bare = api.create_type("Chair", [{"name": "title", "kind": "char"}])
    assert (str(bare), bare.plural_label) == ("Chair", "Chairs")
    assert api.get_model("Chair").snippet_viewset.menu_label == "Chairs"


def test_menu_options_are_exported_and_imported():
    make_book(add_to_admin_menu=True, menu_order=150, icon="doc-full")
    data = api.export_schema()
    (entry,) = data["types"]
    assert (entry["add_to_admin_menu"], entry["menu_order"], entry["icon"]) == (
        True,
        150,
        "doc-full",
    )
    api.alter_type("Book", add_to_admin_menu=False, menu_order=None, icon="date")
    with no_ddl():
        (plan,) = api.import_schema(data)
    assert [type(op) for op in plan.operations] == [ops.AlterTypeOptions]
    viewset = api.get_model("Book").snippet_viewset
    assert (viewset.add_to_admin_menu, viewset.menu_order, viewset.icon) == (True, 150, "doc-full")


def test_types_applied_before_the_menu_options_have_nothing_pending() -> None:
    meta_model = api.create_type("Old", [{"name": "title", "kind": "char"}])
    meta_model.refresh_from_db()
    # The applied spec as a version without the menu options stored it.
    applied = ModelSpec.from_json(meta_model.applied_spec)
    new_keys = ("add_to_admin_menu", "menu_order")
    before = replace(applied, options=tuple(o for o in applied.options if o[0] not in new_keys))
    assert planner.diff(before, build_spec(meta_model)).is_empty
    switched = replace(before, options=(*before.options, ("add_to_admin_menu", True)))
    assert not planner.diff(before, switched).is_empty
