"""The layout of a type's editing form: tabs, collapsible sections and side-by-side rows.

A layout is part of the definition (exported, imported, in the history) but not of the
schema: changing it runs no DDL. It names fields the way the type options do, and follows
their renames and removals. As data it is a list of tabs::

    [
        {"tab": "Product", "items": [
            "title",
            {"row": ["price", "currency"]},
            {"section": "Details", "collapsed": True, "items": ["description", "sku"]},
        ]},
        {"tab": "Shipping", "items": ["weight"]},
    ]

A field's name stands for itself; a row holds two to four fields; a section holds fields and
rows. Fields the layout leaves out follow in the first tab, so a new field always shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

MAX_TABS = 20
MAX_ROW = 4
MAX_HEADING = 100

Layout = list[dict[str, Any]]


class LayoutError(ValueError):
    """A layout that cannot be read; the message says where."""


def _heading(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LayoutError(f"{where} needs a heading.")
    if len(value) > MAX_HEADING or "\x00" in value:
        raise LayoutError(f"{where}: a heading has at most {MAX_HEADING} characters.")
    return value.strip()


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LayoutError(f"{where}: give a field's name.")
    return value.strip()


def _items(value: Any, where: str, *, sections: bool) -> list[Any]:
    if not isinstance(value, list):
        raise LayoutError(f"{where}: give a list of fields, rows and sections.")
    result: list[Any] = []
    for item in value:
        if isinstance(item, str):
            result.append(_name(item, where))
        elif isinstance(item, dict) and set(item) == {"row"}:
            row = item["row"]
            if not isinstance(row, list) or not 2 <= len(row) <= MAX_ROW:
                raise LayoutError(f"{where}: a row holds 2 to {MAX_ROW} fields.")
            result.append({"row": [_name(n, where) for n in row]})
        elif isinstance(item, dict) and "section" in item and sections:
            if not set(item) <= {"section", "collapsed", "items"}:
                raise LayoutError(f"{where}: a section has a heading, collapsed and items.")
            heading = _heading(item["section"], f"{where}, a section")
            collapsed = item.get("collapsed", False)
            if not isinstance(collapsed, bool):
                raise LayoutError(f"{where}, section '{heading}': collapsed is true or false.")
            inner = _items(item.get("items", []), f"{where}, section '{heading}'", sections=False)
            result.append({"section": heading, "collapsed": collapsed, "items": inner})
        else:
            kinds = "fields, rows and sections" if sections else "fields and rows"
            raise LayoutError(f"{where}: {item!r} is none of {kinds}.")
    return result


def parse(value: Any) -> Layout:
    """The layout as plain data; LayoutError with a message naming where it is wrong."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise LayoutError("Give the layout as a list of tabs.")
    if len(value) > MAX_TABS:
        raise LayoutError(f"A layout has at most {MAX_TABS} tabs.")
    tabs: Layout = []
    for index, tab in enumerate(value, start=1):
        if not isinstance(tab, dict) or not set(tab) <= {"tab", "items"} or "tab" not in tab:
            raise LayoutError(f"Tab {index}: give a heading ('tab') and its items.")
        heading = _heading(tab["tab"], f"Tab {index}")
        tabs.append(
            {
                "tab": heading,
                "items": _items(tab.get("items", []), f"Tab '{heading}'", sections=True),
            }
        )
    headings = [t["tab"].lower() for t in tabs]
    if len(set(headings)) != len(headings):
        raise LayoutError("Two tabs have one heading.")
    return tabs


def names(layout: Layout) -> Iterator[str]:
    """Every field name the layout places, in order."""
    for tab in layout:
        yield from _item_names(tab["items"])


def _item_names(items: list[Any]) -> Iterator[str]:
    for item in items:
        if isinstance(item, str):
            yield item
        elif "row" in item:
            yield from item["row"]
        else:
            yield from _item_names(item["items"])


def follow(layout: Layout, rename: Callable[[str], str | None]) -> Layout:
    """The layout with each name as ``rename`` gives it; None leaves the field out.

    A row left with one field becomes that field; a section or tab left empty stays (its
    heading is the editor's to remove).
    """

    def items(entries: list[Any]) -> list[Any]:
        result: list[Any] = []
        for item in entries:
            if isinstance(item, str):
                name = rename(item)
                if name is not None:
                    result.append(name)
            elif "row" in item:
                row = [n for n in (rename(m) for m in item["row"]) if n is not None]
                if len(row) >= 2:
                    result.append({"row": row})
                elif row:
                    result.append(row[0])
            else:
                result.append({**item, "items": items(item["items"])})
        return result

    return [{"tab": tab["tab"], "items": items(tab["items"])} for tab in layout]


def problems(layout: Layout, fields: set[str]) -> list[str]:
    """Names the layout gives that are no field of the type, and fields placed twice."""
    placed = list(names(layout))
    messages = [f"Unknown field '{n}'." for n in dict.fromkeys(placed) if n not in fields]
    twice = sorted({n for n in placed if placed.count(n) > 1})
    if twice:
        messages.append(f"Placed more than once: {', '.join(twice)}.")
    return messages
