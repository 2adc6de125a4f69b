"""Template helpers for generated content types: ``{% load dynamo_tags %}``.

``{% dynamo_entries "product" price__lt=100 order_by="-price" limit=10 as products %}``
    Public entries of a type (by name, case-insensitive): published ones only when the
    type has drafts. Other keyword arguments are ORM lookups, checked against the type's
    active fields (``pk``/``id`` too). Use ``<field>__exact=`` for a field that is itself
    called ``order_by`` or ``limit``.
``{% dynamo_render entry %}`` / ``{% dynamo_list entries %}``
    An entry (a list of entries) through ``dynamo/<type>/detail.html`` (``list.html``),
    falling back to ``dynamo/detail.html`` and then the package's default.
``{% dynamo_field entry "name" [rendition="fill-80x80"] %}``
    One field's natural HTML (see :mod:`dynamo_wagtail.rendering`).
``{{ entry|dynamo_value:"name" }}``
    A field's plain value, choices by their label.

Unknown type or field names raise ``TemplateSyntaxError`` when ``DEBUG`` is on; in
production the tag outputs nothing (an empty result for ``dynamo_entries``) and logs a
warning on the ``dynamo_wagtail.templates`` logger naming the template and the name.
"""

from __future__ import annotations

import logging
from typing import Any

from django import template
from django.conf import settings as django_settings
from django.db import models
from django.template.base import FilterExpression, Parser, Token, token_kwargs
from django.template.context import Context
from django.utils.safestring import SafeString

from .. import presentation, rendering
from ..entries import UnknownName, entries, model_for_name, model_for_uid, tags_of
from ..models import MetaModel

register = template.Library()
logger = logging.getLogger("dynamo_wagtail.templates")

#: Keyword arguments of ``dynamo_entries`` that are not filters.
OPTIONS = ("order_by", "limit")


def _template_name(context: Context | None, origin: Any = None) -> str:
    origin = origin or getattr(getattr(context, "template", None), "origin", None)
    name = getattr(origin, "template_name", None) or getattr(origin, "name", None)
    return str(name or "<unknown template>")


def fail(tag: str, where: str, message: str) -> None:
    """Raise (DEBUG) or log a warning (production) about a name a template got wrong."""
    text = f"{{% {tag} %}} in {where}: {message}"
    if django_settings.DEBUG:
        raise template.TemplateSyntaxError(text)
    logger.warning(text)


def _is_entry(obj: Any) -> bool:
    return isinstance(obj, models.Model) and hasattr(obj, "dynamo_spec")


def _resolve_model(ref: Any) -> type[models.Model]:
    """A generated class from a type name, a MetaModel or a class/entry of the type."""
    if isinstance(ref, MetaModel):
        model = model_for_uid(ref.uid)
        if model is None:
            raise UnknownName(f"the content type {ref.name!r} has no table or is in the trash")
        return model
    if hasattr(ref, "dynamo_spec") and hasattr(ref, "_meta"):
        return ref if isinstance(ref, type) else type(ref)
    if not isinstance(ref, str) or not ref:
        raise UnknownName(f"expected a content type name, got {ref!r}")
    return model_for_name(ref)


class EntriesNode(template.Node):
    """``{% dynamo_entries type [lookup=value ...] [order_by=…] [limit=…] as var %}``."""

    def __init__(
        self, type_expr: FilterExpression, kwargs: dict[str, FilterExpression], target: str
    ) -> None:
        self.type_expr = type_expr
        self.kwargs = kwargs
        self.target = target

    def render(self, context: Context) -> str:
        values = {key: expr.resolve(context) for key, expr in self.kwargs.items()}
        options = {key: values.pop(key) for key in OPTIONS if key in values}
        ref = self.type_expr.resolve(context)
        model = None
        try:
            model = _resolve_model(ref)
            result: Any = entries(
                model, values, order_by=options.get("order_by"), limit=options.get("limit")
            )
        except UnknownName as exc:
            fail("dynamo_entries", _template_name(context, self.origin), str(exc))
            result = model._default_manager.none() if model is not None else []
        context[self.target] = result
        return ""


