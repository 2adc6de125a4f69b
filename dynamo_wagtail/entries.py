"""Public querysets of generated types: what visitors of the site may see.

One place decides which entries a template tag, a StreamField block or a page
shows, and checks the names that templates and editors write (type names, filter
lookups, orderings) against the type's active fields. Every check fails with
:class:`UnknownName`, whose message names what was not found, so callers can
turn it into a template error (``DEBUG``) or a logged warning (production).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.db.models import Count
from django.db.models.constants import LOOKUP_SEP
from taggit.managers import TaggableManager
from taggit.models import TagBase

from . import api
from .models import MetaModel
from .presentation import with_links

#: Names that may start a filter or an ordering besides the type's own fields.
ALWAYS_ALLOWED = frozenset({"pk", "id"})


class UnknownName(LookupError):
    """A type, field, lookup or value that a template or block refers to does not exist."""


def model_for_name(name: str) -> type[models.Model]:
    """The generated class of the active type called ``name`` (case-insensitive)."""
    try:
        model = api.get_model(str(name))
    except LookupError:
        raise UnknownName(f"there is no content type called {name!r}") from None
    if not model.dynamo_spec.is_active:  # type: ignore[attr-defined]
        raise UnknownName(f"the content type {name!r} is in the trash")
    return model


def model_for_uid(uid: str | uuid.UUID | None) -> type[models.Model] | None:
    """The generated class of the active type with stable id ``uid``; None if gone.

    Blocks and pages store the id, not the name, so a renamed type is still found.
    """
    if not uid:
        return None
    try:
        meta_model = MetaModel.objects.active().get(uid=uid)
    except (MetaModel.DoesNotExist, ValidationError, ValueError):
        return None
    try:
        return meta_model.get_model()
    except LookupError:
        return None


def type_choices() -> list[tuple[str, str]]:
    """(stable id, label) of every active type, for choosers in blocks and forms."""
    rows = MetaModel.objects.active().filter(applied_spec__isnull=False).order_by("name")
    return [(str(m.uid), f"{m} ({m.name})" if m.verbose_name else m.name) for m in rows]


def field_names(model: type[models.Model]) -> set[str]:
    """Names that templates may filter and order on: active fields, ``pk`` and ``id``."""
    spec = model.dynamo_spec  # type: ignore[attr-defined]
    return {f.name for f in spec.active_fields} | ALWAYS_ALLOWED


def _check_name(
    model: type[models.Model], path: str, what: str, *, allow_static_fields: bool
) -> None:
    """Check each step of ``path`` that names a field of a content type.

    Steps into another content type are checked against its active fields; what
    follows a plain field is a lookup or transform, left to Django. Into a static model
    (users, images, pages …) only ``pk``/``id`` and lookups may follow unless
    ``allow_static_fields`` is true: editors writing block filters must not probe, say,
    users' columns.
    """
    current: type[models.Model] | None = model
    for step, part in enumerate(path.split(LOOKUP_SEP)):
        if current is None:
            return  # a lookup or transform of a plain field
        if hasattr(current, "dynamo_spec"):
            if part not in field_names(current):
                if step == 0 or part in current._meta.fields_map:
                    renamed = current.dynamo_spec.renamed(part)
                    hint = f"; it was renamed to {renamed.name!r}" if renamed else ""
                    raise UnknownName(
                        f"{current.__name__} has no field {part!r} (in {what} {path!r}){hint}"
                    )
                return  # a lookup on the relation itself, e.g. maker__in
            if part in ALWAYS_ALLOWED:
                return
            field = current._meta.get_field(part)
            related = field.related_model if field.is_relation else None
            assert not isinstance(related, str)  # a built class's relations are resolved
            current = related
        else:
            names = {f.name for f in current._meta.get_fields()}
            if issubclass(current, TagBase):
                return  # a tag's name and slug are what visitors see anyway
            if part in names and part not in ALWAYS_ALLOWED and not allow_static_fields:
                raise UnknownName(
                    f"filtering on fields of {current._meta.label} is not allowed here "
                    f"(in {what} {path!r})"
                )
            return


def public(model: type[models.Model]) -> models.QuerySet:
    """Entries visitors may see, in the type's default order.

    Types with drafts show live entries only; translated types show the entries of
    the active language when a locale for it exists.
    """
    spec = model.dynamo_spec  # type: ignore[attr-defined]
    qs = model._default_manager.all()
    if spec.option("drafts"):
        qs = qs.filter(live=True)
    if spec.option("translation"):
        from wagtail.models import Locale

        with contextlib.suppress(Locale.DoesNotExist):
            qs = qs.filter(locale=Locale.get_active())
    return in_default_order(qs)


def in_default_order(qs: models.QuerySet) -> models.QuerySet:
    """``qs`` in its type's default ordering (of fields it still has), else by pk."""
    names = field_names(qs.model)
    spec = qs.model.dynamo_spec
    ordering = [o for o in spec.option("ordering") or [] if o.lstrip("-") in names]
    return qs.order_by(*(ordering or ["pk"]))


