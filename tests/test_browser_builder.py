"""The builder's compact blocks in a real browser: "More options", the grouped kind picker,
"Change kind to" on saved fields only, and the icon grid. Screenshots in tests/artifacts/."""

from __future__ import annotations

import pytest

from dynamo_wagtail import api
from dynamo_wagtail.models import MetaModel
from tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dynamo")]


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")


def test_compact_blocks_picker_and_change_kind_in_chromium(page, live_server, editor):
    api.create_type(
        "Shop",
        [
            {"name": "title", "kind": "char", "required": True},
            {"name": "code", "kind": "char", "options": {"max_length": 12}},
            {"name": "opened", "kind": "date"},
        ],
        title_field="title",
    )
    meta = MetaModel.objects.get(name="Shop")
    uids = {f.name: str(f.uid) for f in meta.fields.all()}
    login(page, live_server.url)
    page.goto(f"{live_server.url}/admin/dynamo/types/edit/{meta.pk}/")
    page.wait_for_selector("input[name='field_definitions-2-value-name']", state="attached")
    page.wait_for_selector(".dynamo-icon-select input[type=radio][value='snippet']")

    def more_open(uid: str) -> bool:
        more = page.locator(f"[id='block-{uid}-section'] [id$='-more_options-section']")
        toggle = more.locator("button[data-panel-toggle]").first
        return toggle.get_attribute("aria-expanded") == "true"

    # "More options" is closed where every option is the default, open where one is not.
    assert not more_open(uids["title"])
    assert more_open(uids["code"])
    assert page.is_visible("input[name='field_definitions-1-value-max_length']")
    assert not page.is_visible("input[name='field_definitions-0-value-max_length']")
    # "Change kind to" on a saved field lists only the kinds a date converts to.
    convert = "select[name='field_definitions-1-value-convert_to']"
    assert page.is_visible(convert)
    date_choices = page.eval_on_selector_all(
        "select[name='field_definitions-2-value-convert_to'] option", "os => os.map(o => o.value)"
    )
    assert date_choices == ["", "char", "text", "datetime"]
    page.locator("[data-contentpath='field_definitions']").scroll_into_view_if_needed()
    page.locator(f"[id='block-{uids['title']}-section']").evaluate("e => e.scrollIntoView()")
    shot(page, "builder_compact")
    # The icon choice: the page's list of names, turned into a grid of icons.
    icon = page.locator(".dynamo-icon-select input[type=radio][value='snippet']")
    assert icon.is_checked()
    assert page.locator(".dynamo-icon-select label:has-text('snippet') svg use").count() == 1
    icon.scroll_into_view_if_needed()
    shot(page, "builder_icons")

    # A new block: the picker groups the kinds, and the new block has no "Change kind to".
    page.locator("button[title='Insert a block']").last.click()
    page.wait_for_selector("text=Dates and times")
    shot(page, "builder_picker")
    for group in ("Text", "Numbers", "Choices", "Media", "Relations", "Structure"):
        assert page.get_by_text(group, exact=True).count(), group
    # Each kind's description shows with its preview in the picker.
    row = page.locator(".w-combobox__option-row:has-text('Date and time')").first
    row.locator("button.w-combobox__option-preview").click()
    page.get_by_text("A date and a time of day.").first.wait_for()
    shot(page, "builder_picker_description")
    page.locator("[role=option]:has-text('Yes / no / unknown')").first.click()
    page.wait_for_selector("input[name='field_definitions-3-value-name']")
    page.fill("input[name='field_definitions-3-value-name']", "open_now")
    section = page.locator("input[name='field_definitions-3-value-name']").locator(
        "xpath=ancestor::section[contains(@id, 'block-')][1]"
    )
    section.locator("button[data-panel-toggle]").nth(1).click()  # open its "More options"
    assert page.is_visible("input[name='field_definitions-3-value-help']")
    assert not page.is_visible("select[name='field_definitions-3-value-convert_to']")
    shot(page, "builder_new_block")
