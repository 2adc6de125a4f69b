"""The ``stream`` kind: a StreamField body whose blocks are chosen in the definition."""

from __future__ import annotations

import io
import json
from io import BytesIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.models import Revision

from dynamo_wagtail import api, rendering
from dynamo_wagtail.contrib.pages.forms import public_field_names
from dynamo_wagtail.errors import ConfirmationRequired, DefinitionError
from dynamo_wagtail.models import MetaModel

pytestmark = pytest.mark.usefixtures("dynamo")

BODY = [
    {"type": "heading", "value": "Made to last"},
    {"type": "paragraph", "value": "<p>Solid <b>oak</b>.</p>"},
    {"type": "quote", "value": {"quote": "Best lamp.", "attribution": "Ann"}},
]


def make_product(**options):
    return api.create_type(
        "Product",
        [
            {"name": "title", "kind": "char", "required": True},
            {
                "name": "body",
                "kind": "stream",
                "options": {"blocks": ["heading", "paragraph", "quote"], **options},
            },
        ],
        title_field="title",
    )


def ddl(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("ALTER", "CREATE", "DROP"))
    ]


def test_a_stream_field_stores_blocks_and_renders_them():
    make_product()
    Product = api.get_model("Product")
    lamp = Product.objects.create(title="Lamp", body=json.dumps(BODY))
    lamp.refresh_from_db()
    assert [b.block_type for b in lamp.body] == ["heading", "paragraph", "quote"]
    assert lamp.body[0].value == "Made to last"
    html = Template("{% load wagtailcore_tags %}{% include_block entry.body %}").render(
        Context({"entry": lamp})
    )
    assert '<h2 class="dynamo-heading">Made to last</h2>' in html
    assert "<b>oak</b>" in html and "<footer>Ann</footer>" in html
    (body,) = [f for f in rendering.entry_fields(lamp) if f.name == "body"]
    assert '<h2 class="dynamo-heading">Made to last</h2>' in str(body.html)


def test_changing_the_blocks_runs_no_ddl_and_taking_one_away_is_impact_to_confirm():
    meta_model = make_product()
    Product = api.get_model("Product")
    Product.objects.create(title="Lamp", body=json.dumps(BODY))
    plain = Product.objects.create(title="Mug", body=json.dumps(BODY[:1]))
    with CaptureQueriesContext(connection) as queries:
        api.alter_field(
            "Product", "body", options={"blocks": ["heading", "paragraph", "quote", "image"]}
        )
    assert ddl(queries.captured_queries) == []
    with pytest.raises(ConfirmationRequired) as caught:
        api.alter_field("Product", "body", options={"blocks": ["heading", "paragraph"]})
    assert "1 entry (e.g. id" in caught.value.plan.describe()
    assert "use the blocks taken away (quote, image)" in caught.value.plan.describe()
    with CaptureQueriesContext(connection) as queries:
        api.alter_field(
            "Product", "body", options={"blocks": ["heading", "paragraph"]}, confirm=True
        )
    assert ddl(queries.captured_queries) == []
    Product = api.get_model("Product")
    lamp = Product.objects.get(title="Lamp")
    assert [b.block_type for b in lamp.body] == ["heading", "paragraph"]
    # The value is kept in the column: the block shows again when it is offered again.
    api.alter_field("Product", "body", options={"blocks": ["heading", "paragraph", "quote"]})
    lamp = api.get_model("Product").objects.get(title="Lamp")
    assert [b.block_type for b in lamp.body] == ["heading", "paragraph", "quote"]
    assert plain.pk and meta_model.pk


@pytest.mark.parametrize(
    ("options", "where", "text"),
    [
        ({"blocks": ["heading", "drop_table"]}, "body.blocks", "Unknown blocks: drop_table"),
        ({"blocks": "heading"}, "body.blocks", "list of names"),
        ({"min_num": 3, "max_num": 1}, "body.max_num", "below the minimum"),
        ({"min_num": -1}, "body.min_num", "0 or more"),
        ({"block_counts": [{"block": "image"}]}, "body.block_counts", "not a block of this"),
        ({"block_counts": [{"block": "quote", "sql": 1}]}, "body.block_counts", "Unknown keys"),
        ({"features": ["bold", "<script>"]}, "body.features", "Unknown rich text features"),
    ],
)
def test_hostile_stream_options_are_refused_on_the_option(options, where, text):
    with pytest.raises(DefinitionError) as caught:
        make_product(**options)
    assert any(text in m for m in caught.value.message_dict[where]), caught.value.message_dict
    assert not MetaModel.objects.filter(name="Product").exists()


