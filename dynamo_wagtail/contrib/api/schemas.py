"""The pydantic schemas of a generated type: read (plain and with relations expanded),
create and patch, built from its class with Wagtail's own v3 generators.

The generated class declares ``api_fields`` (every active field, writable), so Wagtail's
generators type each field as they type a hand-written snippet's: plain fields through
django-ninja, relations as ``{"id", "meta": {"type"}}``, StreamField as its API
representation, tags as names, rich text in the requested format, a group as its items.
Each build uses generators of its own: theirs cache schemas by class, and a rebuilt type's
old class must not stay alive in a cache.

What a response may hold is documented by one schema per type (``document``): every field
optional (``fields=`` picks some) and each relation either a reference or, with
``expand=``, the expanded object.
"""

from dataclasses import dataclass, field
from typing import Any, Optional

from django.db import models
from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from taggit.managers import TaggableManager
from wagtail.api.v3.schemas.generators.read import SchemaGenerator, read_generator
from wagtail.api.v3.schemas.generators.write import (
    InputSchemaGenerator,
    register_default_field_schemas,
)
from wagtail.models import DraftStateMixin
from wagtail.snippets.api.v3.schemas import (
    PUBLISH_ACTION_META_FIELD,
    BaseSnippetCreateSchema,
    BaseSnippetSchema,
    BaseSnippetUpdateSchema,
)

from . import expand


@dataclass
class TypeSchemas:
    """The schemas of one built class."""

    model: type[models.Model]
    #: For responses: every field optional, relations a reference or expanded.
    document: type[BaseModel]
    create: type[BaseModel]
    patch: type[BaseModel]
    #: Query parameters of the list: one per filter the fields offer.
    filters: type[BaseModel]
    #: Relation field name → how it expands.
    relations: dict[str, expand.Relation]
    _generator: SchemaGenerator
    _plain: type[BaseModel]
    _variants: dict[frozenset[str], type[BaseModel]] = field(default_factory=dict)
    _pages: dict[type[BaseModel], TypeAdapter] = field(default_factory=dict)

    def page_adapter(self, schema: type[BaseModel]) -> TypeAdapter:
        """Validates and writes a page of entries in one call (``list[schema]``)."""
        adapter = self._pages.get(schema)
        if adapter is None:
            adapter = self._pages[schema] = TypeAdapter(list[schema])  # type: ignore[valid-type]
        return adapter

    def serializer(self, expanded: frozenset[str]) -> type[BaseModel]:
        """The schema that writes an entry with the relations ``expanded`` expanded."""
        if not expanded:
            return self._plain
        variant = self._variants.get(expanded)
        if variant is None:
            extra = {name: self.relations[name].expanded_field() for name in sorted(expanded)}
            variant = self._generator.extend_schema(
                self._plain, f"{self.model.__name__}Expanded", extra
            )
            self._variants[expanded] = variant
        return variant


def relation_fields(model: type[models.Model]) -> dict[str, models.Field]:
    """The active fields of ``model`` that point to other rows (tags excepted)."""
    spec = model.dynamo_spec  # type: ignore[attr-defined]
    result: dict[str, models.Field] = {}
    for f in spec.active_fields:
        try:
            model_field = model._meta.get_field(f.name)
        except Exception:  # noqa: BLE001 (a group: a reverse relation, no field)
            continue
        if isinstance(model_field, TaggableManager):
            continue
        if isinstance(model_field, (models.ForeignKey, models.ManyToManyField)):
            result[f.name] = model_field
    return result


def _tags(generator: SchemaGenerator, field: models.Field) -> tuple[Any, Any, Any]:
    """Tags as names, read from the prefetched tags (Wagtail's own asks the database per
    entry)."""
    name = field.name

    def resolve(obj: models.Model) -> list[str]:
        return [tag.name for tag in getattr(obj, name).all()]

    return list[str], [], staticmethod(resolve)


def _read_generator() -> SchemaGenerator:
    generator = SchemaGenerator()
    generator.field_schemas = dict(read_generator.field_schemas)
    generator.register_field_schema(TaggableManager, _tags)
    return generator


def _input_generator(*, for_update: bool) -> InputSchemaGenerator:
    generator = InputSchemaGenerator(for_update=for_update)
    register_default_field_schemas(generator)
    return generator


def build(model: type[models.Model], filters: type[BaseModel]) -> TypeSchemas:
    """Every schema of the built class ``model`` (which must declare ``api_fields``)."""
    generator = _read_generator()
    plain = generator.generate_schema(model, base_class=BaseSnippetSchema)
    relations = {
        name: expand.relation_for(model, model_field, generator)
        for name, model_field in relation_fields(model).items()
    }
    documented: dict[str, Any] = {}
    for name, info in plain.model_fields.items():
        if name in ("meta", "id"):
            continue
        annotation = info.annotation
        if name in relations:
            annotation = relations[name].documented_annotation(annotation)
        documented[name] = (Optional[annotation], Field(default=None), None)  # noqa: UP045 (built at runtime)
    document = generator.extend_schema(plain, f"{model.__name__}Entry", documented)
    extra_meta = PUBLISH_ACTION_META_FIELD if issubclass(model, DraftStateMixin) else None
    create = _input_generator(for_update=False).generate_schema(
        model, base_class=BaseSnippetCreateSchema, extra_meta_fields=extra_meta
    )
    patch = _input_generator(for_update=True).generate_schema(
        model, base_class=BaseSnippetUpdateSchema, extra_meta_fields=extra_meta
    )
    return TypeSchemas(
        model=model,
        document=document,
        create=_closed(create, model),
        patch=_closed(patch, model),
        filters=filters,
        relations=relations,
        _generator=generator,
        _plain=plain,
    )


def _closed(schema: type[BaseModel], model: type[models.Model]) -> type[BaseModel]:
    """``schema`` refusing keys it does not know (a 422 that names them, not silence),
    with links optional (no link is a valid link field; django-ninja requires them)."""
    namespace: dict[str, Any] = {
        "model_config": ConfigDict(extra="forbid"),
        "__annotations__": {},
    }
    for name, info in schema.model_fields.items():
        if name in relation_fields(model) and info.is_required():
            namespace["__annotations__"][name] = Optional[info.annotation]  # noqa: UP045
            namespace[name] = Field(default=None, alias=info.alias)
    metaclass: Any = type(schema)
    return metaclass(schema.__name__, (schema,), namespace)


def list_schema(schemas: TypeSchemas) -> type[BaseModel]:
    """``{"count": N, "items": [...]}``, as Wagtail's v3 pagination answers."""
    name = f"{schemas.model.__name__}List"
    metaclass: Any = type(Schema)
    return metaclass(
        name,
        (Schema,),
        {"__annotations__": {"count": int, "items": list[schemas.document]}},  # type: ignore[name-defined]
    )
