"""Which templates render an entry or a list of entries, and with what context.

Templates are looked up per type, so a designer can override one type:
``dynamo/<type>/detail.html`` → ``dynamo/detail.html`` → ``dynamo_wagtail/detail.html``
(and the same with ``list.html``). The last one ships with the package; it is not
called ``dynamo/detail.html`` because admin previews look that name up too, with a
different context. Each field's HTML comes from :mod:`.rendering`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.template.loader import select_template
from django.utils.safestring import SafeString, mark_safe

from .rendering import RenderedField, entry_fields, entry_url


def detail_templates(model: type[models.Model] | None) -> list[str]:
    """Template names of an entry's detail, most specific first."""
    return _names(model, "detail.html")


def list_templates(model: type[models.Model] | None) -> list[str]:
    """Template names of a list of entries, most specific first."""
    return _names(model, "list.html")


def _names(model: type[models.Model] | None, leaf: str) -> list[str]:
    names = [f"dynamo/{leaf}", f"dynamo_wagtail/{leaf}"]
    if model is not None:
        names.insert(0, f"dynamo/{model._meta.model_name}/{leaf}")
    return names


def detail_context(entry: models.Model, request: Any = None) -> dict[str, Any]:
    """``entry``, ``fields`` (RenderedField list), ``url`` and ``model_name`` of an entry."""
    return {
        "entry": entry,
        "fields": entry_fields(entry, request=request),
        "url": entry_url(entry, request),
        "model_name": entry._meta.model_name,
        "verbose_name": entry._meta.verbose_name,
    }


@dataclass(frozen=True)
class ListItem:
    """One entry of a list: the entry, its URL (or None) and its rendered fields."""

    entry: models.Model
    url: str | None
    fields: list[RenderedField]

    def __str__(self) -> str:
        return str(self.entry)


def model_of(entries: Iterable[models.Model]) -> type[models.Model] | None:
    """The generated class of a queryset or list of entries (None for an empty list)."""
    model = getattr(entries, "model", None)
    if model is not None:
        return model
    for entry in entries:
        return type(entry)
    return None


def with_links(qs: models.QuerySet) -> models.QuerySet:
    """``qs`` fetching the links, tags and group items of its entries in one query per
    field."""
    spec = getattr(qs.model, "dynamo_spec", None)
    several = [f.name for f in qs.model._meta.local_many_to_many]
    if spec is not None:
        names = {f.name for f in qs.model._meta.get_fields()}
        several += [f.name for f in spec.active_fields if f.kind == "group" and f.name in names]
    return qs.prefetch_related(*several) if several else qs


def list_context(
    entries: Iterable[models.Model],
    model: type[models.Model] | None = None,
    request: Any = None,
) -> dict[str, Any]:
    """``entries``, ``items`` (ListItem list), ``model_name`` and ``verbose_name_plural``.

    The links and tags of a queryset's entries are fetched in one query per field."""
    if isinstance(entries, models.QuerySet):
        entries = with_links(entries)
    rows = list(entries)
    model = model or model_of(entries)
    items = [
        ListItem(entry, entry_url(entry, request), entry_fields(entry, request=request))
        for entry in rows
    ]
    return {
        "entries": rows,
        "items": items,
        "model_name": model._meta.model_name if model else "",
        "verbose_name_plural": model._meta.verbose_name_plural if model else "",
    }


def render_detail(
    entry: models.Model, *, request: Any = None, extra: dict[str, Any] | None = None
) -> SafeString:
    """An entry through its type's detail template (outside a template, e.g. in blocks)."""
    context = {**(extra or {}), **detail_context(entry, request)}
    template = select_template(detail_templates(type(entry)))
    return mark_safe(template.render(context, request))


def render_list(
    entries: Iterable[models.Model],
    *,
    model: type[models.Model] | None = None,
    request: Any = None,
    extra: dict[str, Any] | None = None,
) -> SafeString:
    """Entries through their type's list template (outside a template, e.g. in blocks)."""
    model = model or model_of(entries)
    context = {**(extra or {}), **list_context(entries, model, request)}
    template = select_template(list_templates(model))
    return mark_safe(template.render(context, request))
