"""The layout of a type's editing form: tabs, sections and rows as Wagtail panels, part of
the definition (exported, imported, following renames) and never a schema change."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    PublishingPanel,
    TabbedInterface,
)

from dynamo_wagtail import api
from tests.admin_utils import edit_url, layout_form
from tests.test_admin_menu import no_ddl

pytestmark = pytest.mark.usefixtures("dynamo")

FIELDS = [
    {"name": "title", "kind": "char"},
    {"name": "price", "kind": "integer"},
    {"name": "currency", "kind": "char"},
    {"name": "description", "kind": "text"},
    {"name": "weight", "kind": "integer"},
    {"name": "notes", "kind": "text"},
]
LAYOUT = [
    {
        "tab": "Product",
        "items": [
            "title",
            {"row": ["price", "currency"]},
            {"section": "Details", "collapsed": True, "items": ["description"]},
        ],
    },
    {"tab": "Shipping", "items": ["weight"]},
]


def shape(panel) -> object:
    """A panel tree as plain data: (class name, heading or field, children)."""
    if isinstance(panel, FieldPanel):
        return panel.field_name
    if isinstance(panel, PublishingPanel):
        return "publishing"
    children = [shape(child) for child in panel.children]
    if isinstance(panel, FieldRowPanel):
        return ("row", children)
    if isinstance(panel, MultiFieldPanel):
        return ("section", panel.heading, "collapsed" in panel.classname, children)
    return (type(panel).__name__, panel.heading, children)


def handler(name: str):
    """The edit handler of the type's registered snippet viewset."""
    return api.get_model(name).snippet_viewset.edit_handler


def test_a_layout_becomes_tabs_sections_and_rows() -> None:
    api.create_type("Product", FIELDS, layout=LAYOUT, revisions=True, drafts=True)
    edit = handler("Product")
    assert isinstance(edit, TabbedInterface)
    assert shape(edit) == (
        "TabbedInterface",
        "",
        [
            (
                "ObjectList",
                "Product",
                [
                    "title",
                    ("row", ["price", "currency"]),
                    ("section", "Details", True, ["description"]),
                    "notes",  # left out by the layout: follows in the first tab
                    "publishing",
                ],
            ),
            ("ObjectList", "Shipping", ["weight"]),
        ],
    )


def test_without_a_layout_the_form_stays_one_list() -> None:
    api.create_type("Product", FIELDS)
    edit = handler("Product")
    assert isinstance(edit, ObjectList) and not isinstance(edit, TabbedInterface)
    assert shape(edit)[2] == [f["name"] for f in FIELDS]


def test_changing_the_layout_runs_no_ddl_and_follows_renames_and_removals() -> None:
    meta_model = api.create_type("Product", FIELDS)
    with no_ddl():
        plan = api.alter_type("Product", layout=LAYOUT)
    assert [type(op).__name__ for op in plan.operations] == ["AlterTypeOptions"]
    api.rename_field("Product", "price", "amount")
    api.remove_field("Product", "currency", confirm=True)
    meta_model.refresh_from_db()
    assert meta_model.layout[0]["items"][1] == "amount"  # a row left with one field
    assert shape(handler("Product"))[2][0][2][:2] == ["title", "amount"]


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ("tabs", "Give the layout as a list of tabs."),
        ([{"items": ["title"]}], "Tab 1: give a heading"),
        ([{"tab": "A", "items": ["colour"]}], "Unknown field 'colour'."),
        ([{"tab": "A", "items": ["title"]}, {"tab": "B", "items": ["title"]}], "more than once"),
        ([{"tab": "A", "items": [{"row": ["title"]}]}], "a row holds 2 to 4 fields"),
        (
            [{"tab": "A", "items": [{"section": "S", "items": [{"section": "T", "items": []}]}]}],
            "none of fields and rows",
        ),
        ([{"tab": "A", "items": []}, {"tab": "a", "items": []}], "Two tabs have one heading."),
        ([{"tab": "A", "items": [{"section": "S", "collapsed": "yes"}]}], "true or false"),
    ],
)
def test_a_bad_layout_is_refused_on_the_layout(layout, message) -> None:
    api.create_type("Product", FIELDS)
    with pytest.raises(api.DefinitionError) as caught:
        api.alter_type("Product", layout=layout)
    assert message in " ".join(caught.value.type_errors["layout"]), caught.value.type_errors
    assert api.get_type("Product").layout == []


def test_the_layout_is_exported_and_imported() -> None:
    api.create_type("Product", FIELDS, layout=LAYOUT)
    data = api.export_schema()
    (exported,) = data["types"]
    assert exported["layout"] == LAYOUT
    api.alter_type("Product", layout=[])
    api.import_schema(data)
    assert api.get_type("Product").layout == LAYOUT


def layout_url(meta_model) -> str:
    return reverse("wagtailsnippets_dynamo_wagtail_metamodel:layout", args=[meta_model.pk])


def test_the_layout_is_edited_on_its_own_page_and_shapes_the_entry_form(admin_client) -> None:
    meta_model = api.create_type("Product", FIELDS)
    meta_model.refresh_from_db()
    # The type's page links to the layout's; the builder's page carries no layout editor.
    builder_page = admin_client.get(edit_url(meta_model)).content.decode()
    assert layout_url(meta_model) in builder_page
    assert 'name="layout-count"' not in builder_page
    data = {**layout_form(LAYOUT), "expected_version": str(meta_model.schema_version)}
    response = admin_client.post(layout_url(meta_model), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == edit_url(meta_model)
    meta_model.refresh_from_db()
    assert meta_model.layout == LAYOUT
    # The layout's page shows it again; the entry form has the tabs and the section.
    assert "Shipping" in admin_client.get(layout_url(meta_model)).content.decode()
    page = admin_client.get("/admin/snippets/dynamo/product/add/").content.decode()
    assert 'role="tablist"' in page and "Shipping" in page and "Details" in page
    created = admin_client.post(
        "/admin/snippets/dynamo/product/add/", {"title": "Lamp", "price": "3", "weight": "2"}
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    # A bad layout shows on the layout; nothing changes.
    meta_model.refresh_from_db()
    bad = {
        **layout_form([{"tab": "A", "items": ["colour"]}]),
        "expected_version": str(meta_model.schema_version),
    }
    refused = admin_client.post(layout_url(meta_model), bad)
    assert refused.status_code == 200
    # A field is chosen from the type's fields: another name is refused on its block.
    assert "colour is not one of the available choices" in html.unescape(refused.content.decode())
    meta_model.refresh_from_db()
    assert meta_model.layout == LAYOUT
    # A layout page opened before another change of the type is refused.
    api.add_field("Product", "colour", "char")
    stale = admin_client.post(layout_url(meta_model), data)
    assert stale.status_code == 200
    assert "after you opened it" in stale.content.decode()
