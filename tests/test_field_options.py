"""Type options that name fields (title field, listing columns, search fields, ordering)
follow the fields: a rename is one save or one API call, a removal takes the name out."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.contrib.messages import get_messages

from dynamo_wagtail import api
from dynamo_wagtail.models import MetaField, MetaModel
from dynamo_wagtail.references import follow_fields
from dynamo_wagtail.spec import ACTIVE, TRASHED, FieldSpec
from tests.admin_utils import current_fields, edit_url, type_form

pytestmark = pytest.mark.usefixtures("dynamo")

OPTIONS = {
    "title_field": "name",
    "listing_columns": ["name", "price"],
    "search_fields": ["name"],
    "ordering": ["-price", "name"],
}


def product() -> MetaModel:
    meta_model = api.create_type(
        "Product",
        [{"name": "name", "kind": "char"}, {"name": "price", "kind": "integer"}],
        **OPTIONS,
    )
    meta_model.refresh_from_db()
    return meta_model


def options_of(meta_model: MetaModel) -> dict:
    meta_model.refresh_from_db()
    return {key: getattr(meta_model, key) for key in OPTIONS}


def test_follow_fields_maps_earlier_names_and_drops_trashed_ones() -> None:
    fields = [
        FieldSpec(uid="1", name="cost", kind="integer", column="c1", former_names=("price",)),
        FieldSpec(uid="2", name="name", kind="char", column="c2"),
        FieldSpec(uid="3", name="old", kind="char", column="c3", state=TRASHED),
    ]
    assert fields[0].state == ACTIVE
    followed = follow_fields(
        {
            "title_field": "old",
            "listing_columns": ["price", "old", "name", "nope"],
            "search_fields": "not a list",
            "ordering": ["-price", "cost"],
        },
        fields,
    )
    assert followed == {
        "title_field": "",
        "listing_columns": ["cost", "name", "nope"],  # an unknown name stays: the check refuses
        "search_fields": "not a list",
        "ordering": ["-cost", "cost"],
    }


def test_renaming_a_named_field_through_the_api_is_one_call() -> None:
    meta_model = product()
    api.get_model("Product").objects.create(name="Lamp", price=3)
    api.rename_field("Product", "price", "cost")
    assert options_of(meta_model) == {
        "title_field": "name",
        "listing_columns": ["name", "cost"],
        "search_fields": ["name"],
        "ordering": ["-cost", "name"],
    }
    Product = api.get_model("Product")
    assert Product._meta.ordering == ["-cost", "name"]
    assert list(Product.objects.values_list("cost", flat=True)) == [3]


def test_renaming_the_title_field_is_one_call_and_str_follows() -> None:
    meta_model = product()
    api.get_model("Product").objects.create(name="Lamp", price=3)
    api.rename_field("Product", "name", "title")
    assert options_of(meta_model)["title_field"] == "title"
    assert options_of(meta_model)["ordering"] == ["-price", "title"]
    assert str(api.get_model("Product").objects.get()) == "Lamp"


def test_an_orm_rename_follows_too() -> None:
    meta_model = product()
    row = MetaField.objects.get(meta_model=meta_model, name="price")
    row.name = "cost"
    row.save()
    assert options_of(meta_model)["listing_columns"] == ["name", "cost"]


def test_a_stale_save_naming_the_earlier_name_follows_again() -> None:
    meta_model = product()
    held = MetaModel.objects.get(pk=meta_model.pk)  # loaded before the rename
    api.rename_field("Product", "price", "cost")
    held.description = "Things we sell"
    held.save()  # still says "price": follows, no Conflict (the rename is no new revision)
    assert options_of(meta_model)["listing_columns"] == ["name", "cost"]
    assert meta_model.description == "Things we sell"


def test_removing_a_named_field_takes_it_out_and_says_so() -> None:
    meta_model = product()
    plan = api.remove_field("Product", "price", confirm=True)
    assert options_of(meta_model) == {
        "title_field": "name",
        "listing_columns": ["name"],
        "search_fields": ["name"],
        "ordering": ["name"],
    }
    assert plan.notes == (
        "'price' was taken out of the listing columns",
        "'price' was taken out of the ordering",
    )
    # Back from the trash, the field is a field again; the options stay as they are now.
    api.restore_field("Product", "price")
    assert options_of(meta_model)["listing_columns"] == ["name"]


def test_a_name_that_never_was_a_field_is_still_refused() -> None:
    product()
    with pytest.raises(api.DefinitionError) as caught:
        api.alter_type("Product", listing_columns=["name", "colour"])
    assert caught.value.type_errors == {"listing_columns": ["Unknown fields: colour."]}


def opened_form(meta_model: MetaModel, blocks: list[tuple]) -> dict:
    """The type form with ``blocks``, its options as the form showed them when opened."""
    return type_form(
        blocks,
        expected_version=meta_model.schema_version,
        name="Product",
        title_field="name",
        listing_columns="name, price",
        search_fields="name",
        ordering="-price, name",
    )


def test_renaming_a_named_field_in_the_builder_is_one_save(admin_client) -> None:
    meta_model = product()
    blocks = current_fields(meta_model)
    for block in blocks:
        if block[1]["name"] == "price":
            block[1]["name"] = "cost"
        if block[1]["name"] == "name":
            block[1]["name"] = "title"
    response = admin_client.post(edit_url(meta_model), opened_form(meta_model, blocks))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert options_of(meta_model) == {
        "title_field": "title",
        "listing_columns": ["title", "cost"],
        "search_fields": ["title"],
        "ordering": ["-cost", "title"],
    }


def test_removing_a_named_field_in_the_builder_says_so(admin_client) -> None:
    meta_model = product()
    blocks = [b for b in current_fields(meta_model) if b[1]["name"] != "price"]
    data = opened_form(meta_model, blocks)
    response = admin_client.post(edit_url(meta_model), {**data, "dynamo_confirm": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    shown = html.unescape(" ".join(str(m) for m in get_messages(response.wsgi_request)))
    assert "'price' was taken out of the listing columns" in shown
    assert options_of(meta_model)["listing_columns"] == ["name"]


def test_the_ordering_is_posted_as_one_input_per_field(admin_client) -> None:
    meta_model = product()
    data = {**opened_form(meta_model, current_fields(meta_model)), "ordering": ["name", "-price"]}
    response = admin_client.post(edit_url(meta_model), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert options_of(meta_model)["ordering"] == ["name", "-price"]
    assert api.get_model("Product")._meta.ordering == ["name", "-price"]


def builder_errors(page: str) -> dict:
    """The builder's errors as its page hands them to Wagtail's script, by block index."""
    found = re.search(r"data-w-block-arguments-value='(.*?)'", page)
    assert found, "no builder in the page"
    state, error = json.loads(html.unescape(found.group(1)))
    return (error or {}).get("blockErrors", {})


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("title_field", "tags", "'tags' links to several items: it cannot be the title."),
        ("ordering", ["-tags"], "'tags' links to several items: entries cannot be sorted by it."),
        ("search_fields", ["tags"], "'tags' links to other items: it cannot be searched."),
        (
            "listing_columns",
            ["name", "tags"],
            "'tags' links to several items: it cannot be a listing column.",
        ),
    ],
)
def test_an_option_error_shows_on_the_option_and_on_the_field(
    admin_client, option, value, message
) -> None:
    api.create_type("Tag", [{"name": "label", "kind": "char"}])
    meta_model = api.create_type(
        "Product",
        [
            {"name": "name", "kind": "char"},
            {"name": "tags", "kind": "many_to_many", "related_model": "Tag"},
        ],
    )
    meta_model.refresh_from_db()
    blocks = current_fields(meta_model)
    data = {**opened_form(meta_model, blocks), option: value}
    response = admin_client.post(edit_url(meta_model), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[option] == [message]
    index = next(i for i, b in enumerate(blocks) if b[1]["name"] == "tags")
    assert builder_errors(response.content.decode())[str(index)]["messages"] == [message]
    # Through the API the same message, on the option and on the field.
    with pytest.raises(api.DefinitionError) as caught:
        api.alter_type("Product", **{option: value})
    tags = str(meta_model.fields.get(name="tags").uid)
    assert caught.value.type_errors == {option: [message]}
    assert caught.value.field_errors == {tags: {option: [message]}}
    assert getattr(api.get_type("Product"), option) in ("", [])
