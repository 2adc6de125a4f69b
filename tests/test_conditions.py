"""Conditional fields: shown by Wagtail's w-rules controller while another field has a
value, required only then, their value kept while hidden."""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import ValidationError

from dynamo_wagtail import api
from tests.admin_utils import add_url, edit_url, field, type_form

pytestmark = pytest.mark.usefixtures("dynamo")


def offer() -> None:
    api.create_type(
        "Offer",
        [
            {"name": "title", "kind": "char"},
            {"name": "has_discount", "kind": "boolean"},
            {
                "name": "discount",
                "kind": "integer",
                "required": True,
                "options": {"show_when": {"field": "has_discount", "is": "checked"}},
            },
            {"name": "colour", "kind": "choice", "choices": "red\ngreen"},
            {
                "name": "shade",
                "kind": "char",
                "options": {"show_when": {"field": "colour", "is": "one_of", "values": "red"}},
            },
            {
                "name": "why",
                "kind": "text",
                "required": True,
                "options": {"show_when": {"field": "title", "is": "not_empty"}},
            },
        ],
    )


def clean_errors(**values) -> dict[str, list[str]]:
    entry = api.get_model("Offer")(**values)
    try:
        entry.full_clean()
    except ValidationError as exc:
        return exc.message_dict
    return {}


def test_a_field_on_a_condition_is_required_only_while_it_holds() -> None:
    offer()
    assert clean_errors(has_discount=False) == {}
    assert clean_errors(has_discount=True) == {"discount": ["This field cannot be blank."]}
    assert clean_errors(has_discount=True, discount=10) == {}
    assert clean_errors(title="Sale") == {"why": ["This field cannot be blank."]}
    # Optional in the database: an entry without the hidden field's value is stored.
    Offer = api.get_model("Offer")
    entry = Offer.objects.create(has_discount=False)
    # A hidden field keeps its value.
    entry.discount = 7
    entry.save()
    assert Offer.objects.get().discount == 7


def test_a_condition_follows_a_rename_and_goes_with_a_removed_field() -> None:
    offer()
    api.rename_field("Offer", "has_discount", "on_sale")
    assert clean_errors(on_sale=True) == {"discount": ["This field cannot be blank."]}
    assert api.get_model("Offer")._meta.get_field("discount").null
    api.remove_field("Offer", "colour", confirm=True)
    (shade,) = [f for f in api.get_model("Offer").dynamo_spec.fields if f.name == "shade"]
    assert shade.option("show_when") is None


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"field": "colour_x", "is": "not_empty"}, "Unknown field 'colour_x'."),
        ({"field": "note", "is": "not_empty"}, "about itself"),
        ({"field": "colour", "is": "checked"}, "not a yes/no field"),
        ({"field": "colour", "is": "one_of", "values": "blue"}, "Not a choice of 'colour': blue"),
        ({"field": "colour", "is": "one_of"}, "Give the values"),
        ({"field": "colour", "is": "sometimes"}, "'is' is one of"),
        ("colour", "Write the condition as"),
    ],
)
def test_a_bad_condition_is_refused_on_the_field(condition, message) -> None:
    with pytest.raises(api.DefinitionError) as caught:
        api.create_type(
            "Bad",
            [
                {"name": "colour", "kind": "choice", "choices": "red\ngreen"},
                {"name": "note", "kind": "char", "options": {"show_when": condition}},
            ],
        )
    assert message in " ".join(caught.value.message_dict["note.show_when"])
    assert not api.MetaModel.objects.filter(name="Bad").exists()


def test_the_entry_form_shows_and_hides_with_wagtails_rules_controller(admin_client) -> None:
    offer()
    url = "/admin/snippets/dynamo/offer/add/"
    page = html.unescape(admin_client.get(url).content.decode())
    assert 'data-w-rules-target="show"' in page
    assert 'data-w-rules=\'{"has_discount": ["on"]}\'' in page or '{"has_discount": ["on"]}' in page
    assert '{"colour": ["red"]}' in page
    saved = admin_client.post(url, {"title": "", "colour": "green", "discount": "4"})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert api.get_model("Offer").objects.get().discount == 4  # hidden, kept
    refused = admin_client.post(url, {"title": "", "has_discount": "on", "colour": "green"})
    assert refused.status_code == 200
    assert "This field cannot be blank." in refused.content.decode()


def test_the_builder_saves_a_condition(admin_client) -> None:
    response = admin_client.post(
        add_url(),
        type_form(
            [
                field("boolean", "gift"),
                field("char", "message", max_length="100", show_when="gift is checked"),
                field("char", "size", choices="s\nl", max_length="10"),
                field("char", "fit", show_when="size is one of s, l"),
            ],
            name="Card",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    options = {f.name: f.options.get("show_when") for f in api.MetaField.objects.all()}
    assert options["message"] == {"field": "gift", "is": "checked", "values": []}
    assert options["fit"] == {"field": "size", "is": "one_of", "values": ["s", "l"]}
    # The builder writes it back the same way.
    page = admin_client.get(edit_url(api.get_type("Card"))).content.decode()
    assert "gift is checked" in page and "size is one of s, l" in page
    refused = admin_client.post(
        add_url(),
        type_form([field("char", "note", show_when="whenever")], name="Other"),
    )
    assert refused.status_code == 200
    assert "Write the condition as" in html.unescape(refused.content.decode())