@register.tag
def dynamo_entries(parser: Parser, token: Token) -> EntriesNode:
    bits = token.split_contents()
    tag = bits[0]
    if len(bits) < 4 or bits[-2] != "as":
        raise template.TemplateSyntaxError(
            f'Usage: {{% {tag} "type" [field__lookup=value ...] [order_by="-field"] '
            f"[limit=n] as variable %}}"
        )
    rest = bits[2:-2]
    kwargs = token_kwargs(rest, parser, support_legacy=False)
    if rest:
        raise template.TemplateSyntaxError(
            f"{tag}: expected name=value arguments, got {' '.join(rest)!r}"
        )
    return EntriesNode(parser.compile_filter(bits[1]), kwargs, bits[-1])


def _render_template(context: Context, names: list[str], values: dict[str, Any]) -> SafeString:
    """Render the first existing template of ``names`` with ``values`` on top of ``context``."""
    engine = getattr(getattr(context, "template", None), "engine", None)
    if engine is None:
        engine = template.Engine.get_default()
    found = engine.select_template(names)
    with context.push(**values):
        return SafeString(found.render(context))


@register.simple_tag(takes_context=True)
def dynamo_render(context: Context, entry: Any) -> SafeString:
    """An entry through ``dynamo/<type>/detail.html`` → ``dynamo/detail.html`` → default."""
    if entry in (None, ""):
        return SafeString("")
    if not _is_entry(entry):
        fail("dynamo_render", _template_name(context), f"{entry!r} is not a content type entry")
        return SafeString("")
    request = context.get("request")
    return _render_template(
        context,
        presentation.detail_templates(type(entry)),
        presentation.detail_context(entry, request),
    )


@register.simple_tag(takes_context=True)
def dynamo_list(context: Context, entries: Any) -> SafeString:
    """Entries through ``dynamo/<type>/list.html`` → ``dynamo/list.html`` → default."""
    entries = entries or []
    model = presentation.model_of(entries)
    if model is not None and not hasattr(model, "dynamo_spec"):
        fail("dynamo_list", _template_name(context), f"{model.__name__} is not a content type")
        return SafeString("")
    request = context.get("request")
    return _render_template(
        context,
        presentation.list_templates(model),
        presentation.list_context(entries, model, request),
    )


@register.simple_tag(takes_context=True)
def dynamo_field(context: Context, entry: Any, name: str, **options: Any) -> SafeString:
    """One field's natural HTML; ``rendition=`` picks the image filter of image fields."""
    if entry in (None, ""):
        return SafeString("")
    if not _is_entry(entry):
        fail("dynamo_field", _template_name(context), f"{entry!r} is not a content type entry")
        return SafeString("")
    try:
        return rendering.field_html(entry, name, request=context.get("request"), **options)
    except LookupError as exc:
        fail("dynamo_field", _template_name(context), str(exc))
        return SafeString("")


@register.simple_tag(takes_context=True)
def dynamo_tag_list(context: Context, type_ref: Any, name: str) -> list[Any]:
    """``{% dynamo_tag_list "Event" "tags" as tags %}``: the tags public entries carry, by
    name, each with ``entries`` (how many); list entries by one with ``{% dynamo_entries
    "Event" tags__slug=tag.slug as found %}``."""
    try:
        return tags_of(_resolve_model(type_ref), name)
    except UnknownName as exc:
        fail("dynamo_tag_list", _template_name(context), str(exc))
        return []


@register.filter
def dynamo_value(obj: Any, name: str) -> Any:
    """The value of field ``name`` of an entry, choices shown by their label."""
    display = getattr(obj, f"get_{name}_display", None)
    if callable(display):
        return display()
    value = getattr(obj, name, "")
    if hasattr(value, "all") and callable(value.all):
        return ", ".join(str(item) for item in value.all())
    return value
