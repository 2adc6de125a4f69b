"""Tags in Chromium: a tags field chosen in the builder; an entry tagged with Wagtail's tag
widget (new tags, a suggestion from the field's own vocabulary), published, re-tagged and
reverted to its first revision, which brings its tags back.

Screenshots of the builder and the entry form go to tests/artifacts.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import Revision

from dynamo_wagtail import api
from tests.browser import login, shot
from tests.test_browser_journey import add_block, block_input, save
from tests.test_browser_stream import publish

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dynamo")]


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")


def tag_input(page):
    """The text input of Wagtail's tag widget (tag-it)."""
    return page.locator("[data-contentpath='tags'] .tagit input[type=text]").first


def add_tags(page, *names: str) -> None:
    for name in names:
        tag_input(page).fill(name)
        tag_input(page).press("Enter")


def shown_tags(page) -> list[str]:
    labels = page.locator("[data-contentpath='tags'] .tagit-choice .tagit-label")
    return sorted(labels.all_inner_texts())


def names(entry) -> list[str]:
    return sorted(entry.tags.names())


def test_an_editor_tags_an_entry_publishes_retags_and_reverts_it(page, live_server, editor):
    base = live_server.url
    login(page, base)
    page.goto(f"{base}/admin/dynamo/types/add/")
    page.fill("input[name=name]", "Gig")
    for kind, name in (("Text (one line)", "title"), ("Tags", "tags")):
        index = add_block(page, kind)
        block_input(page, index, "name").fill(name)
    page.locator("input[name=drafts]").check()
    page.locator("input[name=revisions]").check()
    page.locator("select[name=title_field] option[value=title]").wait_for(state="attached")
    page.select_option("select[name=title_field]", "title")
    block_input(page, 1, "name").scroll_into_view_if_needed()
    shot(page, "tags-builder")
    save(page)
    assert api.get_type("Gig").fields.get(name="tags").type == "tags"

    Gig = api.get_model("Gig")
    page.goto(f"{base}{reverse(Gig.snippet_viewset.get_url_name('add'))}")
    page.fill("input[name=title]", "Jam session")
    add_tags(page, "jazz", "live")
    assert shown_tags(page) == ["jazz", "live"]
    publish(page)
    jam = Gig.objects.get()
    assert jam.live and names(jam) == ["jazz", "live"]

    # A second entry: typing offers the first one's tag from the field's vocabulary.
    page.goto(f"{base}{reverse(Gig.snippet_viewset.get_url_name('add'))}")
    page.fill("input[name=title]", "Big band")
    tag_input(page).press_sequentially("ja", delay=50)
    suggestion = page.locator("ul.ui-autocomplete li", has_text="jazz")
    suggestion.wait_for()
    shot(page, "tags-suggestion")
    suggestion.click()
    assert shown_tags(page) == ["jazz"]
    publish(page)
    assert names(Gig.objects.get(title="Big band")) == ["jazz"]

    # Re-tagged: "live" removed, "soul" added, published.
    edit = reverse(Gig.snippet_viewset.get_url_name("edit"), args=[jam.pk])
    page.goto(f"{base}{edit}")
    page.locator("[data-contentpath='tags'] .tagit-choice", has_text="live").locator(
        ".tagit-close"
    ).click()
    add_tags(page, "soul")
    shot(page, "tags-entry-form")
    publish(page)
    assert names(Gig.objects.get(pk=jam.pk)) == ["jazz", "soul"]

    # The first revision brings its tags back.
    first = Revision.objects.for_instance(jam).order_by("pk").first()
    revert = reverse(Gig.snippet_viewset.get_url_name("revisions_revert"), args=[jam.pk, first.pk])
    page.goto(f"{base}{revert}")
    assert shown_tags(page) == ["jazz", "live"]
    publish(page)
    assert names(Gig.objects.get(pk=jam.pk)) == ["jazz", "live"]
