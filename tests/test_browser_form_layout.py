"""The form of a type, defined in the admin in Chromium: fields with three validation rules and
a condition in the builder, two tabs, a row and a section on the layout page; then the entry
form (tabs, the conditional field appearing and disappearing, each rule's message), the title
field renamed in one save, and the options that name fields (title, listing, ordering) chosen
from the builder's fields.

Screenshots of the builder, the layout page, the entry form and the type form go to
tests/artifacts.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dynamo_wagtail import api
from tests.admin_utils import edit_url
from tests.browser import login, shot
from tests.test_browser_journey import add_block, block_input, save

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dynamo")]

SKU_MESSAGE = "Use three capitals, a dash and four digits."
#: The Offer's fields as the editor adds them: kind, name, options under "More options".
FIELDS = [
    ("Text (one line)", "title", {"min_length": "3"}),
    ("Text (one line)", "sku", {"regex": r"^[A-Z]{3}-\d{4}$", "regex_message": SKU_MESSAGE}),
    ("Integer", "price", {"min_value": "0", "max_value": "10000"}),
    ("Yes / no", "has_discount", {"verbose_name": "Discounted"}),
    ("Integer", "discount", {"show_when": "has_discount is checked"}),
    ("Integer", "weight", {}),
]
LAYOUT = [
    {
        "tab": "Offer",
        "items": [
            "title",
            {"row": ["sku", "price"]},
            {"section": "Discount", "collapsed": False, "items": ["has_discount", "discount"]},
        ],
    },
    {"tab": "Shipping", "items": ["weight"]},
]


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")


def more_options(page, index: int) -> None:
    """Open the "More options" part of the builder's block ``index``."""
    section = block_input(page, index, "name").locator(
        "xpath=ancestor::section[contains(@id, 'block-')][1]"
    )
    toggle = section.locator("[id$='-more_options-section'] button[data-panel-toggle]").first
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def insert(page, container, label: str | None = None) -> None:
    """Append a child to the stream (or list) block ``container``, a locator or a content
    path, picking ``label`` from the picker when the stream takes several kinds of block."""
    if isinstance(container, str):
        container = page.locator(f"[data-contentpath='{container}']").first
    options = page.locator(".w-combobox__option:visible, [role=option]:visible")
    # The picker of the last insert must be gone: on a loaded machine it closes slowly, and
    # its options would take this click (the block would land in the wrong place).
    options.first.wait_for(state="hidden")
    # The container's own last button: after its last child, not a nested block's.
    button = container.locator("button.c-sf-add-button").last
    if not label:
        button.click()
        return
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    wanted = options.filter(has_text=exact).last
    for _attempt in range(3):
        # A block that has just opened may not take the click yet: try again until its
        # picker shows.
        button.scroll_into_view_if_needed()
        button.click()
        try:
            wanted.wait_for(state="visible", timeout=5000)
        except PlaywrightTimeout:
            continue
        break
    wanted.click()


def define_in_builder(page, base: str) -> None:
    page.goto(f"{base}/admin/dynamo/types/add/")
    page.fill("input[name=name]", "Offer")
    page.fill("input[name=verbose_name]", "offer")
    for kind, name, options in FIELDS:
        index = add_block(page, kind)
        block_input(page, index, "name").fill(name)
        if set(options) - {"verbose_name"}:
            more_options(page, index)
        for option, value in options.items():
            block_input(page, index, option).fill(value)
    block_input(page, 0, "required").check()
    block_input(page, 4, "required").check()  # required only while shown
    # The title field and the listing offer the fields added in this very save.
    page.locator("select[name=title_field] option[value=title]").wait_for(state="attached")
    page.select_option("select[name=title_field]", "title")
    for column in ("title", "price"):
        page.locator(f"[data-field-name=listing_columns] input[value={column}]").check()
    block_input(page, 4, "show_when").scroll_into_view_if_needed()
    shot(page, "form-layout-builder")
    save(page)


def choose(page, name: str, field: str) -> None:
    """Choose ``field`` in the layout's field select ``name``."""
    page.select_option(f"select[name='{name}']", field)


def define_layout(page, base: str, pk: int) -> None:
    page.goto(f"{base}{reverse('wagtailsnippets_dynamo_wagtail_metamodel:layout', args=[pk])}")
    tabs = page.locator("[data-contentpath='layout'] [data-contentpath='items']")
    insert(page, "layout")
    page.fill("input[name='layout-0-value-heading']", "Offer")
    insert(page, tabs.first, "Field")
    choose(page, "layout-0-value-items-0-value", "title")
    insert(page, tabs.first, "Row")
    choose(page, "layout-0-value-items-1-value-0-value", "sku")
    first = page.locator("[name='layout-0-value-items-1-value-0-value']")
    insert(page, first.locator("xpath=ancestor::*[@data-contentpath][2]"))
    choose(page, "layout-0-value-items-1-value-1-value", "price")
    insert(page, tabs.first, "Section")
    heading = page.locator("input[name='layout-0-value-items-2-value-heading']")
    heading.fill("Discount")
    section = heading.locator("xpath=ancestor::*[@data-contentpath][2]")
    for index, name in enumerate(["has_discount", "discount"]):
        insert(page, section.locator("[data-contentpath='items']"), "Field")
        choose(page, f"layout-0-value-items-2-value-items-{index}-value", name)
    insert(page, "layout")
    page.fill("input[name='layout-1-value-heading']", "Shipping")
    insert(page, tabs.last, "Field")
    choose(page, "layout-1-value-items-0-value", "weight")
    page.wait_for_timeout(300)  # the new block's opening animation
    shot(page, "form-layout-layout-page")
    save(page)


