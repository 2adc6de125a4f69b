"""The editor's whole journey in Chromium against a live server, a screenshot per step.

Log in; create a type in the builder with several kinds; open it from the menu;
create an entry with an image and rich text; rename a field; add a field; delete
a field through the review page; restore it from the trash; see the entries on
the site page that lists them.
"""

from __future__ import annotations

import re

import pytest
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, Locale, Page, Site

from dynamo_wagtail import api
from dynamo_wagtail.models import MetaModel
from tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("dynamo")]


@pytest.fixture
def site(live_server):
    # A flushed test database has no page tree or root collection: make them when needed.
    Locale.objects.get_or_create(language_code="en")
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    site = Site.objects.filter(is_default_site=True).first()
    if site is not None:
        return site.root_page
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    home = root.add_child(instance=Page(title="Home", slug="home"))
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    return home


def add_block(page, kind_label: str) -> int:
    """Append a block of a kind to the builder; returns the new block's index."""
    names = page.locator("[name^='field_definitions-'][name$='-value-name']")
    before = names.count()
    page.locator(
        "[data-contentpath='field_definitions'] button[title='Insert a block']"
    ).last.click()
    exact = re.compile(rf"^\s*{re.escape(kind_label)}\s*$")
    page.locator(".w-combobox__option, [role=option]").filter(has_text=exact).first.click()
    names.nth(before).wait_for(state="attached")
    return before


def block_input(page, index: int, option: str):
    return page.locator(f"[name='field_definitions-{index}-value-{option}']")


def save(page) -> None:
    with page.expect_navigation():
        page.locator("button[type=submit]", has_text="Save").first.click()


def test_editor_journey(page, live_server, site, django_user_model):
    from wagtail.images.models import Image

    from dynamo_wagtail.contrib.pages.models import EntryIndexPage

    django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    Image.objects.create(title="Pancakes photo", file=get_test_image_file("pancakes.png"))
    base = live_server.url
    login(page, base)
    shot(page, "journey_01_dashboard")

    # 1. A type with several kinds, defined in the builder.
    page.goto(f"{base}/admin/dynamo/types/add/")
    page.fill("input[name=name]", "Recipe")
    page.fill("input[name=verbose_name]", "recipe")
    page.fill("input[name=verbose_name_plural]", "recipes")
    for kind, name in [
        ("Text (one line)", "title"),
        ("Rich text", "method"),
        ("Image", "photo"),
        ("Integer", "minutes"),
    ]:
        block_input(page, add_block(page, kind), "name").fill(name)
    block_input(page, 0, "required").check()
    page.select_option("select[name=title_field]", "title")  # offered from the builder
    shot(page, "journey_02_builder")
    save(page)
    errors = page.locator("[data-field-errors]:has(p)").evaluate_all(
        "els => els.map(e => e.id + ': ' + e.innerText)"
    )
    assert "Content type 'Recipe' saved" in page.content(), errors
    Recipe = api.get_model("Recipe")
    assert [f.name for f in Recipe._meta.fields] == ["id", "title", "method", "photo", "minutes"]

    # 2. Open it from the menu.
    page.goto(f"{base}/admin/")
    page.click("a:has-text('Snippets')")
    page.click("a:has-text('Recipes')")
    page.wait_for_url(f"{base}/admin/snippets/dynamo/recipe/")
    shot(page, "journey_03_listing")

    # 3. An entry with an image and rich text.
    page.click("a:has-text('Add recipe')")
    page.fill("input[name=title]", "Pancakes")
    page.locator(".public-DraftEditor-content").first.click()
    page.keyboard.type("Whisk, then fry.")
    page.fill("input[name=minutes]", "20")
    page.locator("[data-chooser-action-choose]").first.click()
    page.locator(".modal a", has_text="Pancakes photo").first.click()
    page.wait_for_selector(".modal", state="hidden")
    shot(page, "journey_04_entry_form")
    save(page)
    entry = Recipe.objects.get(title="Pancakes")
    assert "Whisk, then fry." in entry.method and entry.photo.title == "Pancakes photo"

    # 4. Rename a field, 5. add a field.
    meta = MetaModel.objects.get(name="Recipe")
    page.goto(f"{base}/admin/dynamo/types/edit/{meta.pk}/")
    block_input(page, 3, "name").fill("duration")
    index = add_block(page, "Choice")
    block_input(page, index, "name").fill("difficulty")
    block_input(page, index, "choices").fill("easy|Easy\nhard|Hard")
    save(page)
    Recipe = api.get_model("Recipe")
    assert Recipe.objects.get(pk=entry.pk).duration == 20
    assert "difficulty" in [f.name for f in Recipe._meta.fields]
    shot(page, "journey_05_renamed_and_added")

    # 6. Delete a field through the review page.
    page.goto(f"{base}/admin/dynamo/types/edit/{meta.pk}/")
    page.locator("[data-contentpath='field_definitions'] [data-streamfield-child]").nth(3).locator(
        "button[title='Delete']"
    ).click()
    save(page)
    page.wait_for_selector("[data-dynamo-review]")
    assert "Move field duration to the trash" in page.content()
    assert "1 value(s) hidden, kept in the trash" in page.content()
    shot(page, "journey_06_review")
    with page.expect_navigation():
        page.click("button:has-text('Apply these changes')")
    assert "duration" not in [f.name for f in api.get_model("Recipe")._meta.fields]

    # 7. Restore it from the trash, with its data.
    page.goto(f"{base}/admin/dynamo/trash/")
    shot(page, "journey_07_trash")
    with page.expect_navigation():
        page.locator("[data-dynamo-trash-fields] button:has-text('Restore')").first.click()
    assert api.get_model("Recipe").objects.get(pk=entry.pk).duration == 20

    # 8. The site page that lists the entries shows the values.
    index = site.add_child(
        instance=EntryIndexPage(title="Recipes", slug="recipes", entry_type=meta)
    )
    page.goto(f"{base}{index.url}")
    body = page.inner_text("body")
    assert "Pancakes" in body
    shot(page, "journey_08_site_list")
    with page.expect_navigation():
        page.click("a:has-text('Pancakes')")
    body = page.inner_text("body")
    assert "Whisk, then fry." in body and "20" in body
    assert page.locator("img").count() >= 1
    shot(page, "journey_09_site_detail")
