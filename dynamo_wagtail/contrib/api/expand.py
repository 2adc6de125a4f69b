"""Relations one level deep (``expand=``): what an expanded relation holds and how a
listing fetches it in a fixed number of queries.

- images: title, size and a rendition per name of ``DYNAMO_API_RENDITIONS``;
- documents: title and URL;
- pages: title and URL;
- entries of generated types: their own fields (relations as references);
- other models: their ``str()`` as ``title``.
"""

from dataclasses import dataclass
from typing import Any, Optional, Union

from django.contrib.admin.utils import quote
from django.db import models
from django.db.models import Prefetch
from ninja import Schema
from pydantic import Field
from wagtail.api.v3.schemas.base import BaseSchema
from wagtail.api.v3.schemas.generators.read import SchemaGenerator
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from ...conf import settings
from . import refs


class Meta(Schema):
    type: str


class RenditionOut(Schema):
    url: str
    width: int
    height: int


class ExpandedImage(Schema):
    id: int
    meta: Meta
    title: str
    width: int
    height: int
    renditions: dict[str, RenditionOut]


class ExpandedDocument(Schema):
    id: int
    meta: Meta
    title: str
    url: str


class ExpandedPage(Schema):
    id: int
    meta: Meta
    title: str
    url: str | None


class ExpandedObject(Schema):
    id: int | str
    meta: Meta
    title: str


def renditions() -> dict[str, str]:
    return dict(settings.DYNAMO_API_RENDITIONS or {})


def _image(image: Any, request: Any) -> dict[str, Any]:
    wanted = renditions()
    out: dict[str, Any] = {}
    if wanted:
        try:
            found = image.get_renditions(*wanted.values())
        except Exception:  # noqa: BLE001 (a missing or broken original: no renditions)
            found = {}
        for name, spec in wanted.items():
            rendition = found.get(spec)
            if rendition is not None:
                out[name] = {
                    "url": rendition.url,
                    "width": rendition.width,
                    "height": rendition.height,
                }
    return {
        "id": image.pk,
        "meta": {"type": image._meta.label},
        "title": image.title,
        "width": image.width,
        "height": image.height,
        "renditions": out,
    }


def _document(document: Any, request: Any) -> dict[str, Any]:
    return {
        "id": document.pk,
        "meta": {"type": document._meta.label},
        "title": document.title,
        "url": document.url,
    }


def _page(page: Any, request: Any) -> dict[str, Any]:
    return {
        "id": page.pk,
        "meta": {
            "type": page.specific_class._meta.label if page.specific_class else "wagtailcore.Page"
        },
        "title": page.title,
        "url": page.get_url(request),
    }


def _object(obj: Any, request: Any) -> dict[str, Any]:
    pk = obj.pk if isinstance(obj.pk, int) else quote(str(obj.pk))
    return {"id": pk, "meta": {"type": obj._meta.label}, "title": str(obj)}


@dataclass
class Relation:
    """One relation field of a generated type and what expanding it gives."""

    name: str
    many: bool
    #: "image", "document", "page", "entry" (a generated type) or "object".
    shape: str
    expanded: Any
    target: type[models.Model]

    def documented_annotation(self, plain: Any) -> Any:
        """A response holds the reference (or ids) or, expanded, the object(s)."""
        if self.many:
            return list[self.expanded | int]  # type: ignore[name-defined]
        return Union[self.expanded, plain]  # noqa: UP007 (built at runtime from any typing form)

    def expanded_field(self) -> tuple[Any, Any, Any]:
        """(annotation, default, resolver) of the field in a schema that expands it."""
        name, shape, many = self.name, self.shape, self.many
        convert = {"image": _image, "document": _document, "page": _page, "object": _object}.get(
            shape
        )

        def resolve(obj: models.Model, context: dict) -> Any:
            request = context.get("request") if context else None
            value = getattr(obj, name)
            if many:
                items = list(value.all())
                return [convert(i, request) for i in items] if convert else items
            if value is None:
                return None
            return convert(value, request) if convert else value

        annotation = list[self.expanded] if many else Optional[self.expanded]  # type: ignore[name-defined]  # noqa: UP045
        return annotation, Field(default=[] if many else None), staticmethod(resolve)

    def prefetch(self, *, expanded: bool) -> tuple[list[str], list[Any]]:
        """(select_related, prefetch_related) arguments for a listing."""
        name = self.name
        selects: list[str] = []
        prefetches: list[Any] = []
        if self.many:
            prefetches.append(name)
        elif expanded:
            selects.append(name)  # a reference is written from the entry's own column
        if not expanded:
            return selects, prefetches
        if self.shape == "image" and renditions():
            rendition_model = get_image_model().get_rendition_model()
            prefetches.append(
                Prefetch(
                    f"{name}__renditions",
                    queryset=rendition_model.objects.filter(
                        filter_spec__in=list(renditions().values())
                    ),
                    to_attr="prefetched_renditions",
                )
            )
        elif self.shape == "entry":
            prefetches += [f"{name}__{sub.name}" for sub in _many(self.target)]
        return selects, prefetches


def _many(model: type[models.Model]) -> list[Any]:
    """The fields of a generated type that hold several rows (links, tags, group items):
    an expanded entry reads each (its foreign keys are written from its own columns)."""
    spec = getattr(model, "dynamo_spec", None)
    result: list[Any] = []
    if spec is None:
        return result
    names = {f.name for f in spec.active_fields}
    for f in model._meta.get_fields():
        if f.name in names and (f.many_to_many or f.one_to_many):
            result.append(f)
    return result


def _shape(target: type[models.Model]) -> str:
    if issubclass(target, get_image_model()):
        return "image"
    if issubclass(target, get_document_model()):
        return "document"
    if issubclass(target, Page):
        return "page"
    if hasattr(target, "dynamo_spec"):
        return "entry"
    return "object"


def relation_for(
    model: type[models.Model], field: models.Field, generator: SchemaGenerator
) -> Relation:
    target = field.related_model
    assert isinstance(target, type)  # a built class's relations are resolved
    shape = _shape(target)
    expanded: Any = {
        "image": ExpandedImage,
        "document": ExpandedDocument,
        "page": ExpandedPage,
        "object": ExpandedObject,
    }.get(shape)
    if expanded is None:
        nested = generator.build_schema(
            target,
            name=f"{target.__name__}NestedBase",
            base_class=BaseSchema,
            follow_reverse_related=True,
        )
        expanded = generator.extend_schema(
            nested, f"{target.__name__}Nested", refs.overrides(target, detail=False)
        )
    return Relation(
        name=field.name,
        many=isinstance(field, models.ManyToManyField),
        shape=shape,
        expanded=expanded,
        target=target,
    )
