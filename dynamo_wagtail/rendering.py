"""The natural HTML of each field kind (the per-type templates: :mod:`.presentation`).

Template tags, StreamField blocks and pages all render entries through this module,
so a value looks the same wherever it appears: rich text expanded through Wagtail's
``richtext`` filter, Wagtail images as a rendition ``<img>``, documents, pages and
linked entries as links, choices by their label, yes/no as words, dates localized.
Everything else is escaped.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.html import escape, format_html, format_html_join, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs
from django.utils.translation import gettext as _

from .conf import settings
from .spec import FieldSpec

#: A renderer: (entry, field spec, value, request, options) → safe HTML.
Renderer = Callable[[models.Model, FieldSpec, Any, Any, dict[str, Any]], SafeString]

_renderers: dict[str, Renderer] = {}

logger = logging.getLogger("dynamo_wagtail.templates")


def register_renderer(*kind_names: str) -> Callable[[Renderer], Renderer]:
    """Register a function as the HTML of the named kinds (custom kinds too)."""

    def decorator(func: Renderer) -> Renderer:
        for name in kind_names:
            _renderers[name] = func
        return func

    return decorator


@dataclass(frozen=True)
class RenderedField:
    """One field of an entry, as templates see it.

    ``value`` is the raw Python value (a list of objects for many-to-many), ``html``
    its natural output; ``{{ field }}`` prints ``html``.
    """

    name: str
    label: str
    kind: str
    value: Any
    html: SafeString

    def __html__(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


# -- values ---------------------------------------------------------------------


def _raw_value(entry: models.Model, spec: FieldSpec) -> Any:
    value = getattr(entry, spec.name, None)
    if isinstance(value, models.Manager):
        return list(value.all())
    return value


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or (hasattr(value, "name") and not value)


def field_html(
    entry: models.Model,
    field: str | FieldSpec,
    *,
    request: Any = None,
    **options: Any,
) -> SafeString:
    """The natural HTML of one field of ``entry``; ``options`` e.g. ``rendition="fill-80x80"``.

    Raises LookupError if the type has no active field of that name.
    """
    spec = entry.dynamo_spec  # type: ignore[attr-defined]
    fspec = field if isinstance(field, FieldSpec) else spec.field_by_name(str(field))
    if fspec is None and not isinstance(field, FieldSpec):
        fspec = spec.renamed(str(field))
        if fspec is not None:
            logger.warning(
                "%s.%s was renamed to %s: update templates that still use %r.",
                type(entry).__name__,
                field,
                fspec.name,
                field,
            )
    if fspec is None:
        raise LookupError(f"{type(entry).__name__} has no field {field!r}")
    return _html(entry, fspec, _raw_value(entry, fspec), request, options)


def _html(
    entry: models.Model, fspec: FieldSpec, value: Any, request: Any, options: dict[str, Any]
) -> SafeString:
    if _empty(value):
        return SafeString("")
    renderer = _renderers.get(fspec.kind)
    if renderer is None:
        renderer = _render_by_field
    return renderer(entry, fspec, value, request, options)


def entry_fields(entry: models.Model, *, request: Any = None) -> list[RenderedField]:
    """Every active field of ``entry`` in builder order, with label, raw value and HTML."""
    spec = entry.dynamo_spec  # type: ignore[attr-defined]
    result = []
    for fspec in spec.active_fields:
        try:
            model_field = entry._meta.get_field(fspec.name)
        except FieldDoesNotExist:
            continue
        # A spec field is a field of its model, or a group (the reverse side of its items).
        label = fspec.verbose_name or fspec.name.replace("_", " ")
        if isinstance(model_field, models.Field):
            label = str(model_field.verbose_name)
        value = _raw_value(entry, fspec)
        result.append(
            RenderedField(
                name=fspec.name,
                label=capfirst(label),
                kind=fspec.kind,
                value=value,
                html=_html(entry, fspec, value, request, {}),
            )
        )
    return result


# -- links ----------------------------------------------------------------------


#: (app name, resolver) pairs: where an entry is published. An app registers its resolver
#: in its ``AppConfig.ready()`` (``dynamo_wagtail.contrib.pages`` does), so this module,
#: used by the generated classes, never imports the apps built on top of it.
_entry_url_resolvers: list[tuple[str, Callable[[models.Model, Any], str | None]]] = []


def register_entry_url(app_name: str, resolver: Callable[[models.Model, Any], str | None]) -> None:
    """Let ``resolver(entry, request)`` give entries' URLs while ``app_name`` is installed."""
    if (app_name, resolver) not in _entry_url_resolvers:
        _entry_url_resolvers.append((app_name, resolver))


def entry_url(entry: models.Model, request: Any = None) -> str | None:
    """The public URL of an entry: its detail page under a live ``EntryIndexPage``.

    None when ``dynamo_wagtail.contrib.pages`` is not installed or no index page
    serves the entry's type.
    """
    for app_name, resolver in _entry_url_resolvers:
        if apps.is_installed(app_name):
            url = resolver(entry, request)
            if url:
                return url
    return None


def _link(url: str | None, text: Any) -> SafeString:
    if url:
        return format_html('<a href="{}">{}</a>', url, text)
    return escape(text)


