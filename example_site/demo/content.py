"""The demo's content types and entries: django-dynamo's three use cases.

* a CMS with site-specific content (events, team members),
* a web shop whose owner defines product attributes (products, categories),
* a survey whose questions are fields (answers come in through a public form).

Everything here is plain data handed to :mod:`dynamo_wagtail.api`; editors can change all of it
in the admin afterwards.
"""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from typing import Any

COLOURS = "red|Red\nblue|Blue\ngreen|Green\nblack|Black\nwhite|White"
FOUND_US = "\n".join(
    [
        "search|A search engine",
        "friend|A friend told me",
        "social|Social media",
        "other|Somewhere else",
    ]
)
RATINGS = "1|1 – poor\n2|2\n3|3 – fine\n4|4\n5|5 – excellent"

#: Content types in creation order (Category before Product, which links to it).
TYPES: list[dict[str, Any]] = [
    {
        "name": "Event",
        "api_public": True,
        "verbose_name": "event",
        "verbose_name_plural": "events",
        "description": "Talks, workshops and meet-ups shown on the Events page.",
        "icon": "date",
        "title_field": "title",
        "listing_columns": ["title", "starts", "venue"],
        "search_fields": ["title", "venue"],
        "ordering": ["starts"],
        "drafts": True,
        "revisions": True,
        "preview": True,
        "fields": [
            {"name": "title", "kind": "char", "required": True, "options": {"max_length": 200}},
            {"name": "starts", "kind": "datetime", "required": True, "indexed": True},
            {"name": "venue", "kind": "char", "options": {"max_length": 200}},
            {"name": "description", "kind": "rich_text"},
            {"name": "tags", "kind": "tags", "help": "Topics, e.g. django, workshop."},
            {"name": "programme", "kind": "group", "help": "The sessions, in their order."},
        ],
    },
    {
        # The items of Event.programme: made with the group field, its fields defined here.
        "name": "EventProgramme",
        "fields": [
            {"name": "starts", "kind": "time"},
            {"name": "talk", "kind": "char", "required": True, "default": "To be announced"},
            {"name": "speaker", "kind": "char"},
        ],
    },
    {
        "name": "TeamMember",
        "api_public": True,
        "verbose_name": "team member",
        "verbose_name_plural": "team members",
        "description": "The people on the Team page.",
        "icon": "user",
        "title_field": "name",
        "listing_columns": ["name", "role"],
        "search_fields": ["name", "role"],
        "ordering": ["name"],
        "fields": [
            {"name": "name", "kind": "char", "required": True, "options": {"max_length": 100}},
            {"name": "role", "kind": "char", "options": {"max_length": 100}},
            {"name": "photo", "kind": "image"},
            {"name": "bio", "kind": "text"},
        ],
    },
    {
        "name": "Category",
        "api_public": True,
        "verbose_name": "category",
        "verbose_name_plural": "categories",
        "description": "Shop categories; products link to one.",
        "icon": "folder-open-inverse",
        "title_field": "name",
        "ordering": ["name"],
        "fields": [
            {
                "name": "name",
                "kind": "char",
                "required": True,
                "unique": True,
                "options": {"max_length": 100},
            },
        ],
    },
    {
        "name": "Product",
        "api_public": True,
        "verbose_name": "product",
        "verbose_name_plural": "products",
        "description": "The shop's products. Weight and material are attributes the shop owner "
        "added in the builder.",
        "icon": "tag",
        "title_field": "title",
        "listing_columns": ["title", "price", "stock", "category"],
        "search_fields": ["title", "material"],
        "ordering": ["title"],
        "fields": [
            {"name": "title", "kind": "char", "required": True, "options": {"max_length": 200}},
            {
                "name": "price",
                "kind": "decimal",
                "required": True,
                "indexed": True,
                "help": "In euros.",
                "options": {"max_digits": 8, "decimal_places": 2},
            },
            {"name": "stock", "kind": "integer", "default": "0"},
            {"name": "colour", "kind": "choice", "choices": COLOURS},
            {
                "name": "category",
                "kind": "foreign_key",
                "related_model": "Category",
                "options": {"related_name": "products"},
            },
            {"name": "image", "kind": "image"},
            {"name": "description", "kind": "rich_text"},
            # The "owner-defined attributes" of django-dynamo's web shop use case.
            {
                "name": "weight",
                "kind": "decimal",
                "verbose_name": "weight (kg)",
                "options": {"max_digits": 6, "decimal_places": 2},
            },
            {"name": "material", "kind": "char", "options": {"max_length": 100}},
            # A body of blocks the shop owner arranges per product (a stream field).
            {
                "name": "story",
                "kind": "stream",
                "verbose_name": "product story",
                "help": "Headings, paragraphs, images, quotes and a button, in any order.",
                "options": {
                    "blocks": ["heading", "paragraph", "image", "quote", "call_to_action"],
                    "max_num": 12,
                    "block_counts": [{"block": "call_to_action", "max_num": 1}],
                },
            },
        ],
    },
    {
        "name": "SurveyAnswer",
        "verbose_name": "survey answer",
        "verbose_name_plural": "survey answers",
        "description": "One row per submission of the public survey form. Each field is a "
        "question; add a field in the builder to ask another one.",
        "icon": "form",
        "title_field": "email",
        "listing_columns": ["found_us", "rating", "email"],
        "ordering": ["-id"],
        # One answer per address, whatever its case: a database constraint.
        "constraints": [
            {
                "type": "unique",
                "fields": ["email"],
                "ignore_case": True,
                "message": "This address has answered already: thank you!",
            }
        ],
        "fields": [
            {
                "name": "found_us",
                "kind": "choice",
                "verbose_name": "How did you hear about us?",
                "required": True,
                "choices": FOUND_US,
                "options": {"widget": "radio"},
            },
            {
                "name": "rating",
                "kind": "positive_small_integer",
                "verbose_name": "How would you rate this demo?",
                "required": True,
                "choices": RATINGS,
            },
            {"name": "comment", "kind": "text", "verbose_name": "Anything else?"},
            {
                "name": "email",
                "kind": "email",
                "verbose_name": "Your email",
                "required": True,
                "help": "One answer per address. We write only if you ask us something.",
            },
        ],
    },
]

