"""``meta`` and references to other rows, written from the entry's own columns.

Wagtail's generated read schemas resolve each entry's ``meta`` and each relation through
nested schemas with resolvers, and a relation by loading the related row. The same JSON is
written here from what the entry already holds: its label, its id (the detail URL's
template is reversed once per request and type) and the ``<name>_id`` column of each
foreign key, so a reference costs no query and no nested validation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Optional

from django.contrib.admin.utils import quote
from django.db import models
from django.urls import NoReverseMatch, reverse
from ninja import Schema
from wagtail.api.v2.utils import get_full_url

PK = "__pk__"


def _metaclass() -> Any:
    return type(Schema)


def meta_schema(label: str, name: str, *, detail: bool) -> type[Schema]:
    """``{"type": label}`` (and ``detail_url``) with no resolvers: filled from dicts."""
    annotations: dict[str, Any] = {"type": Literal[label]}
    namespace: dict[str, Any] = {"__annotations__": annotations}
    if detail:
        annotations["detail_url"] = Optional[str]  # noqa: UP045 (built at runtime)
        namespace["detail_url"] = None
    return _metaclass()(name, (Schema,), namespace)


def ref_schema(target: type[models.Model]) -> type[Schema]:
    """``{"id", "meta": {"type"}}`` of a row of ``target``."""
    label = target._meta.label
    pk_type: Any = int if isinstance(target._meta.pk, models.AutoField) else str
    name = f"{target.__name__}Ref"
    meta = meta_schema(label, f"{target.__name__}RefMeta", detail=False)
    return _metaclass()(name, (Schema,), {"__annotations__": {"id": pk_type, "meta": meta}})


def detail_url(request: Any, label: str, pk: Any) -> str | None:
    """The entry's detail URL; the template is reversed once per request and type."""
    templates = getattr(request, "_dynamo_detail_urls", None)
    if templates is None:
        templates = {}
        if request is not None:
            request._dynamo_detail_urls = templates
    template = templates.get(label, False)
    if template is False:
        try:
            path = reverse("wagtailapi_v3:detail_snippet", kwargs={"type": label, "pk": PK})
            template = get_full_url(request, path) if request is not None else path
        except NoReverseMatch:
            template = None
        templates[label] = template
    if template is None:
        return None
    return template.replace(PK, quote(str(pk)))


def meta_resolver(label: str, *, detail: bool) -> Callable[..., dict[str, Any]]:
    if detail:

        def resolve(obj: models.Model, context: dict) -> dict[str, Any]:
            request = context.get("request") if context else None
            return {"type": label, "detail_url": detail_url(request, label, obj.pk)}

    else:

        def resolve(obj: models.Model, context: dict) -> dict[str, Any]:
            return {"type": label}

    return resolve


def ref_resolver(attname: str, label: str) -> Callable[..., dict[str, Any] | None]:
    def resolve(obj: models.Model, context: dict) -> dict[str, Any] | None:
        value = getattr(obj, attname)
        return None if value is None else {"id": value, "meta": {"type": label}}

    return resolve


def overrides(model: type[models.Model], *, detail: bool) -> dict[str, tuple[Any, Any, Any]]:
    """(annotation, default, resolver) of ``meta`` and each foreign key of ``model``, for
    ``SchemaGenerator.extend_schema``."""
    label = model._meta.label
    meta = meta_schema(label, f"{model.__name__}EntryMeta", detail=detail)
    result: dict[str, tuple[Any, Any, Any]] = {
        "meta": (meta, ..., staticmethod(meta_resolver(label, detail=detail)))
    }
    names = {f.name for f in model.dynamo_spec.active_fields}  # type: ignore[attr-defined]
    for field in model._meta.get_fields():
        if field.name not in names or not isinstance(field, models.ForeignKey):
            continue
        target = field.related_model
        assert isinstance(target, type)  # a built class's relations are resolved
        annotation: Any = Optional[ref_schema(target)]  # noqa: UP045 (built at runtime)
        resolver = ref_resolver(field.attname, target._meta.label)
        result[field.name] = (annotation, None, staticmethod(resolver))
    return result
