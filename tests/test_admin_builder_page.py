"""The builder page: compact blocks ("More options"), the grouped kind picker, "Change kind
to" only where a field can convert, and the page's weight with every built-in kind offered."""

from __future__ import annotations

import html
import json
import re
import uuid

import pytest
from django.contrib.auth.models import Permission

from bench.builder import FIELDS, block_definition_bytes, definitions_url
from dynamo_wagtail import api
from dynamo_wagtail.admin import builder
from dynamo_wagtail.kinds import PICKER_GROUPS, FieldKind, get_kind
from dynamo_wagtail.kinds.registry import offered_kinds
from dynamo_wagtail.models import MetaModel
from tests.admin_utils import add_url, current_fields, edit_url, field, type_form

pytestmark = pytest.mark.usefixtures("dynamo")

MAX_PAGE_KIB = 150


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


def definitions(client, page: str) -> dict:
    """The builder's StreamBlock definition, as its address serves it (telepath JSON)."""
    response = client.get(definitions_url(page))
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_builder_page_of_a_20_field_type_is_light(admin_client):
    api.create_type("Heavy", FIELDS, title_field="title")
    assert len(FIELDS) == 20
    response = admin_client.get(edit_url(MetaModel.objects.get(name="Heavy")))
    assert response.status_code == 200
    page = response.content.decode()
    kib = len(response.content) / 1024
    # The block definitions are not on the page: the builder fetches them, versioned.
    assert block_definition_bytes(page) == 0
    fetched = admin_client.get(definitions_url(page))
    assert fetched.status_code == 200
    assert definitions_url(page).endswith("?v=" + fetched["X-Dynamo-Version"])
    stale = admin_client.get(definitions_url(page).split("?")[0] + "?v=old")
    assert stale.content == fetched.content
    definitions = len(fetched.content) / 1024
    assert kib <= MAX_PAGE_KIB, f"{kib:.1f} KiB (block definitions {definitions:.1f} KiB)"
    print(f"builder page {kib:.1f} KiB, its block definitions {definitions:.1f} KiB")


def test_the_block_definitions_are_for_editors_of_types_only(client, django_user_model):
    page_url = "/admin/dynamo/builder/definitions/"
    assert client.get(page_url).status_code == 302  # to the login
    editor = django_user_model.objects.create_user("e", "e@example.com", "pw")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    refused = client.get(page_url)  # Wagtail's admin sends a refusal back to the dashboard
    assert refused.status_code == 302 and refused["Location"] == "/admin/"


def arguments(page: str) -> list:
    """The builder's value and errors, as the page ships them."""
    found = re.search(r"data-w-block-arguments-value='([^']*)'", page)
    assert found, "no StreamField on the page"
    return json.loads(html.unescape(found.group(1)))


def wrapper(page: str, name: str) -> object:
    found = re.search(rf"data-dynamo-builder-{name}-value='([^']*)'", page)
    assert found, name
    return json.loads(html.unescape(found.group(1)))


def more_options(kind: str) -> list[str]:
    """The names in the kind block's collapsed "More options" group."""
    layout = builder.builder_block().child_blocks[kind].meta.form_layout
    (group,) = [child for child in layout.children if not isinstance(child, str)]
    assert group.heading == "More options" and "collapsed" in group.classname
    return group.children


def test_the_kind_picker_is_grouped_with_a_description_per_kind(admin_client):
    block = builder.builder_block()
    groups = [name for name, _ in block.grouped_child_blocks()]
    assert groups == list(PICKER_GROUPS.values())  # every group, in the picker's order
    for kind in offered_kinds():
        child = block.child_blocks[kind.name]
        assert child.meta.group == PICKER_GROUPS[kind.picker_group_key()]
        assert child.meta.icon == kind.icon
        description = child.get_description()
        assert description and "\n" not in description, kind.name
    assert block.child_blocks["integer"].meta.group == "Numbers"
    assert block.child_blocks["date"].meta.group == "Dates and times"
    assert block.child_blocks["image"].meta.group == "Media"
    assert block.child_blocks["foreign_key"].meta.group == "Relations"
    # The page ships the groups and descriptions to Wagtail's block chooser.
    shipped = definitions(admin_client, admin_client.get(add_url()).content.decode())
    by_group = {group: [d["_args"][0] for d in defs] for group, defs in shipped["_args"][1]}
    assert by_group["Text"][:2] == ["char", "text"] and "email" in by_group["Text"]
    assert "A calendar date." in json.dumps(shipped)


def test_a_third_party_kind_gets_a_group_and_a_description():
    class Colour(type(get_kind("char"))):  # a CharKind: text, as its base
        """A colour as #rrggbb."""

        name = "colour"

    class Rating(FieldKind):
        name = "rating"

    assert (Colour().picker_group_key(), Colour().picker_description()) == (
        "text",
        "A colour as #rrggbb.",
    )
    assert (Rating().picker_group_key(), Rating().picker_description()) == ("structure", "")


