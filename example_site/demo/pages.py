"""The demo's pages: an index page per content type, the survey form, the home page body.

Pages are found by slug under the home page; the home page's body is only filled while it is
empty, so an editor's changes survive another run of ``dynamo_demo``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from wagtail.models import Page

from dynamo_wagtail.contrib.pages.models import EntryFormPage, EntryIndexPage
from dynamo_wagtail.models import MetaModel

INDEX_PAGES = [
    {
        "slug": "events",
        "title": "Events",
        "type": "Event",
        "intro": "<p>Every entry of the <b>Event</b> content type that is published. Editors add "
        "events under <i>Snippets → Events</i>; drafts stay off this page until published.</p>",
    },
    {
        "slug": "team",
        "title": "Team",
        "type": "TeamMember",
        "intro": "<p>The <b>TeamMember</b> content type, shown with a per-type list template "
        "(<code>dynamo/teammember/list.html</code>).</p>",
    },
    {
        "slug": "shop",
        "title": "Shop",
        "type": "Product",
        "intro": "<p>Products with attributes the shop owner defined in the builder: price, "
        "stock, colour, a category, weight and material. The cards and the product page are "
        "per-type templates (<code>dynamo/product/list.html</code>, "
        "<code>dynamo/product/detail.html</code>).</p>",
    },
]

SURVEY_PAGE = {
    "slug": "survey",
    "title": "Survey",
    "type": "SurveyAnswer",
    "intro": "<p>Three questions about this demo. Each question is a field of the "
    "<b>SurveyAnswer</b> content type: add a field in the admin and it appears here. Every "
    "submission is saved as an entry.</p>",
    "thank_you_text": "<p>Thank you! Your answer was saved as a <b>SurveyAnswer</b> entry — "
    "see it in the admin under <i>Snippets → Survey answers</i>.</p>",
    "submit_label": "Send my answers",
}


def _publish(page: Page) -> None:
    page.save_revision().publish()


def ensure_pages(home: Any) -> list[str]:
    """Create what is missing; return a line per created object."""
    created: list[str] = []
    types = {m.name: m for m in MetaModel.objects.active()}

    for spec in INDEX_PAGES:
        if spec["type"] in types and not _child(home, spec["slug"]):
            page = EntryIndexPage(
                title=spec["title"],
                slug=spec["slug"],
                entry_type=types[spec["type"]],
                intro=spec["intro"],
                show_in_menus=True,
            )
            home.add_child(instance=page)
            _publish(page)
            created.append(f"page /{spec['slug']}/")

    spec = SURVEY_PAGE
    if spec["type"] in types and not _child(home, spec["slug"]):
        page = EntryFormPage(
            title=spec["title"],
            slug=spec["slug"],
            entry_type=types[spec["type"]],
            intro=spec["intro"],
            thank_you_text=spec["thank_you_text"],
            submit_label=spec["submit_label"],
            show_in_menus=True,
        )
        home.add_child(instance=page)
        _publish(page)
        created.append(f"page /{spec['slug']}/")

    if not home.body and {"Event", "Product"} <= set(types):
        home.title = "Welcome"
        home.body = home_body(types)
        _publish(home)
        created.append("home page body")
    return created


def _child(home: Page, slug: str) -> Page | None:
    return home.get_children().filter(slug=slug).first()


def home_body(types: dict[str, MetaModel]) -> list[tuple[str, Any]]:
    """Headings, text and dynamo blocks: upcoming events, cheap products, one featured entry."""
    product = types["Product"].get_model()
    today = timezone.localdate().isoformat()
    featured = product.objects.filter(title="Black desk lamp").values_list("pk", flat=True).first()
    body: list[tuple[str, Any]] = [
        (
            "paragraph",
            "<p>Every list on this page is a content type defined at runtime in the admin — "
            "a CMS (events, team), a web shop (products with owner-defined attributes) and a "
            'survey (<a href="/survey/">answer it</a>). The blocks below are '
            "<b>Entries of a content type</b> and <b>One entry</b>: edit this page to change "
            "their filters.</p>",
        ),
        ("heading", "Upcoming events"),
        (
            "entries",
            {
                "content_type": str(types["Event"].uid),
                "filters": f"starts__gte={today}",
                "order_by": "starts",
                "count": 3,
            },
        ),
        ("heading", "Under €15"),
        (
            "entries",
            {
                "content_type": str(types["Product"].uid),
                "filters": "price__lt=15",
                "order_by": "price",
                "count": 4,
            },
        ),
    ]
    if featured:
        body += [
            ("heading", "Featured product"),
            ("entry", {"content_type": str(types["Product"].uid), "entry": featured}),
        ]
    return body
