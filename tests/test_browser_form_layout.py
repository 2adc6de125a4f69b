"""The editing form of a laid-out type in Chromium: two tabs, a collapsible section, a field
shown on a condition and three validation rules; then the title field renamed in one save.

Screenshots of the entry form and the type form go to tests/artifacts.
"""

from __future__ import annotations

import pytest

from dynamo_wagtail import api
from tests.admin_utils import edit_url
from tests.browser import login, shot
from tests.test_browser_journey import add_block, block_input

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dynamo")]


def define_offer() -> None:
    api.create_type(
        "Offer",
        [
            {"name": "title", "kind": "char", "required": True, "options": {"min_length": 3}},
            {
                "name": "sku",
                "kind": "char",
                "options": {
                    "max_length": 20,
                    "regex": r"^[A-Z]{3}-\d{4}$",
                    "regex_message": "Use three capitals, a dash and four digits.",
                },
            },
            {"name": "price", "kind": "integer", "options": {"min_value": 0, "max_value": 10000}},
            {"name": "has_discount", "kind": "boolean", "verbose_name": "Discounted"},
            {
                "name": "discount",
                "kind": "integer",
                "required": True,
                "options": {"show_when": {"field": "has_discount", "is": "checked"}},
            },
            {"name": "weight", "kind": "integer"},
        ],
        verbose_name="offer",
        title_field="title",
        listing_columns=["title", "price"],
        layout=[
            {
                "tab": "Offer",
                "items": [
                    "title",
                    {"row": ["sku", "price"]},
                    {"section": "Discount", "items": ["has_discount", "discount"]},
                ],
            },
            {"tab": "Shipping", "items": ["weight"]},
        ],
    )


def test_tabs_sections_conditions_and_rules_in_the_entry_form(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    define_offer()
    base = live_server.url
    login(page, base)

    page.goto(f"{base}/admin/snippets/dynamo/offer/add/")
    tabs = page.locator("[role=tab]")
    assert [t.strip() for t in tabs.all_inner_texts()] == ["Offer", "Shipping"]
    discount = page.locator("input[name=discount]")
    # Hidden until "Discounted" is ticked, shown when it is, hidden again when it is not.
    assert not discount.is_visible()
    page.locator("input[name=has_discount]").check()
    discount.wait_for(state="visible")
    shot(page, "form-layout-condition-shown")
    page.locator("input[name=has_discount]").uncheck()
    discount.wait_for(state="hidden")

    # Three rules, each with its message, on a save.
    page.fill("input[name=title]", "ab")
    page.fill("input[name=sku]", "abc")
    page.fill("input[name=price]", "20000")
    with page.expect_navigation():
        page.locator("button[type=submit]", has_text="Save").first.click()
    body = page.locator("main").inner_text()
    assert "Ensure this value has at least 3 characters" in body
    assert "Use three capitals, a dash and four digits." in body
    assert "Ensure this value is less than or equal to 10000." in body
    shot(page, "form-layout-rule-messages")

    # A hidden required field is not required; the entry saves.
    page.fill("input[name=title]", "Lamp")
    page.fill("input[name=sku]", "LMP-0001")
    page.fill("input[name=price]", "25")
    with page.expect_navigation():
        page.locator("button[type=submit]", has_text="Save").first.click()
    assert api.get_model("Offer").objects.get().title == "Lamp"


def test_renaming_the_title_field_is_one_save(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    define_offer()
    api.get_model("Offer").objects.create(title="Lamp", price=3)
    meta_model = api.get_type("Offer")
    base = live_server.url
    login(page, base)
    page.goto(f"{base}{edit_url(meta_model)}")
    name = page.locator("[name^='field_definitions-'][name$='-value-name']").first
    assert name.input_value() == "title"
    name.fill("headline")
    shot(page, "form-layout-type-form")
    with page.expect_navigation():
        page.locator("button[type=submit]", has_text="Save").first.click()
    meta_model.refresh_from_db()
    assert meta_model.title_field == "headline"
    assert meta_model.listing_columns == ["headline", "price"]
    assert meta_model.layout[0]["items"][0] == "headline"
    assert str(api.get_model("Offer").objects.get()) == "Lamp"


def test_options_offer_the_fields_added_in_the_same_save(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    define_offer()
    meta_model = api.get_type("Offer")
    base = live_server.url
    login(page, base)
    page.goto(f"{base}{edit_url(meta_model)}")
    listing = page.locator("[data-field-name=listing_columns]")
    assert "subtitle" not in listing.inner_text()
    index = add_block(page, "Text (one line)")
    block_input(page, index, "name").fill("subtitle")
    box = listing.locator("input[value=subtitle]")
    box.wait_for(state="attached")
    box.check()
    page.select_option("select[name=title_field]", "subtitle")
    shot(page, "form-layout-field-choices")
    with page.expect_navigation():
        page.locator("button[type=submit]", has_text="Save").first.click()
    meta_model.refresh_from_db()
    assert meta_model.title_field == "subtitle"
    assert meta_model.listing_columns == ["title", "price", "subtitle"]
