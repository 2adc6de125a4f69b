"""The editing form of a generated type: its fields as Wagtail panels, laid out as defined.

Without a layout the fields come in builder order. With one (:mod:`dynamo_wagtail.layout`)
each tab is an ``ObjectList`` of a ``TabbedInterface``, a section a ``MultiFieldPanel``
(collapsed if asked) and a row a ``FieldRowPanel``; fields the layout leaves out follow in the
first tab. Publishing dates stay in Wagtail's scheduling dialog (``PublishingPanel``).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    PublishingPanel,
    TabbedInterface,
)

from .. import layout as form_layout


def _field_panels(items: list[Any], editable: set[str]) -> list[Any]:
    result: list[Any] = []
    for item in items:
        if isinstance(item, str):
            if item in editable:
                result.append(FieldPanel(item))
        elif "row" in item:
            row = [FieldPanel(name) for name in item["row"] if name in editable]
            if row:
                result.append(FieldRowPanel(row))
        else:
            inner = _field_panels(item["items"], editable)
            if inner:
                classname = "collapsed" if item["collapsed"] else ""
                result.append(MultiFieldPanel(inner, heading=item["section"], classname=classname))
    return result


def edit_handler(model: type[models.Model], fields: dict[str, models.Field]) -> ObjectList:
    """The edit handler of ``model`` (``fields``: its own fields in builder order)."""
    spec = model.dynamo_spec  # type: ignore[attr-defined]
    editable = {name for name, field in fields.items() if field.editable}
    extra = [PublishingPanel()] if spec.option("drafts") else []
    tabs = form_layout.parse(spec.option("layout") or [])
    if not tabs:
        return ObjectList([*(FieldPanel(n) for n in fields if n in editable), *extra])
    placed = set(form_layout.names(tabs))
    rest = [FieldPanel(name) for name in fields if name in editable and name not in placed]
    objects = []
    for index, tab in enumerate(tabs):
        children = _field_panels(tab["items"], editable)
        if index == 0:
            children += [*rest, *extra]
        objects.append(ObjectList(children, heading=tab["tab"]))
    return TabbedInterface(objects)
