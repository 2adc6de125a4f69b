"""A repeatable group in Chromium: an event's programme edited inline (Wagtail's InlinePanel):
items added, one moved up, published, changed and reverted to the first revision, which
brings its items back in their order.

Screenshots of the entry form go to tests/artifacts.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import Revision

from dynamo_wagtail import api
from tests.browser import login, shot
from tests.test_browser_stream import publish

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dynamo")]


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")


def add_item(page, talk: str, speaker: str) -> None:
    """The InlinePanel's add button, then the new item's inputs."""
    total = page.locator("#id_programme-TOTAL_FORMS")
    index = int(total.input_value())
    page.locator("#id_programme-ADD").click()
    page.locator(f"input[name='programme-{index}-talk']").fill(talk)
    page.locator(f"input[name='programme-{index}-speaker']").fill(speaker)


def talks(entry) -> list[str]:
    return [item.talk for item in entry.programme.all()]


def test_an_editor_fills_a_group_reorders_publishes_and_reverts_it(page, live_server, editor):
    api.create_type(
        "Event",
        [
            {"name": "title", "kind": "char", "required": True},
            {"name": "programme", "kind": "group"},
        ],
        title_field="title",
        drafts=True,
        revisions=True,
    )
    api.add_field("EventProgramme", "talk", "char", required=True, default="TBA")
    api.add_field("EventProgramme", "speaker", "char")
    Event = api.get_model("Event")
    base = live_server.url
    login(page, base)

    page.goto(f"{base}{reverse(Event.snippet_viewset.get_url_name('add'))}")
    page.fill("input[name=title]", "Conf")
    add_item(page, "Opening", "Ada")
    add_item(page, "Dynamic models", "Grace")
    add_item(page, "Closing", "Linus")
    # "Dynamic models" moves above "Opening".
    page.locator("[data-inline-panel-child]").nth(1).locator(
        "[data-inline-panel-child-move-up]"
    ).click()
    page.wait_for_timeout(400)  # the move's animation
    shot(page, "group-entry-form")
    publish(page)
    conf = Event.objects.get()
    assert conf.live and talks(conf) == ["Dynamic models", "Opening", "Closing"]

    # Changed: the last item deleted, a speaker changed, published.
    page.goto(f"{base}{reverse(Event.snippet_viewset.get_url_name('edit'), args=[conf.pk])}")
    page.locator("#id_programme-2-DELETE-button").click()
    page.locator("input[name='programme-1-speaker']").fill("A. Lovelace")
    publish(page)
    assert talks(Event.objects.get()) == ["Dynamic models", "Opening"]

    # The first revision brings its three items back, in their order.
    first = Revision.objects.for_instance(conf).order_by("pk").first()
    revert = reverse(
        Event.snippet_viewset.get_url_name("revisions_revert"), args=[conf.pk, first.pk]
    )
    page.goto(f"{base}{revert}")
    assert page.locator("#id_programme-TOTAL_FORMS").input_value() == "3"
    shot(page, "group-revert")
    publish(page)
    fresh = Event.objects.get()
    assert talks(fresh) == ["Dynamic models", "Opening", "Closing"]
    assert [item.speaker for item in fresh.programme.all()] == ["Grace", "Ada", "Linus"]
