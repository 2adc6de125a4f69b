"""Structured content in Chromium: a stream field chosen in the builder with two of its blocks,
a comparison rule added on the layout page; then an entry whose rule message shows on its
field, blocks added to its stream and reordered, published, changed, and reverted to its first
revision.

Screenshots of the builder, the rules and the entry form go to tests/artifacts.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import Revision

from dynamo_wagtail import api
from tests.browser import login, shot
from tests.test_browser_form_layout import insert, more_options
from tests.test_browser_journey import add_block, block_input, save

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dynamo")]

MESSAGE = "The sale price is at most the price."


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")


def define_type(page, base: str) -> None:
    page.goto(f"{base}/admin/dynamo/types/add/")
    page.fill("input[name=name]", "Offer")
    for kind, name in (
        ("Text (one line)", "title"),
        ("Integer", "price"),
        ("Integer", "sale_price"),
        ("Stream of blocks", "body"),
    ):
        index = add_block(page, kind)
        block_input(page, index, "name").fill(name)
    more_options(page, 3)
    block_input(page, 3, "blocks").select_option(["heading", "quote"])
    block_input(page, 3, "max_num").fill("5")
    page.locator("input[name=drafts]").check()
    page.locator("input[name=revisions]").check()
    page.locator("select[name=title_field] option[value=title]").wait_for(state="attached")
    page.select_option("select[name=title_field]", "title")
    block_input(page, 3, "blocks").scroll_into_view_if_needed()
    shot(page, "stream-builder")
    save(page)


def add_rule(page, base: str, pk: int) -> None:
    page.goto(f"{base}{reverse('wagtailsnippets_dynamo_wagtail_metamodel:layout', args=[pk])}")
    insert(page, "constraints", "Comparison")
    page.select_option("select[name='constraints-0-value-field']", "sale_price")
    page.select_option("select[name='constraints-0-value-is']", "lte")
    page.select_option("select[name='constraints-0-value-other']", "price")
    page.fill("input[name='constraints-0-value-message']", MESSAGE)
    page.wait_for_timeout(300)  # the new block's opening animation
    shot(page, "stream-rules")
    save(page)


def publish(page) -> None:
    """Wagtail's footer action menu: open it, then Publish."""
    page.locator("footer [data-w-dropdown-target=toggle], footer .w-dropdown__toggle").first.click()
    with page.expect_navigation():
        page.locator("button[name=action-publish]").click()


def stream_block(page, index: int):
    """The section of the stream's block ``index`` (in form order)."""
    return page.locator("[data-contentpath='body'] section[id^='block-']").nth(index)


def test_an_editor_fills_a_stream_reorders_publishes_and_reverts_it(page, live_server, editor):
    base = live_server.url
    login(page, base)
    define_type(page, base)
    meta_model = api.get_type("Offer")
    body = meta_model.fields.get(name="body")
    assert body.options["blocks"] == ["heading", "quote"] and body.options["max_num"] == 5
    add_rule(page, base, meta_model.pk)
    meta_model.refresh_from_db()
    assert meta_model.constraints == [
        {
            "type": "compare",
            "field": "sale_price",
            "is": "lte",
            "other": "price",
            "message": MESSAGE,
        }
    ]

    # An entry that breaks the rule: its message on the sale price's input.
    page.goto(f"{base}/admin/snippets/dynamo/offer/add/")
    page.fill("input[name=title]", "Lamp")
    page.fill("input[name=price]", "20")
    page.fill("input[name=sale_price]", "25")
    insert(page, "body", "Heading")
    page.fill("input[name='body-0-value']", "Bright")
    insert(page, "body", "Quote")
    page.fill("textarea[name='body-1-value-quote']", "Warm light.")
    save(page)
    error = page.locator("[data-field-wrapper]:has(input[name=sale_price]) .error-message")
    assert MESSAGE in error.inner_text()
    shot(page, "stream-rule-message")

    # Fixed, the quote moved above the heading, published.
    page.fill("input[name=sale_price]", "15")
    stream_block(page, 1).locator("button[title='Move up']").click()
    page.wait_for_timeout(300)
    shot(page, "stream-entry-form")
    publish(page)
    Offer = api.get_model("Offer")
    lamp = Offer.objects.get()
    assert lamp.live
    assert [b.block_type for b in lamp.body] == ["quote", "heading"]
    assert lamp.body[1].value == "Bright"

    # Changed and published again, then reverted to the first revision.
    page.goto(f"{base}{reverse(Offer.snippet_viewset.get_url_name('edit'), args=[lamp.pk])}")
    page.fill("input[name='body-1-value']", "Dimmable")
    publish(page)
    lamp.refresh_from_db()
    assert lamp.body[1].value == "Dimmable"
    first = Revision.objects.for_instance(lamp).order_by("pk").first()
    revert = reverse(
        Offer.snippet_viewset.get_url_name("revisions_revert"), args=[lamp.pk, first.pk]
    )
    page.goto(f"{base}{revert}")
    assert page.locator("input[name='body-1-value']").input_value() == "Bright"
    publish(page)
    lamp.refresh_from_db()
    assert [b.block_type for b in lamp.body] == ["quote", "heading"]
    assert lamp.body[1].value == "Bright" and lamp.sale_price == 15