def test_a_block_shows_name_label_and_required_and_the_rest_is_in_more_options():
    layout = builder.builder_block().child_blocks["char"].meta.form_layout
    shown = [child for child in layout.children if isinstance(child, str)]
    assert shown == ["name", "verbose_name", "required"]
    assert more_options("char") == [
        "help",
        "unique",
        "indexed",
        "unique_together",
        "choices",
        "default",
        "description",
        "max_length",
        "show_when",
        "min_length",
        "regex",
        "regex_message",
        "enforce",
        "convert_to",
    ]
    # What a field cannot be saved without stays in sight: a link's target, the choices of a
    # choice field (choices only restrict the values of other kinds: More options there).
    assert "related_model" not in more_options("foreign_key")
    assert "choices" not in more_options("choice")
    assert "choices" not in more_options("multiple_choice")
    assert "choices" in more_options("integer")


def test_an_option_error_shows_on_the_option_inside_more_options(admin_client):
    response = admin_client.post(
        add_url(),
        type_form(
            [
                field("char", "title"),
                field(
                    "decimal",
                    "price",
                    block_id=str(uuid.uuid4()),
                    max_digits="4",
                    decimal_places="6",
                ),
            ],
            name="Shop",
        ),
    )
    assert response.status_code == 200
    assert not MetaModel.objects.filter(name="Shop").exists()
    page = response.content.decode()
    _value, errors = arguments(page)
    on_block = errors["blockErrors"]["1"]["blockErrors"]
    assert "decimal_places" in on_block
    assert "more than 'max_digits'" in json.dumps(on_block["decimal_places"])
    assert "decimal_places" in more_options("decimal")
    assert "0" not in errors["blockErrors"]  # the other block is fine
    # Wagtail opens a collapsed group holding an error (the "beforematch" of setError);
    # the option's values come back as typed, and a value off its default opens it too.
    value, _errors = arguments(page)
    assert value[1]["value"]["decimal_places"] == "6"
    assert wrapper(page, "open") == [value[1]["id"]]


def test_more_options_open_where_an_option_is_not_the_default(admin_client):
    api.create_type(
        "Shop",
        [
            {"name": "title", "kind": "char"},
            {"name": "code", "kind": "char", "options": {"max_length": 12}},
            {"name": "note", "kind": "text", "help": "Shown under the input."},
            {"name": "stock", "kind": "integer", "required": True},
        ],
    )
    meta_model = MetaModel.objects.get(name="Shop")
    page = admin_client.get(edit_url(meta_model)).content.decode()
    uids = {f.name: str(f.uid) for f in meta_model.fields.all()}
    assert sorted(wrapper(page, "open")) == sorted([uids["code"], uids["note"]])


def test_change_kind_to_lists_only_the_kinds_a_field_converts_to(admin_client):
    api.create_type(
        "Shop",
        [
            {"name": "title", "kind": "char"},
            {"name": "stock", "kind": "integer"},
            {"name": "opened", "kind": "date"},
            {"name": "data", "kind": "json"},
        ],
    )
    meta_model = MetaModel.objects.get(name="Shop")
    page = admin_client.get(edit_url(meta_model)).content.decode()
    targets = wrapper(page, "targets")
    # Kinds of the saved fields, each with the kinds that convert its values.
    assert set(targets) == {"char", "integer", "date"}  # JSON data converts to nothing
    assert targets["date"] == ["char", "text", "datetime"]
    assert "decimal" in targets["integer"] and "date" not in targets["integer"]
    assert all(get_kind(t).converts_from(get_kind(k)) for k, ts in targets.items() for t in ts)
    assert "integer" in targets["char"] and "foreign_key" not in targets["char"]
    # No change at all for kinds that convert to nothing: no choice on their block.
    block = builder.builder_block()
    assert "convert_to" not in block.child_blocks["json"].child_blocks
    assert "convert_to" not in block.child_blocks["foreign_key"].child_blocks
    assert "convert_to" in block.child_blocks["char"].child_blocks
    # The form refuses a kind the field does not convert to, on the choice.
    blocks = current_fields(meta_model)
    blocks[2][1]["convert_to"] = "integer"  # a date to a number
    response = admin_client.post(
        edit_url(meta_model),
        type_form(blocks, expected_version=meta_model.schema_version, name="Shop"),
    )
    assert response.status_code == 200
    _value, errors = arguments(response.content.decode())
    assert "Date fields cannot change to Integer." in json.dumps(
        errors["blockErrors"]["2"]["blockErrors"]["convert_to"]
    )
    assert api.get_model("Shop")._meta.get_field("opened").get_internal_type() == "DateField"


def test_change_kind_to_shows_on_saved_fields_only(admin_client):
    # A new type: no field is saved, the choice shows on no block.
    page = admin_client.get(add_url()).content.decode()
    assert ".dynamo-builder [data-contentpath=convert_to]{display:none}" in page
    assert ":is(#block-" not in page
    assert wrapper(page, "targets") == {}
    api.create_type("Shop", [{"name": "title", "kind": "char"}])
    meta_model = MetaModel.objects.get(name="Shop")
    uid = str(meta_model.fields.get().uid)
    blocks = [*current_fields(meta_model), field("char", "colour", block_id=str(uuid.uuid4()))]
    # A post that comes back (here: a bad name) keeps it on the saved field only.
    blocks[1][1]["name"] = "class"
    response = admin_client.post(
        edit_url(meta_model),
        type_form(blocks, expected_version=meta_model.schema_version, name="Shop"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    rule = re.search(r":is\(([^)]*)\) \[data-contentpath=convert_to\]\{display:block\}", page)
    assert rule and rule.group(1) == f"#block-{uid}-section"