def image_html(image: Any, rendition: str | None = None, alt: str | None = None) -> SafeString:
    """A Wagtail image as the ``<img>`` of a rendition (a broken one if the file is gone)."""
    from wagtail.images.shortcuts import get_rendition_or_not_found

    spec = rendition or settings.DYNAMO_IMAGE_RENDITION
    found = get_rendition_or_not_found(image, spec)
    return found.img_tag({"alt": image.default_alt_text if alt is None else alt})


def object_html(obj: Any, request: Any = None, **options: Any) -> SafeString:
    """A related object: image rendition, document or page link, entry link, or its name."""
    from wagtail.documents.models import AbstractDocument
    from wagtail.images.models import AbstractImage
    from wagtail.models import Page

    if isinstance(obj, AbstractImage):
        return image_html(obj, options.get("rendition"))
    if isinstance(obj, AbstractDocument):
        return _link(obj.url, obj.title)
    if isinstance(obj, Page):
        url = obj.get_url(request=request) if obj.live else None
        return _link(url, obj.title)
    if hasattr(obj, "dynamo_spec"):
        return _link(entry_url(obj, request), obj)
    get_url = getattr(obj, "get_absolute_url", None)
    return _link(get_url() if callable(get_url) else None, obj)


# -- renderers per kind ---------------------------------------------------------


def _render_by_field(
    entry: models.Model, fspec: FieldSpec, value: Any, request: Any, options: dict[str, Any]
) -> SafeString:
    """Kinds without a renderer of their own: choice labels, relations, or the text."""
    model_field = entry._meta.get_field(fspec.name)
    if getattr(model_field, "choices", None):
        return escape(getattr(entry, f"get_{fspec.name}_display")())
    if isinstance(value, list):
        return format_html_join(", ", "{}", ((object_html(v, request, **options),) for v in value))
    if isinstance(value, models.Model):
        return object_html(value, request, **options)
    if isinstance(value, bool):
        return escape(_("Yes") if value else _("No"))
    return escape(formats.localize(template_localtime(value)))


@register_renderer("rich_text")
def _rich_text(
    entry: models.Model, fspec: FieldSpec, value: Any, request: Any, options: dict[str, Any]
) -> SafeString:
    from wagtail.templatetags.wagtailcore_tags import richtext

    return mark_safe(str(richtext(value)))


@register_renderer("stream")
def _stream(
    entry: models.Model, fspec: FieldSpec, value: Any, request: Any, options: dict[str, Any]
) -> SafeString:
    """Each block with its own template, as ``{% include_block %}`` renders the body."""
    return mark_safe(value.render_as_block(context={"request": request, "entry": entry}))


@register_renderer("text")
def _text(
    entry: models.Model, fspec: FieldSpec, value: Any, request: Any, options: dict[str, Any]
) -> SafeString:
    if getattr(entry._meta.get_field(fspec.name), "choices", None):
        return _render_by_field(entry, fspec, value, request, options)
    return mark_safe(linebreaks(str(value), autoescape=True))


@register_renderer("email")
def _email(
    entry: models.Model, fspec: FieldSpec, value: Any, request: Any, options: dict[str, Any]
) -> SafeString:
    return format_html('<a href="mailto:{}">{}</a>', value, value)


@register_renderer("url")
def _url(
    entry: models.Model, fspec: FieldSpec, value: Any, request: Any, options: dict[str, Any]
) -> SafeString:
    text = str(value)
    if text.lower().startswith(("http://", "https://")):
        return format_html('<a href="{}" rel="nofollow">{}</a>', text, text)
    return escape(text)


@register_renderer("multiple_choice")
def _multiple_choice(
    entry: models.Model, fspec: FieldSpec, value: Any, request: Any, options: dict[str, Any]
) -> SafeString:
    labels = {str(v): label or v for v, label in fspec.choices}
    items = value if isinstance(value, list) else [value]
    return escape(", ".join(str(labels.get(str(v), v)) for v in items))


@register_renderer("tags")
def _tags(
    entry: models.Model, fspec: FieldSpec, value: Any, request: Any, options: dict[str, Any]
) -> SafeString:
    names = sorted(tag.name for tag in value)
    return format_html(
        '<ul class="dynamo-tags">{}</ul>',
        format_html_join("", "<li>{}</li>", ((n,) for n in names)),
    )


@register_renderer("group")
def _group(
    entry: models.Model, fspec: FieldSpec, value: Any, request: Any, options: dict[str, Any]
) -> SafeString:
    """The items in their order, each with its fields (as the type's fields render)."""
    rows = [
        format_html_join(
            "", '<span class="dynamo-group__field">{}</span>', ((f.html,) for f in fields if f.html)
        )
        for fields in (entry_fields(item, request=request) for item in value)
    ]
    return format_html(
        '<ol class="dynamo-group">{}</ol>',
        format_html_join("", "<li>{}</li>", ((r,) for r in rows)),
    )


@register_renderer("file")
def _file(
    entry: models.Model, fspec: FieldSpec, value: Any, request: Any, options: dict[str, Any]
) -> SafeString:
    return _link(value.url, os.path.basename(value.name))


@register_renderer("image_file")
def _image_file(
    entry: models.Model, fspec: FieldSpec, value: Any, request: Any, options: dict[str, Any]
) -> SafeString:
    return format_html('<img src="{}" alt="">', value.url)


@register_renderer("json")
def _json(
    entry: models.Model, fspec: FieldSpec, value: Any, request: Any, options: dict[str, Any]
) -> SafeString:
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    return format_html("<pre>{}</pre>", text)