def body_errors(response) -> list[str]:
    """The messages the entry form shows on the stream as a whole."""
    (error,) = response.context["form"].errors.as_data()["body"]
    return [m for e in error.non_block_errors.as_data() for m in e.messages]


def test_block_counts_and_limits_are_enforced_by_the_entry_form(admin_client):
    make_product(max_num=2, block_counts=[{"block": "heading", "max_num": 1}])
    Product = api.get_model("Product")
    block = Product._meta.get_field("body").stream_block
    assert block.meta.max_num == 2 and block.meta.block_counts == {"heading": {"max_num": 1}}
    add = entry_url(Product, "add")
    two_headings = admin_client.post(
        add, {"title": "Lamp", **body_form([("heading", "A"), ("heading", "B")])}
    )
    assert two_headings.status_code == 200
    assert body_errors(two_headings) == ["Heading: The maximum number of items is 1"]
    three = admin_client.post(
        add,
        {
            "title": "Lamp",
            **body_form([("heading", "A"), ("quote", {"quote": "Q"}), ("heading", "B")]),
        },
    )
    assert three.status_code == 200
    assert "The maximum number of items is 2" in body_errors(three)
    assert not Product.objects.exists()
    created = admin_client.post(
        add, {"title": "Lamp", **body_form([("heading", "A"), ("quote", {"quote": "Q"})])}
    )
    assert created.status_code == 302
    assert [b.block_type for b in Product.objects.get().body] == ["heading", "quote"]


def test_a_stream_is_no_title_listing_column_or_sort_field_and_converts_to_nothing():
    make_product()
    for option, value in (
        ("title_field", "body"),
        ("listing_columns", ["body"]),
        ("ordering", ["body"]),
    ):
        with pytest.raises(DefinitionError) as caught:
            api.alter_type("Product", **{option: value})
        assert "holds more than one value" in caught.value.message_dict[option][0]
    with pytest.raises(DefinitionError) as caught:
        api.alter_field("Product", "body", kind="text", options={}, confirm=True)
    assert "body.type" in caught.value.message_dict


#: A paragraph as Wagtail's rich text editor posts it (Draftail's content state).
PARAGRAPH = json.dumps(
    {
        "blocks": [
            {
                "key": "a1b2c",
                "text": "Turns down low.",
                "type": "unstyled",
                "depth": 0,
                "inlineStyleRanges": [],
                "entityRanges": [],
                "data": {},
            }
        ],
        "entityMap": {},
    }
)


def entry_url(model, name: str, *args) -> str:
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


def body_form(blocks: list[tuple[str, object]]) -> dict:
    data = {"body-count": str(len(blocks))}
    for index, (kind, value) in enumerate(blocks):
        here = f"body-{index}"
        data.update({f"{here}-type": kind, f"{here}-deleted": "", f"{here}-order": str(index)})
        if isinstance(value, dict):
            data.update({f"{here}-value-{k}": v for k, v in value.items()})
        else:
            data[f"{here}-value"] = value
    return data


def test_an_editor_fills_a_stream_in_the_admin_and_publishes_and_reverts_it(admin_client):
    make_product()
    api.alter_type("Product", drafts=True, revisions=True, search_index=True)
    Product = api.get_model("Product")
    add = admin_client.get(entry_url(Product, "add"))
    assert add.status_code == 200 and 'data-contentpath="body"' in add.content.decode()
    first = {
        "title": "Lamp",
        **body_form(
            [("heading", "Bright"), ("quote", {"quote": "Warm light.", "attribution": ""})]
        ),
        "action-publish": "action-publish",
    }
    created = admin_client.post(entry_url(Product, "add"), first)
    assert created.status_code == 302, created.content.decode()[:3000]
    lamp = Product.objects.get()
    assert lamp.live and [b.block_type for b in lamp.body] == ["heading", "quote"]
    second = {
        "title": "Lamp",
        **body_form([("heading", "Dimmable"), ("paragraph", PARAGRAPH)]),
        "action-publish": "action-publish",
    }
    edited = admin_client.post(entry_url(Product, "edit", lamp.pk), second)
    assert edited.status_code == 302, edited.content.decode()[:3000]
    lamp.refresh_from_db()
    assert lamp.body[0].value == "Dimmable"
    # Searchable: the body's text is indexed.
    assert [p.title for p in Product.objects.search("dimmable")] == ["Lamp"]
    # Reverting to the first revision brings the first body back.
    revisions = list(Revision.objects.for_instance(lamp).order_by("pk"))
    revert = admin_client.get(entry_url(Product, "revisions_revert", lamp.pk, revisions[0].pk))
    assert revert.status_code == 200 and "Bright" in revert.content.decode()
    old = revisions[0].as_object()
    assert [b.block_type for b in old.body] == ["heading", "quote"]
    old.save_revision().publish()
    lamp.refresh_from_db()
    assert lamp.body[0].value == "Bright" and lamp.body[1].value["quote"] == "Warm light."


