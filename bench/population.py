"""Many types made quickly: the setup of the cold-start and scale benchmarks.

``api.create_type`` runs one schema change per type; a setup of 2,000 types that way spends
most of its time in the changes' fixed costs. Here one change saves the definition rows of a
batch of types (what ``api.create_type`` saves for one), planned and applied together.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import DEFAULT_DB_ALIAS

from bench.common import chunks

#: Simple kinds, cycled through a type's fields.
KINDS = (
    "char",
    "text",
    "integer",
    "decimal",
    "date",
    "boolean",
    "datetime",
    "float",
    "email",
    "url",
)

#: One definition: the type's name, its fields (as ``api.create_type`` takes them), options.
TypeDef = tuple[str, list[dict[str, Any]], dict[str, Any]]


def simple_fields(count: int) -> list[dict[str, Any]]:
    """``count`` fields ``f0``… of the simple kinds in turn, ``f0`` (char) required."""
    return [
        {"name": f"f{index}", "kind": KINDS[index % len(KINDS)], "required": index == 0}
        for index in range(count)
    ]


def create_types(
    definitions: Iterable[TypeDef], *, batch: int = 50, using: str = DEFAULT_DB_ALIAS
) -> int:
    """Create the types, ``batch`` of them per schema change; returns how many.

    A field may link to a type of an earlier batch or of its own (its ``related_model``).
    """
    from dynamo_wagtail import pipeline
    from dynamo_wagtail.models import MetaField, MetaModel

    count = 0
    for group in chunks(list(definitions), batch):
        with pipeline.change(using=using):
            for name, fields, options in group:
                meta_model = MetaModel(name=name, **options)
                meta_model.save(using=using)
                for order, spec in enumerate(fields):
                    spec = dict(spec)
                    field_name, kind = spec.pop("name"), spec.pop("kind")
                    spec.setdefault("order", order)
                    MetaField(meta_model=meta_model, name=field_name, type=kind, **spec).save(
                        using=using
                    )
                count += 1
    return count