#: Images generated with Pillow: title → (background, accent) colours.
IMAGES: dict[str, tuple[str, str]] = {
    "Ada (portrait)": ("#f2c6b4", "#7a3b2e"),
    "Grace (portrait)": ("#c9dcf0", "#1f4e79"),
    "Linus (portrait)": ("#d6ecd2", "#2e6b30"),
    "Red mug": ("#fbe3e3", "#c0392b"),
    "Blue notebook": ("#e3ecfb", "#2461b2"),
    "Green tote bag": ("#e5f5e0", "#3a8a3a"),
    "Black desk lamp": ("#eeeeee", "#222222"),
    "White sneakers": ("#f4f1ea", "#b8b0a0"),
}

TEAM = [
    {
        "name": "Ada Lovelace",
        "role": "Editor in chief",
        "photo": "Ada (portrait)",
        "bio": "Ada decides what goes on the site, and defined the Event type herself.",
    },
    {
        "name": "Grace Hopper",
        "role": "Developer",
        "photo": "Grace (portrait)",
        "bio": "Grace wrote the templates that render every content type.",
    },
    {
        "name": "Linus Pauling",
        "role": "Shop owner",
        "photo": "Linus (portrait)",
        "bio": "Linus added the weight and material attributes to products.",
    },
]

CATEGORIES = ["Kitchen", "Office", "Clothing"]