def test_an_editor_defines_tabs_a_section_a_condition_and_rules_in_the_admin(
    page, live_server, editor
):
    base = live_server.url
    login(page, base)

    define_in_builder(page, base)
    meta_model = api.get_type("Offer")
    assert (meta_model.title_field, meta_model.listing_columns) == ("title", ["title", "price"])
    fields = {f.name: f for f in meta_model.fields.all()}
    assert fields["price"].options["max_value"] == 10000
    assert fields["sku"].options["regex_message"] == SKU_MESSAGE
    assert fields["discount"].options["show_when"]["field"] == "has_discount"

    define_layout(page, base, meta_model.pk)
    meta_model.refresh_from_db()
    assert meta_model.layout == LAYOUT

    # The entry form: two tabs; "discount" shows only while "Discounted" is ticked.
    page.goto(f"{base}/admin/snippets/dynamo/offer/add/")
    tabs = page.locator("[role=tab]")
    assert [t.strip() for t in tabs.all_inner_texts()] == ["Offer", "Shipping"]
    discount = page.locator("input[name=discount]")
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
    save(page)
    body = page.locator("main").inner_text()
    assert "Ensure this value has at least 3 characters" in body
    assert SKU_MESSAGE in body
    assert "Ensure this value is less than or equal to 10000." in body
    shot(page, "form-layout-rule-messages")

    # A hidden required field is not required; the entry saves.
    page.fill("input[name=title]", "Lamp")
    page.fill("input[name=sku]", "LMP-0001")
    page.fill("input[name=price]", "25")
    save(page)
    assert str(api.get_model("Offer").objects.get()) == "Lamp"

    # The title field renamed in the builder: one save, and the options follow it.
    page.goto(f"{base}{edit_url(meta_model)}")
    block_input(page, 0, "name").fill("headline")
    shot(page, "form-layout-type-form")
    save(page)
    meta_model.refresh_from_db()
    assert meta_model.title_field == "headline"
    assert meta_model.listing_columns == ["headline", "price"]
    assert meta_model.layout[0]["items"][0] == "headline"
    assert str(api.get_model("Offer").objects.get()) == "Lamp"


def ordering_rows(page) -> list[str]:
    return page.eval_on_selector_all(
        ".dynamo-ordering li input[type=hidden]", "inputs => inputs.map(i => i.value)"
    )


def test_the_default_ordering_is_a_sortable_list_of_the_builders_fields(page, live_server, editor):
    meta_model = api.create_type(
        "Offer",
        [{"name": "title", "kind": "char"}, {"name": "price", "kind": "integer"}],
        ordering=["-price", "title"],
    )
    base = live_server.url
    login(page, base)
    page.goto(f"{base}{edit_url(meta_model)}")
    ordering = page.locator("[data-controller=dynamo-ordering]")
    ordering.locator("li").first.wait_for()
    assert ordering_rows(page) == ["-price", "title"]
    # A field added in this save can be sorted by, at once.
    index = add_block(page, "Date")
    block_input(page, index, "name").fill("published")
    ordering.get_by_role("button", name="Sort by another field").click()
    assert ordering_rows(page) == ["-price", "title", "published"]
    rows = ordering.locator("li")
    rows.nth(2).get_by_label("Direction").select_option("descending")
    rows.nth(2).get_by_role("button", name="Move up").click()
    rows.nth(1).get_by_role("button", name="Move up").click()
    assert ordering_rows(page) == ["-published", "-price", "title"]
    rows.nth(2).get_by_role("button", name="Remove").click()
    # Renaming a field in the builder renames it in the list.
    block_input(page, 1, "name").fill("cost")
    assert ordering_rows(page) == ["-published", "-cost"]
    ordering.scroll_into_view_if_needed()
    shot(page, "form-layout-ordering")
    save(page)
    meta_model.refresh_from_db()
    assert meta_model.ordering == ["-published", "-cost"]
    assert api.get_model("Offer")._meta.ordering == ["-published", "-cost"]
    # The list shows what is stored when the page opens again.
    page.goto(f"{base}{edit_url(meta_model)}")
    ordering.locator("li").first.wait_for()
    assert ordering_rows(page) == ["-published", "-cost"]


def test_an_option_a_field_cannot_serve_shows_on_the_option_and_on_the_fields_block(
    page, live_server, editor
):
    api.create_type("Tag", [{"name": "label", "kind": "char"}])
    meta_model = api.create_type(
        "Offer",
        [
            {"name": "title", "kind": "char"},
            {"name": "tags", "kind": "many_to_many", "related_model": "Tag"},
        ],
    )
    base = live_server.url
    login(page, base)
    page.goto(f"{base}{edit_url(meta_model)}")
    page.locator("select[name=title_field] option[value=tags]").wait_for(state="attached")
    page.select_option("select[name=title_field]", "tags")
    save(page)
    message = "'tags' links to several items: it cannot be the title."
    title_field = page.locator("[data-field-wrapper]:has(select[name=title_field])")
    assert message in title_field.inner_text()
    tags_block = block_input(page, 1, "name").locator(
        "xpath=ancestor::section[contains(@id, 'block-')][1]"
    )
    assert message in tags_block.inner_text()
    tags_block.scroll_into_view_if_needed()
    shot(page, "form-layout-option-error-on-field")
    meta_model.refresh_from_db()
    assert meta_model.title_field == ""
