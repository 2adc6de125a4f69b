"""Figure 8: the field builder's edit page of a 20-field type, its weight and render time.

The definition of every offered kind's block (StreamField's telepath JSON) is not on the page:
the page names it by version and the builder fetches it once per version, keeping it in the
browser's local storage. The
weight is the page's size, and that JSON's beside it (what a first visit loads on top); the
server render time is compared, side by side, with the generated type's own edit view of one
entry.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bench.common import Row, compare, ratio_row
from bench.context import Bench

#: 20 fields of mixed kinds, every group of the kind picker among them.
FIELDS: list[dict[str, Any]] = [
    {"name": "title", "kind": "char", "required": True},
    {"name": "summary", "kind": "text", "help": "A short summary."},
    {"name": "body", "kind": "rich_text"},
    {"name": "slug", "kind": "slug", "unique": True},
    {"name": "email", "kind": "email"},
    {"name": "website", "kind": "url"},
    {"name": "stock", "kind": "integer", "default": "0"},
    {"name": "views", "kind": "big_integer"},
    {"name": "price", "kind": "decimal", "options": {"max_digits": 8, "decimal_places": 2}},
    {"name": "weight", "kind": "float"},
    {"name": "active", "kind": "boolean"},
    {"name": "released", "kind": "date"},
    {"name": "updated", "kind": "datetime"},
    {"name": "opens", "kind": "time"},
    {"name": "colour", "kind": "choice", "choices": "red\ngreen\nblue"},
    {"name": "tags", "kind": "multiple_choice", "choices": "new\nsale"},
    {"name": "photo", "kind": "image"},
    {"name": "manual", "kind": "document"},
    {"name": "page", "kind": "page"},
    {"name": "extra", "kind": "json"},
]

_DATA_BLOCK = re.compile(r"""data-w-block-data-value=(?:'([^']*)'|"([^"]*)")""")
_DEFINITIONS_URL = re.compile(r'data-dynamo-builder-definitions-value="([^"]*)"')


def block_definition_bytes(page: str) -> int:
    """Bytes of StreamField block definitions the page itself carries (unescaped)."""
    return sum(len(html.unescape(a or b).encode()) for a, b in _DATA_BLOCK.findall(page))


def definitions_url(page: str) -> str:
    """The address the builder fetches its block definitions from."""
    found = _DEFINITIONS_URL.search(page)
    assert found, "no builder on the page"
    return html.unescape(found.group(1))


def build_type(name: str = "BuilderProbe") -> tuple[Any, Any]:
    """A type with :data:`FIELDS` and one entry: (its MetaModel, the entry)."""
    from dynamo_wagtail import api
    from dynamo_wagtail.models import MetaModel

    api.create_type(name, FIELDS, title_field="title")
    model = api.get_model(name)
    entry = model.objects.create(title="One", stock=3, colour="red", tags=["new"])
    return MetaModel.objects.get(name=name), entry


def measure(bench: Bench) -> None:
    from django.urls import reverse

    meta_model, entry = build_type()
    client = bench.client()
    urls = {
        "builder": reverse("wagtailsnippets_dynamo_wagtail_metamodel:edit", args=[meta_model.pk]),
        "entry": reverse(type(entry).snippet_viewset.get_url_name("edit"), args=[entry.pk]),
    }
    pages: dict[str, str] = {}

    def get(name: str):
        def fn() -> None:
            response = client.get(urls[name])
            assert response.status_code == 200, (urls[name], response.status_code)
            pages[name] = response.content.decode()

        return fn

    times = compare({k: get(k) for k in urls}, bench.size["listing_runs"])
    size = len(pages["builder"].encode()) / 1024
    inline = block_definition_bytes(pages["builder"]) / 1024
    fetched = client.get(definitions_url(pages["builder"]))
    assert fetched.status_code == 200, fetched.status_code
    definitions = len(fetched.content) / 1024
    entry_size = len(pages["entry"].encode()) / 1024
    bench.rows.append(
        Row(
            "builder",
            f"builder edit page of a {len(FIELDS)}-field type: size (block definitions on the "
            "page; at their own address, fetched once and kept)",
            f"{size:.0f} KiB ({inline:.0f} KiB; {definitions:.0f} KiB); "
            f"the entry's edit page {entry_size:.0f} KiB",
            "≤ 150 KiB",
            size <= 150,
            {
                "kib": size,
                "inline_definitions_kib": inline,
                "definitions_kib": definitions,
                "entry_kib": entry_size,
            },
        )
    )
    bench.rows.append(
        ratio_row(
            "builder",
            "server render: builder edit view ÷ the type's entry edit view (one entry)",
            times["builder"],
            times["entry"],
            2.0,
        )
    )
