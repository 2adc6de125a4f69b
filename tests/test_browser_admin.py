"""The definitions admin in a real browser, with screenshots kept in tests/artifacts/."""

from __future__ import annotations

import pytest

from dynamo_wagtail import api
from dynamo_wagtail.models import MetaModel
from tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dynamo")]


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")


def make_product() -> MetaModel:
    meta = api.create_type(
        "Product",
        [
            {"name": "title", "kind": "char", "required": True, "options": {"max_length": 100}},
            {
                "name": "price",
                "kind": "decimal",
                "options": {"max_digits": 8, "decimal_places": 2},
                "indexed": True,
            },
            {"name": "colour", "kind": "choice", "choices": "red|Red\nblue|Blue"},
            {"name": "notes", "kind": "rich_text"},
        ],
        verbose_name="product",
        verbose_name_plural="products",
        title_field="title",
    )
    Product = api.get_model("Product")
    Product.objects.create(title="Desk lamp", price="49.90", colour="red")
    Product.objects.create(title="A very long product name", price="12.00", colour="blue")
    return meta


def test_builder_review_and_trash_in_chromium(page, live_server, editor):
    meta = make_product()
    login(page, live_server.url)

    page.goto(f"{live_server.url}/admin/dynamo/types/edit/{meta.pk}/")
    page.wait_for_selector("[data-contentpath='field_definitions'], [data-block]")
    page.wait_for_selector("input[name='field_definitions-0-value-name']", state="attached")
    assert page.input_value("input[name='field_definitions-0-value-name']") == "title"
    shot(page, "builder")

    # Narrow the title to 10 characters: one entry is longer → refused on the block.
    page.fill("input[name='field_definitions-0-value-max_length']", "10")
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_load_state()
    assert "do not fit the new max_length" in page.content()
    shot(page, "refused_on_block")

    # 30 characters fit every entry but accept fewer values: review page, then apply.
    page.fill("input[name='field_definitions-0-value-max_length']", "30")
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_selector("[data-dynamo-review]")
    assert "Change field title: max_length 100 → 30" in page.content()
    shot(page, "review")
    page.click("button:has-text('Apply these changes')")
    page.wait_for_load_state()
    assert api.get_model("Product")._meta.get_field("title").max_length == 30

    api.remove_field("Product", "notes")
    page.goto(f"{live_server.url}/admin/dynamo/trash/")
    page.wait_for_selector("[data-dynamo-trash-fields]")
    assert "notes" in page.inner_text("[data-dynamo-trash-fields]")
    shot(page, "trash")
    page.click("[data-dynamo-trash-fields] a:has-text('Empty')")
    page.wait_for_selector("[data-dynamo-review]")
    assert "Delete field notes" in page.content()
    shot(page, "empty_trash")


def test_generated_type_edit_form_in_chromium(page, live_server, editor):
    make_product()
    api.alter_type("Product", revisions=True, drafts=True)
    Product = api.get_model("Product")
    entry = Product.objects.get(title="Desk lamp")
    login(page, live_server.url)

    page.goto(f"{live_server.url}/admin/snippets/")
    assert "products" in page.inner_text("main").lower()
    page.goto(f"{live_server.url}/admin/snippets/dynamo/product/")
    page.wait_for_selector("table.listing")
    assert "Desk lamp" in page.inner_text("table.listing")
    shot(page, "generated_listing")

    page.goto(f"{live_server.url}/admin/snippets/dynamo/product/edit/{entry.pk}/")
    page.wait_for_selector("input[name=title]")
    assert page.input_value("input[name=title]") == "Desk lamp"
    assert page.locator("[data-draftail-input], .Draftail-Editor").count() >= 1
    page.fill("input[name=title]", "Desk lamp, brass")
    shot(page, "generated_edit")
    page.click("button:has-text('Save draft')")
    page.wait_for_load_state()
    entry.refresh_from_db()
    assert entry.has_unpublished_changes
    assert entry.latest_revision.as_object().title == "Desk lamp, brass"
