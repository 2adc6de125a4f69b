"""The layout of a type's editing form, edited as blocks: tabs of fields, rows and sections.

The blocks hold the layout of :mod:`dynamo_wagtail.layout` as the editor arranges it; a
field is chosen from the type's fields (stored by its name, which follows the field's renames
like the type options do).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from wagtail import blocks
from wagtail.blocks import StreamValue


def layout_block(fields: Sequence[tuple[str, str]] = ()) -> blocks.StreamBlock:
    """The layout's blocks, a field chosen from ``fields`` ((name, label) pairs)."""
    return _layout_block(tuple(fields))


@lru_cache(maxsize=64)
def _layout_block(fields: tuple[tuple[str, str], ...]) -> blocks.StreamBlock:
    choices = [(name, label if label == name else f"{label} ({name})") for name, label in fields]
    field = blocks.ChoiceBlock(choices=choices, label="Field")
    row = blocks.ListBlock(
        blocks.ChoiceBlock(choices=choices, label="Field"),
        min_num=2,
        max_num=4,
        label="Row",
        help_text="Fields side by side.",
    )
    section = blocks.StructBlock(
        [
            ("heading", blocks.CharBlock(max_length=100)),
            ("collapsed", blocks.BooleanBlock(required=False, help_text="Closed until opened.")),
            ("items", blocks.StreamBlock([("field", field), ("row", row)], required=False)),
        ],
        label="Section",
        icon="doc-empty",
    )
    tab = blocks.StructBlock(
        [
            ("heading", blocks.CharBlock(max_length=100)),
            (
                "items",
                blocks.StreamBlock(
                    [("field", field), ("row", row), ("section", section)], required=False
                ),
            ),
        ],
        label="Tab",
        icon="folder-open-inverse",
    )
    return blocks.StreamBlock([("tab", tab)], required=False)


def _raw_items(items: list[Any]) -> list[dict[str, Any]]:
    raw: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, str):
            raw.append({"type": "field", "value": item})
        elif "row" in item:
            raw.append({"type": "row", "value": list(item["row"])})
        else:
            value = {
                "heading": item["section"],
                "collapsed": item["collapsed"],
                "items": _raw_items(item["items"]),
            }
            raw.append({"type": "section", "value": value})
    return raw


def to_value(layout: list[dict[str, Any]], block: blocks.StreamBlock) -> StreamValue:
    """The blocks of a stored layout (already parsed)."""
    raw = [
        {"type": "tab", "value": {"heading": t["tab"], "items": _raw_items(t["items"])}}
        for t in layout
    ]
    return block.to_python(raw)


def _items(value: Any) -> list[Any]:
    result: list[Any] = []
    for child in value or []:
        if child.block_type == "field":
            result.append(child.value)
        elif child.block_type == "row":
            result.append({"row": list(child.value)})
        else:
            result.append(
                {
                    "section": child.value["heading"],
                    "collapsed": bool(child.value["collapsed"]),
                    "items": _items(child.value["items"]),
                }
            )
    return result


def from_value(value: StreamValue | None) -> list[dict[str, Any]]:
    """The layout the blocks describe, as stored (checked by the definition)."""
    return [
        {"tab": child.value["heading"], "items": _items(child.value["items"])}
        for child in value or []
    ]
