"""A Wagtail site for tests of the public side (templates, blocks, pages).

Transactional tests flush Wagtail's data migrations after each test: depending on the
order, the database has Wagtail's initial root, home page and site, or nothing at all.
Each test that serves pages makes its own home page and default site.
"""

from __future__ import annotations

from typing import Any


def make_site() -> Any:
    """A default Site whose root is a fresh home page; returns the home page."""
    from wagtail.models import Collection, Locale, Page, Site

    Locale.objects.get_or_create(language_code="en")
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    home = root.add_child(instance=Page(title="Home", slug="dynamo-home"))
    Site.objects.all().delete()
    Site.objects.create(hostname="testserver", port=80, root_page=home, is_default_site=True)
    return home


def make_image(title: str = "pic") -> Any:
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    return Image.objects.create(title=title, file=get_test_image_file(f"{title}.png"))