def test_a_stream_field_renamed_trashed_and_restored_keeps_its_blocks():
    make_product()
    Product = api.get_model("Product")
    Product.objects.create(title="Lamp", body=json.dumps(BODY))
    api.rename_field("Product", "body", "description")
    lamp = api.get_model("Product").objects.get()
    assert [b.block_type for b in lamp.description] == ["heading", "paragraph", "quote"]
    api.remove_field("Product", "description", confirm=True)
    assert not hasattr(api.get_model("Product").objects.get(), "description")
    api.restore_field("Product", "description")
    lamp = api.get_model("Product").objects.get()
    assert lamp.description[2].value["attribution"] == "Ann"


def test_the_shipped_blocks_render_and_a_developer_adds_a_block_by_path(settings):
    from dynamo_wagtail.conf import BUILTIN_STREAM_BLOCKS

    settings.DYNAMO_STREAM_BLOCKS = {**BUILTIN_STREAM_BLOCKS, "note": "wagtail.blocks.TextBlock"}
    api.create_type("Page2", [{"name": "body", "kind": "stream"}])
    field = api.get_model("Page2")._meta.get_field("body")
    names = list(field.stream_block.child_blocks)
    assert names == [*BUILTIN_STREAM_BLOCKS, "note"]
    entry = api.get_model("Page2").objects.create(
        body=json.dumps(
            [
                {
                    "type": "call_to_action",
                    "value": {"text": "Buy", "page": None, "url": "https://example.com/"},
                },
                {"type": "note", "value": "A plain note."},
                {
                    "type": "table",
                    "value": {"data": [["a", "b"]], "first_row_is_table_header": False},
                },
            ]
        )
    )
    entry.refresh_from_db()
    html = str(entry.body)
    assert '<a class="button" href="https://example.com/">Buy</a>' in html
    assert "A plain note." in html and "<table" in html
    # A block the settings no longer name is left out of the field, its values kept.
    settings.DYNAMO_STREAM_BLOCKS = BUILTIN_STREAM_BLOCKS
    api.alter_field("Page2", "body", help="Now without notes.")
    entry = api.get_model("Page2").objects.get()
    assert [b.block_type for b in entry.body] == ["call_to_action", "table"]


def test_export_and_import_carry_a_stream_field_and_its_blocks():
    make_product(max_num=4)
    data = api.export_schema()
    (product,) = [t for t in data["types"] if t["name"] == "Product"]
    (body,) = [f for f in product["fields"] if f["name"] == "body"]
    assert body["type"] == "stream" and body["options"]["max_num"] == 4
    api.alter_field("Product", "body", options={"blocks": ["heading"]}, confirm=True)
    api.import_schema(data, confirm=True)
    field = api.get_model("Product")._meta.get_field("body")
    assert list(field.stream_block.child_blocks) == ["heading", "paragraph", "quote"]


def test_a_stream_exports_as_text_stays_off_public_forms_and_passes_the_drift_check(admin_client):
    make_product()
    Product = api.get_model("Product")
    Product.objects.create(title="Lamp", body=json.dumps(BODY))
    export = admin_client.get(entry_url(Product, "list") + "?export=csv")
    assert export.status_code == 200
    rows = b"".join(export.streaming_content).decode().splitlines()
    assert rows[1] == "Lamp,Made to last Solid oak. Best lamp. Ann"
    sheet = admin_client.get(entry_url(Product, "list") + "?export=xlsx")
    workbook = load_workbook(BytesIO(b"".join(sheet.streaming_content)))
    assert [c.value for c in workbook.active[2]] == [
        "Lamp",
        "Made to last Solid oak. Best lamp. Ann",
    ]
    assert public_field_names(Product) == ["title"]
    out = io.StringIO()
    call_command("dynamo_check", stdout=out)
    assert out.getvalue() == "1 type(s) match the database.\n"
