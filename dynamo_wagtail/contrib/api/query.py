"""What a listing's query string may ask, parsed by the kinds of the type's fields.

Every parameter is checked before the query runs: an unknown one, a value its field
cannot take, ordering on a field without an index or a field named by a name it had
before is a 400 that names the parameter (and, for a former name, the current one).

Filters a field offers, by what it is:

- ``name=value``: every field with a column, and relations (by id);
- ``name__in=a,b``: fields with choices and relations;
- ``name__gt``, ``__gte``, ``__lt``, ``__lte``: numbers, dates, times and durations;
- ``name__isnull=true|false``: fields that may be empty, and relations;
- ``name__contains=text``: text fields that are indexed or searched;
- ``name=tag`` on a tags field: entries carrying that tag (repeat for several).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Optional, cast

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.http import QueryDict
from ninja import Schema
from ninja.errors import HttpError
from pydantic import Field
from taggit.managers import TaggableManager

from ...kinds import get_kind
from ...spec import ModelSpec

#: Parameters every listing takes besides the filters.
LIST_PARAMS = frozenset(
    {
        "limit",
        "offset",
        "order",
        "search",
        "search_operator",
        "fields",
        "expand",
        "rich_text_format",
    }
)
DETAIL_PARAMS = frozenset({"fields", "expand", "version", "rich_text_format"})

RANGE_FIELDS = (
    models.IntegerField,
    models.DecimalField,
    models.FloatField,
    models.DateField,
    models.TimeField,
    models.DurationField,
)
RANGES = ("gt", "gte", "lt", "lte")
TRUE = {"true", "1", "yes"}
FALSE = {"false", "0", "no"}


def bad(parameter: str, message: str) -> HttpError:
    return HttpError(400, f"{parameter}: {message}")


@dataclass(frozen=True)
class Filter:
    """One query parameter: the lookup it makes and how its value is parsed."""

    parameter: str
    lookup: str
    parse: Callable[[str], Any]
    #: The value is a comma-separated list.
    several: bool = False
    #: Repeated parameters each filter (tags).
    repeated: bool = False
    #: The condition for a parsed value (default: ``lookup=value``).
    condition: Callable[[Any], models.Q] | None = None

    def q(self, value: Any) -> models.Q:
        return self.condition(value) if self.condition else models.Q(**{self.lookup: value})


def _file_empty(name: str) -> Callable[[Any], models.Q]:
    """A file field is empty when its column is NULL or the empty string."""
    empty = models.Q(**{f"{name}__isnull": True}) | models.Q(**{name: ""})
    return lambda value: empty if value else ~empty


def _boolean(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ValidationError(f"{value!r} is not true or false")


def _parser(field: models.Field) -> Callable[[str], Any]:
    if isinstance(field, (models.ForeignKey, models.ManyToManyField)):
        target = field.target_field if isinstance(field, models.ForeignKey) else None
        pk = target or field.related_model._meta.pk  # type: ignore[union-attr]
        return pk.to_python
    if isinstance(field, models.BooleanField):
        return _boolean

    def parse(value: str) -> Any:
        result = field.to_python(value)
        if field.choices and result not in {key for key, _label in field.flatchoices}:
            raise ValidationError(f"{value!r} is not one of the choices")
        return result

    return parse


def _searched(spec: ModelSpec) -> set[str]:
    return set(spec.option("search_fields") or [])


def filters_of(model: type[models.Model]) -> dict[str, Filter]:
    """Every filter parameter the listing of ``model`` takes."""
    spec: ModelSpec = model.dynamo_spec  # type: ignore[attr-defined]
    result: dict[str, Filter] = {}
    searched = _searched(spec)
    for f in spec.active_fields:
        kind = get_kind(f.kind)
        if not kind.has_column and not kind.owns_tables:
            continue  # a group: its items are no column of the type
        try:
            field = cast(models.Field, model._meta.get_field(f.name))
        except FieldDoesNotExist:
            continue
        name = f.name
        if isinstance(field, TaggableManager):
            result[name] = Filter(name, f"{name}__name", str, repeated=True)
            continue
        if isinstance(field, (models.JSONField,)) or f.kind in ("stream", "json", "rich_text"):
            continue
        if not kind.single_value and not kind.is_relation:
            continue
        if isinstance(field, models.FileField):
            key = f"{name}__isnull"
            result[key] = Filter(key, name, _boolean, condition=_file_empty(name))
            continue
        parse = _parser(field)
        relation = isinstance(field, (models.ForeignKey, models.ManyToManyField))
        result[name] = Filter(name, name, parse)
        if relation or field.choices:
            result[f"{name}__in"] = Filter(f"{name}__in", f"{name}__in", parse, several=True)
        if isinstance(field, RANGE_FIELDS) and not field.choices:
            for lookup in RANGES:
                key = f"{name}__{lookup}"
                result[key] = Filter(key, key, parse)
        if relation or field.null or not f.required:
            key = f"{name}__isnull"
            result[key] = Filter(key, key, _boolean)
        text = isinstance(field, (models.CharField, models.TextField)) and not field.choices
        if text and (f.indexed or f.unique or name in searched):
            key = f"{name}__contains"
            result[key] = Filter(key, f"{name}__icontains", str)
    # A field named like a listing's own parameter (order, fields, …) has no bare filter.
    return {key: flt for key, flt in result.items() if key not in LIST_PARAMS}


def filter_schema(model: type[models.Model], filters: dict[str, Filter]) -> type[Schema]:
    """The filters as a schema of query parameters (for the OpenAPI document)."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations}
    for key in filters:
        annotations[key] = Optional[str]  # noqa: UP045 (built at runtime)
        namespace[key] = Field(default=None)
    metaclass: Any = type(Schema)
    return metaclass(f"{model.__name__}Filters", (Schema,), namespace)


