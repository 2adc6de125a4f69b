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
from datetime import time
from types import UnionType
from typing import Annotated, Any, Literal, Optional, Union, get_args, get_origin

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from ninja import Schema
from ninja.orm.fields import get_schema_field
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, WithJsonSchema
from taggit.managers import TaggableManager
from wagtail.api.v3.schemas.generators.read import SchemaGenerator, read_generator
from wagtail.api.v3.schemas.generators.write import (
    InputSchemaGenerator,
    register_default_field_schemas,
)
from wagtail.fields import StreamField
from wagtail.models import DraftStateMixin
from wagtail.snippets.api.v3.schemas import (
    PUBLISH_ACTION_META_FIELD,
    BaseSnippetCreateSchema,
    BaseSnippetSchema,
    BaseSnippetUpdateSchema,
)

from . import expand, refs


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
        except FieldDoesNotExist:  # a group: a reverse relation, no field
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


#: A time of day as the API writes and reads it: JSON Schema's ``time`` format requires a
#: time zone, which a time field has not (and a database may refuse).
TIME_JSON = {
    "type": "string",
    "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$",
    "description": "A time of day without a time zone: hh:mm[:ss[.ffffff]].",
}


def _naive(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a time of day takes no time zone")
    return value


TimeOfDay = Annotated[time, AfterValidator(_naive), WithJsonSchema(TIME_JSON)]


def _time_read(generator: SchemaGenerator, field: models.Field) -> tuple[Any, Any, Any]:
    annotation: Any = Optional[TimeOfDay] if field.null else TimeOfDay  # noqa: UP045
    return annotation, None, None


def _time_input(generator: InputSchemaGenerator, field: models.Field) -> tuple[Any, Any]:
    annotation, info = get_schema_field(field)
    optional = get_origin(annotation) in (Union, UnionType) and type(None) in get_args(annotation)
    return (Optional[TimeOfDay] if optional else TimeOfDay), info  # noqa: UP045


def _stream_input(generator: InputSchemaGenerator, field: models.Field) -> tuple[Any, Any]:
    """A stream as the list of blocks it takes: each ``{"type": <a block of the field>,
    "value": …}`` (Wagtail's own takes any list, and a block without a type was a 500)."""
    names = tuple(field.stream_block.child_blocks)  # type: ignore[attr-defined]
    block_type: Any = Literal[names] if names else Literal[""]
    metaclass: Any = type(Schema)
    item = metaclass(
        f"{field.model.__name__}{field.name.title().replace('_', '')}Block",
        (Schema,),
        {
            "__annotations__": {"type": block_type, "value": Any, "id": Optional[str]},  # noqa: UP045
            "value": None,
            "id": None,
            "model_config": ConfigDict(extra="forbid"),
        },
    )
    return list[item], []  # type: ignore[valid-type]


def _read_generator() -> SchemaGenerator:
    generator = SchemaGenerator()
    generator.field_schemas = dict(read_generator.field_schemas)
    generator.register_field_schema(TaggableManager, _tags)
    generator.register_field_schema(models.TimeField, _time_read)
    return generator


def _input_generator(*, for_update: bool) -> InputSchemaGenerator:
    generator = InputSchemaGenerator(for_update=for_update)
    register_default_field_schemas(generator)
    generator.register_field_schema(models.TimeField, _time_input)
    generator.register_field_schema(StreamField, _stream_input)
    return generator


def build(model: type[models.Model], filters: type[BaseModel]) -> TypeSchemas:
    """Every schema of the built class ``model`` (which must declare ``api_fields``)."""
    generator = _read_generator()
    plain = generator.generate_schema(model, base_class=BaseSnippetSchema)
    plain = generator.extend_schema(
        plain, f"{model.__name__}Read", refs.overrides(model, detail=True)
    )
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
    writers = _input_generator(for_update=False), _input_generator(for_update=True)
    create = writers[0].generate_schema(
        model, base_class=BaseSnippetCreateSchema, extra_meta_fields=extra_meta
    )
    patch = writers[1].generate_schema(
        model, base_class=BaseSnippetUpdateSchema, extra_meta_fields=extra_meta
    )
    for writer in writers:
        # The items of a group refuse unknown keys too (these schemas are this build's own).
        for child in writer._child_relation_schema_cache.values():
            child.model_config["extra"] = "forbid"
            child.model_rebuild(force=True)
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
