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

from .. import conditions as form_conditions
from .. import layout as form_layout


def field_panel(name: str, conditions_by_name: dict[str, Any]) -> FieldPanel:
    """A field's panel; shown by Wagtail's ``w-rules`` controller if it has a condition."""
    condition = conditions_by_name.get(name)
    if condition is None:
        return FieldPanel(name)
    return FieldPanel(name, attrs=form_conditions.rules_attrs(condition, condition["field"]))


def _field_panels(items: list[Any], editable: set[str], shown: dict[str, Any]) -> list[Any]:
    result: list[Any] = []
    for item in items:
        if isinstance(item, str):
            if item in editable:
                result.append(field_panel(item, shown))
        elif "row" in item:
            row = [field_panel(name, shown) for name in item["row"] if name in editable]
            if row:
                result.append(FieldRowPanel(row))
        else:
            inner = _field_panels(item["items"], editable, shown)
            if inner:
                classname = "collapsed" if item["collapsed"] else ""
                result.append(MultiFieldPanel(inner, heading=item["section"], classname=classname))
    return result


def edit_handler(model: type[models.Model], fields: dict[str, models.Field]) -> ObjectList:
    """The edit handler of ``model`` (``fields``: its own fields in builder order)."""
    spec = model.dynamo_spec  # type: ignore[attr-defined]
    editable = {name for name, field in fields.items() if field.editable}
    extra = [PublishingPanel()] if spec.option("drafts") else []
    shown = {
        f.name: f.option(form_conditions.OPTION)
        for f in spec.active_fields
        if f.option(form_conditions.OPTION)
    }
    tabs = form_layout.parse(spec.option("layout") or [])
    if not tabs:
        return ObjectList([*(field_panel(n, shown) for n in fields if n in editable), *extra])
    placed = set(form_layout.names(tabs))
    rest = [field_panel(n, shown) for n in fields if n in editable and n not in placed]
    objects = []
    for index, tab in enumerate(tabs):
        children = _field_panels(tab["items"], editable, shown)
        if index == 0:
            children += [*rest, *extra]
        objects.append(ObjectList(children, heading=tab["tab"]))
    return TabbedInterface(objects)