def former_names(spec: ModelSpec) -> dict[str, str]:
    """Former name → current name of the type's active fields."""
    return {old: f.name for f in spec.active_fields for old in f.former_names}


def _renamed(parameter: str, name: str, spec: ModelSpec) -> HttpError | None:
    current = former_names(spec).get(name)
    if current is None or current == name:
        return None
    return bad(parameter, f"the field {name!r} is now called {current!r}: use {current!r}")


def check_parameters(params: QueryDict, model: type[models.Model], allowed: Iterable[str]) -> None:
    """A 400 for any parameter the listing does not take."""
    spec: ModelSpec = model.dynamo_spec  # type: ignore[attr-defined]
    allowed = set(allowed)
    for key in params:
        if key in allowed:
            continue
        name, _sep, lookup = key.partition("__")
        renamed = _renamed(key, name, spec)
        if renamed is not None:
            raise renamed
        raise bad(key, "unknown parameter")


def apply_filters(
    qs: models.QuerySet, params: QueryDict, filters: dict[str, Filter]
) -> models.QuerySet:
    for key, flt in filters.items():
        if key not in params:
            continue
        raw_values = params.getlist(key)
        if not flt.repeated and len(raw_values) > 1:
            raise bad(key, "give it once")
        for raw in raw_values:
            if "\x00" in raw:
                raise bad(key, "null characters are not allowed")
            try:
                if flt.several:
                    value: Any = [flt.parse(part) for part in raw.split(",") if part.strip()]
                else:
                    value = flt.parse(raw)
            except (ValidationError, ValueError, TypeError) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                raise bad(key, f"{raw!r} is not a valid value ({' '.join(messages)})") from None
            qs = qs.filter(flt.q(value))
    return qs.distinct() if _joins_many(qs.model, params, filters) else qs


def _joins_many(model: type[models.Model], params: QueryDict, filters: dict[str, Filter]) -> bool:
    """True when a filter in use goes through a many-to-many link or tags (rows repeat)."""
    for key, flt in filters.items():
        if key in params:
            field = model._meta.get_field(flt.lookup.split("__")[0])
            if field.many_to_many:
                return True
    return False


def orderable(model: type[models.Model]) -> set[str]:
    """Fields a listing may be ordered by: ``id`` and fields with an index."""
    spec: ModelSpec = model.dynamo_spec  # type: ignore[attr-defined]
    names = {"id"}
    for f in spec.active_fields:
        kind = get_kind(f.kind)
        if not kind.has_column or not kind.single_value and not kind.is_relation:
            continue
        if kind.is_relation and f.kind == "many_to_many":
            continue
        if f.indexed or f.unique or kind.is_relation:
            names.add(f.name)
    return names


def ordering(value: str | None, model: type[models.Model]) -> list[str]:
    """``order=-price,title`` as order_by arguments; 400 for a field without an index."""
    if not value:
        return []
    spec: ModelSpec = model.dynamo_spec  # type: ignore[attr-defined]
    allowed = orderable(model)
    result = []
    for item in value.split(","):
        item = item.strip()
        name = item.lstrip("-")
        if not name:
            raise bad("order", f"{value!r} names no field")
        if name not in allowed:
            renamed = _renamed("order", name, spec)
            if renamed is not None:
                raise renamed
            raise bad(
                "order",
                f"cannot order by {name!r}: only by fields with an index "
                f"({', '.join(sorted(allowed))})",
            )
        result.append(item)
    return result


def names(
    value: str | None, parameter: str, available: Iterable[str], spec: ModelSpec
) -> list[str]:
    """A comma-separated list of field names, each one of ``available``."""
    if not value:
        return []
    available = list(available)
    result = []
    for item in value.split(","):
        name = item.strip()
        if not name:
            continue
        if name not in available:
            renamed = _renamed(parameter, name, spec)
            if renamed is not None:
                raise renamed
            raise bad(
                parameter,
                f"{name!r} is not one of {', '.join(available) or 'nothing here'}",
            )
        result.append(name)
    return result
