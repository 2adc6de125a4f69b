"""The editing form of a generated type: its fields as Wagtail panels, laid out as defined.

Without a layout the fields come in builder order. With one (:mod:`dynamo_wagtail.layout`)
each tab is an ``ObjectList`` of a ``TabbedInterface``, a section a ``MultiFieldPanel``
(collapsed if asked) and a row a ``FieldRowPanel``; fields the layout leaves out follow in the
first tab. Publishing dates stay in Wagtail's scheduling dialog (``PublishingPanel``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    PublishingPanel,
    TabbedInterface,
)

from .. import conditions as form_conditions
from .. import layout as form_layout


def field_panel(name: str, conditions_by_name: dict[str, Any]) -> Any:
    """A field's panel; shown by Wagtail's ``w-rules`` controller if it has a condition."""
    if isinstance(conditions_by_name.get(name), InlinePanel):
        return conditions_by_name[name]
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


def group_panels(model: type[models.Model]) -> dict[str, InlinePanel]:
    """An ``InlinePanel`` per group field whose items have their type: add, remove and
    reorder items in the entry's form, each with its fields."""
    spec = model.dynamo_spec  # type: ignore[attr-defined]
    result: dict[str, InlinePanel] = {}
    for f in spec.active_fields:
        if f.kind != "group":
            continue
        try:
            items: Any = model._meta.get_field(f.name).related_model
        except FieldDoesNotExist:
            continue  # its item type is not made yet
        children = [FieldPanel(c.name) for c in items.dynamo_spec.active_fields]
        result[f.name] = InlinePanel(
            f.name,
            panels=children,
            label=f.verbose_name or f.name.replace("_", " "),
            help_text=f.help_text,
            min_num=f.option("min_num") or None,
            max_num=f.option("max_num") or None,
        )
    return result


def edit_handler(model: type[models.Model], fields: dict[str, Any]) -> ObjectList:
    """The edit handler of ``model`` (``fields``: its own fields in builder order)."""
    spec = model.dynamo_spec  # type: ignore[attr-defined]
    groups = group_panels(model)
    if groups:  # in builder order, among the fields
        fields = {f.name: fields.get(f.name) for f in spec.active_fields}
    editable = {n for n, field in fields.items() if n in groups or field and field.editable}
    extra = [PublishingPanel()] if spec.option("drafts") else []
    shown: dict[str, Any] = {
        f.name: f.option(form_conditions.OPTION)
        for f in spec.active_fields
        if f.option(form_conditions.OPTION)
    }
    shown.update(groups)  # a group's panel goes where the group is
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
