"""Validation rules on fields: parsed by the kind, Django validators on the generated field
(admin form, full_clean, API), a database check for number ranges, and existing entries
counted before a rule is added or tightened."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction

from dynamo_wagtail import api
from dynamo_wagtail.schema.impact import ImpactRefused
from tests.admin_utils import add_url, current_fields, edit_url, field, type_form

pytestmark = pytest.mark.usefixtures("dynamo")


def shop() -> None:
    api.create_type(
        "Item",
        [
            {"name": "price", "kind": "integer", "options": {"min_value": 0, "max_value": 10000}},
            {
                "name": "sku",
                "kind": "char",
                "options": {
                    "max_length": 20,
                    "regex": r"^[A-Z]{3}-\d{4}$",
                    "regex_message": "Use three capitals, a dash and four digits.",
                },
            },
            {"name": "manual", "kind": "file", "options": {"extensions": "pdf", "max_size_mb": 1}},
            {
                "name": "colours",
                "kind": "multiple_choice",
                "choices": "red\ngreen\nblue",
                "options": {"min_items": 1, "max_items": 2},
            },
            {"name": "notes", "kind": "text", "options": {"min_length": 3, "max_length": 10}},
            {"name": "day", "kind": "date", "options": {"min_value": "2024-01-01"}},
        ],
    )


def errors_of(**values) -> dict[str, list[str]]:
    Item = api.get_model("Item")
    entry = Item(**{"price": 5, "sku": "ABC-1234", "colours": ["red"], "notes": "fine", **values})
    try:
        entry.full_clean(exclude=["manual", "day"] if "manual" not in values else ["day"])
    except ValidationError as exc:
        return exc.message_dict
    return {}


def test_each_rule_holds_in_full_clean() -> None:
    shop()
    assert errors_of() == {}
    assert "price" in errors_of(price=-1)
    assert "price" in errors_of(price=10001)
    assert errors_of(sku="abc-1") == {"sku": ["Use three capitals, a dash and four digits."]}
    assert "colours" in errors_of(colours=[])
    assert "colours" in errors_of(colours=["red", "green", "blue"])
    assert "notes" in errors_of(notes="no")
    assert "notes" in errors_of(notes="far too long")
    big = SimpleUploadedFile("m.pdf", b"x" * 1_100_000)
    assert "manual" in errors_of(manual=big)
    wrong = SimpleUploadedFile("m.exe", b"x")
    assert "manual" in errors_of(manual=wrong)
    assert errors_of(manual=SimpleUploadedFile("m.pdf", b"x")) == {}


def test_a_number_range_is_a_database_check() -> None:
    shop()
    Item = api.get_model("Item")
    Item.objects.create(price=3, sku="ABC-1234", colours=["red"], notes="fine")
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(price=-5, sku="ABC-1234", colours=["red"], notes="fine")
    # Loosening the rule changes the check with it.
    api.alter_field("Item", "price", options={"min_value": -10, "max_value": 10000})
    Item = api.get_model("Item")
    Item.objects.create(price=-5, sku="ABC-1234", colours=["red"], notes="fine")
    assert Item.objects.count() == 2


@pytest.mark.parametrize(
    ("options", "option", "message"),
    [
        ({"min_value": 10, "max_value": 5}, "max_value", "less than the minimum value"),
        ({"min_value": "ten"}, "min_value", "not a valid value"),
        ({"regex": "[a-"}, "regex", "Not a valid regular expression"),
        ({"regex": "^(a+)+$"}, "regex", "can take very long"),
        ({"max_size_mb": -1}, "max_size_mb", "more than 0"),
        ({"extensions": "p df"}, "extensions", "Not a file extension"),
        ({"min_items": -2}, "min_items", "0 or more"),
        ({"enforce": "sometimes"}, "enforce", "new and edited entries only"),
        ({"regex_message": "Only with a pattern"}, "regex_message", "Give the pattern"),
    ],
)
def test_a_bad_rule_is_refused_on_that_rule_and_nothing_is_written(options, option, message):
    kind = {
        "max_size_mb": "file",
        "extensions": "file",
        "min_items": "multiple_choice",
        "regex": "char",
        "regex_message": "char",
    }.get(option, "integer")
    extra = {"choices": "a\nb"} if kind == "multiple_choice" else {}
    with pytest.raises(api.DefinitionError) as caught:
        api.create_type("Bad", [{"name": "x", "kind": kind, "options": options, **extra}])
    messages = " ".join(caught.value.message_dict.get(f"x.{option}", []))
    assert message in messages, caught.value.message_dict
    assert not api.MetaModel.objects.filter(name="Bad").exists()
    assert "bad" not in {t.lower() for t in connection.introspection.table_names()}


def test_a_new_rule_over_existing_entries_counts_them_first() -> None:
    shop()
    Item = api.get_model("Item")
    for price in (5, 50, 500):
        Item.objects.create(price=price, sku="ABC-1234", colours=["red"], notes="fine")
    with pytest.raises(ImpactRefused) as caught:
        api.alter_field("Item", "price", options={"min_value": 0, "max_value": 40})
    assert caught.value.impact.rows == 2
    assert len(caught.value.impact.examples) == 2
    assert api.get_model("Item")._meta.get_field("price").validators[-1].limit_value == 10000
    # For new and edited entries only: accepted, existing entries stay, no database check.
    api.alter_field("Item", "price", options={"max_value": 40, "enforce": "new"})
    Item = api.get_model("Item")
    assert sorted(Item.objects.values_list("price", flat=True)) == [5, 50, 500]
    Item.objects.create(price=400, sku="ABC-1234", colours=["red"], notes="fine")  # no check
    with pytest.raises(ValidationError):
        Item(price=400, sku="ABC-1234", colours=["red"], notes="fine").full_clean(
            exclude=["manual", "day"]
        )


def test_rules_hold_in_the_admin_entry_form_and_the_builder_offers_them(admin_client) -> None:
    response = admin_client.post(
        add_url(),
        type_form(
            [
                field("integer", "price", min_value="0", max_value="100"),
                field("char", "sku", max_length="20", regex="^[A-Z]+$", regex_message="Caps."),
            ],
            name="Item",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meta_model = api.MetaModel.objects.get(name="Item")
    options = {f.name: f.options for f in meta_model.fields.all()}
    assert options == {
        "price": {"min_value": 0, "max_value": 100},
        "sku": {"max_length": 20, "regex": "^[A-Z]+$", "regex_message": "Caps."},
    }
    add = admin_client.get("/admin/snippets/dynamo/item/add/")
    assert add.status_code == 200
    posted = admin_client.post("/admin/snippets/dynamo/item/add/", {"price": "500", "sku": "x"})
    assert posted.status_code == 200
    page = posted.content.decode()
    assert "Ensure this value is less than or equal to 100." in page
    assert "Caps." in page
    # A bad rule in the builder shows on the block; nothing is written.
    blocks = current_fields(meta_model)
    next(b for b in blocks if b[1]["name"] == "price")[1]["max_value"] = "-5"
    refused = admin_client.post(
        edit_url(meta_model),
        type_form(blocks, expected_version=meta_model.schema_version, name="Item"),
    )
    assert refused.status_code == 200
    assert "less than the minimum value" in refused.content.decode()
    assert api.MetaField.objects.get(name="price").options["max_value"] == 100


def test_many_to_many_rules_hold_in_the_entry_form(admin_client) -> None:
    api.create_type("Tag", [{"name": "name", "kind": "char"}], title_field="name")
    tags = [api.get_model("Tag").objects.create(name=n).pk for n in ("a", "b", "c")]
    api.create_type(
        "Post",
        [
            {"name": "title", "kind": "char"},
            {
                "name": "tags",
                "kind": "many_to_many",
                "related_model": "Tag",
                "options": {"min_items": 1, "max_items": 2},
            },
        ],
    )
    url = "/admin/snippets/dynamo/post/add/"
    too_many = admin_client.post(url, {"title": "x", "tags": [str(pk) for pk in tags]})
    assert too_many.status_code == 200
    assert "Choose at most 2." in too_many.content.decode()
    none = admin_client.post(url, {"title": "x"})
    assert none.status_code == 200
    assert "This field is required." in none.content.decode()
    fine = admin_client.post(url, {"title": "x", "tags": [str(tags[0])]})
    assert fine.status_code == 302, fine.content.decode()[:2000]
    assert list(api.get_model("Post").objects.get().tags.values_list("name", flat=True)) == ["a"]