PRODUCTS = [
    {
        "title": "Red mug",
        "price": Decimal("9.50"),
        "stock": 42,
        "colour": "red",
        "category": "Kitchen",
        "image": "Red mug",
        "description": "<p>A sturdy stoneware mug that holds a large coffee.</p>",
        "weight": Decimal("0.35"),
        "material": "Stoneware",
        "story": [
            {"type": "heading", "value": "Thrown by hand"},
            {
                "type": "paragraph",
                "value": "<p>Each mug is glazed twice, so no two reds match.</p>",
            },
        ],
    },
    {
        "title": "Blue notebook",
        "price": Decimal("4.90"),
        "stock": 120,
        "colour": "blue",
        "category": "Office",
        "image": "Blue notebook",
        "description": "<p>A5, dotted pages, lies flat when open.</p>",
        "weight": Decimal("0.20"),
        "material": "Recycled paper",
    },
    {
        "title": "Green tote bag",
        "price": Decimal("12.00"),
        "stock": 15,
        "colour": "green",
        "category": "Clothing",
        "image": "Green tote bag",
        "description": "<p>Organic cotton, long handles, an inner pocket.</p>",
        "weight": Decimal("0.15"),
        "material": "Organic cotton",
    },
    {
        "title": "Black desk lamp",
        "price": Decimal("49.00"),
        "stock": 5,
        "colour": "black",
        "category": "Office",
        "image": "Black desk lamp",
        "description": "<p>An adjustable arm and a warm LED.</p>",
        "weight": Decimal("1.40"),
        "material": "Steel",
        "story": [
            {"type": "heading", "value": "Made to be moved"},
            {
                "type": "paragraph",
                "value": "<p>Three joints and a heavy base: the light goes where you work, "
                "and the lamp stays put.</p>",
            },
            {
                "type": "quote",
                "value": {"quote": "The last desk lamp I will buy.", "attribution": "A customer"},
            },
            {
                "type": "call_to_action",
                "value": {"text": "See the office range", "page": None, "url": "/shop/"},
            },
        ],
    },
    {
        "title": "White sneakers",
        "price": Decimal("79.00"),
        "stock": 0,
        "colour": "white",
        "category": "Clothing",
        "image": "White sneakers",
        "description": "<p>Canvas sneakers. Sold out — more next month.</p>",
        "weight": Decimal("0.80"),
        "material": "Canvas",
    },
]


def events(now: Any) -> list[dict[str, Any]]:
    """Sample events around ``now``: one past, three upcoming."""
    day = now.replace(hour=18, minute=30, second=0, microsecond=0)
    return [
        {
            "title": "Dynamic models, ten years on",
            "starts": day - timedelta(days=20),
            "venue": "Room 1, Town Library",
            "tags": ["django", "history"],
            "description": "<p>A look back at django-dynamo and what changed since South.</p>",
        },
        {
            "title": "Wagtail editors' meet-up",
            "starts": day + timedelta(days=7),
            "venue": "Café Central",
            "tags": ["wagtail", "meet-up"],
            "programme": [
                {"starts": time(18, 30), "talk": "Welcome and coffee", "speaker": "Ada Lovelace"},
                {"starts": time(19, 0), "talk": "Five content types in five minutes"},
                {
                    "starts": time(19, 30),
                    "talk": "Templates for everyone",
                    "speaker": "Grace Hopper",
                },
            ],
            "description": "<p>Editors show the content types they built. Bring a laptop.</p>",
        },
        {
            "title": "Workshop: a shop without migrations",
            "starts": day + timedelta(days=14),
            "venue": "Room 2, Town Library",
            "tags": ["django", "wagtail", "workshop"],
            "description": "<p>Define products, categories and attributes in the admin, "
            "then render them on a page.</p>",
        },
        {
            "title": "Survey results evening",
            "starts": day + timedelta(days=30),
            "venue": "Online",
            "tags": ["survey"],
            "description": "<p>We go through the answers to the demo survey.</p>",
        },
    ]


SURVEY_ANSWERS = [
    {"found_us": "friend", "rating": 5, "comment": "Nice demo!", "email": "friend@example.com"},
    {"found_us": "search", "rating": 4, "comment": "", "email": "visitor@example.com"},
]