def parse_filter_lines(text: str) -> dict[str, str]:
    """``field__lookup=value`` lines (blank lines and ``#`` comments skipped) as a dict."""
    result: dict[str, str] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise UnknownName(f"line {number} is not of the form field__lookup=value: {line!r}")
        result[key.strip()] = value.strip()
    return result


def parse_order(order_by: str | Iterable[str] | None) -> list[str]:
    """An ordering given as ``"-price"``, ``"category,-price"`` or a list, as a list."""
    if not order_by:
        return []
    items = order_by.split(",") if isinstance(order_by, str) else list(order_by)
    return [str(item).strip() for item in items if str(item).strip()]


def entries(
    model: type[models.Model],
    filters: Mapping[str, Any] | None = None,
    order_by: str | Iterable[str] | None = None,
    limit: int | str | None = None,
    *,
    allow_static_fields: bool = True,
) -> models.QuerySet:
    """Public entries of ``model`` filtered, ordered and limited; names checked first.

    Raises :class:`UnknownName` for a field that is not an active field of the type,
    a lookup Django does not know, a value the field cannot take or a bad limit.
    ``allow_static_fields=False`` refuses steps into the fields of static models (for
    what editors type).
    """
    qs = public(model)
    filters = dict(filters or {})
    for key in filters:
        _check_name(model, key, "filter", allow_static_fields=allow_static_fields)
    ordering = parse_order(order_by)
    for item in ordering:
        _check_name(model, item.lstrip("-"), "order_by", allow_static_fields=allow_static_fields)
    try:
        if filters:
            qs = qs.filter(**filters)
        if ordering:
            qs = qs.order_by(*ordering)
    except FieldError as exc:
        raise UnknownName(f"{model.__name__}: {exc}") from None
    except (ValidationError, ValueError, TypeError) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        raise UnknownName(f"{model.__name__}: bad filter value: {' '.join(messages)}") from None
    if limit not in (None, ""):
        try:
            count = int(limit)
        except (TypeError, ValueError):
            raise UnknownName(f"limit must be a whole number, not {limit!r}") from None
        if count < 0:
            raise UnknownName(f"limit must not be negative, not {count}")
        qs = qs[:count]
    return with_links(qs)


def tags_of(model: type[models.Model], name: str) -> list[Any]:
    """The tags of the tags field ``name`` that public entries carry, by name, each with
    ``entries``: how many public entries carry it."""
    field = model._meta.get_field(name) if name in field_names(model) else None
    if not isinstance(field, TaggableManager):
        raise UnknownName(f"{model.__name__} has no tags field {name!r}")
    relation = field.through.tag_relname()
    tags = field.related_model._default_manager.filter(
        **{f"{relation}__content_object__in": public(model).order_by().values("pk")}
    )
    return list(tags.annotate(entries=Count(relation, distinct=True)).order_by("name"))
