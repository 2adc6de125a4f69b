"""Bad definitions are refused with a message on the right key, and nothing is written.

Each case runs through the three entrances: ``api.create_type``, ORM saves
(``MetaModel(...).save()`` then ``MetaField(...).save()``) and ``api.add_field`` on an
existing type. After a refusal the tables, columns, applied spec and definition rows are
exactly as before (introspection, not the engine's word).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection

from dynamo_wagtail import api
from dynamo_wagtail.definitions import DefinitionError
from dynamo_wagtail.models import MetaField, MetaModel

pytestmark = pytest.mark.usefixtures("dynamo")


def snapshot() -> tuple:
    """Tables and their columns, applied specs and every definition row."""
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        generated = {
            t: sorted(c.name for c in connection.introspection.get_table_description(cursor, t))
            for t in names
            if t.startswith("dynamo_") and not t.startswith("dynamo_wagtail_")
        }
    types = list(
        MetaModel.objects.order_by("pk").values_list("pk", "name", "applied_spec", "schema_version")
    )
    fields = list(MetaField.objects.order_by("pk").values_list("pk", "name", "type", "options"))
    return names, generated, types, fields


@dataclass
class Case:
    id: str
    #: Fields of the definition; the last one is the bad one.
    fields: list[dict[str, Any]]
    key: str
    valid: list[dict[str, Any]] = field(default_factory=list)


CYRILLIC = "n\u0430me"  # "nаme" with a Cyrillic "а"

BAD_FIELD_NAMES = [
    "my field",
    "1abc",
    "a-b",
    "class",
    "match",
    "id",
    "pk",
    "objects",
    "save",
    "snippet_viewset",
    "live",
    "x; DROP TABLE y",
    CYRILLIC,
    "a__b",
    "x" * 64,
]

OPTION_CASES = [
    Case(
        "duplicate-case-folded",
        [{"name": "price", "kind": "integer"}],
        "price.name",
        valid=[{"name": "Price", "kind": "integer"}],
    ),
    Case(
        "duplicate",
        [{"name": "price", "kind": "char"}],
        "price.name",
        valid=[{"name": "price", "kind": "integer"}],
    ),
    Case(
        "max_length-0",
        [{"name": "f", "kind": "char", "options": {"max_length": 0}}],
        "f.max_length",
    ),
    Case(
        "max_length-100000",
        [{"name": "f", "kind": "char", "options": {"max_length": 100000}}],
        "f.max_length",
    ),
    Case(
        "max_digits-0",
        [{"name": "f", "kind": "decimal", "options": {"max_digits": 0, "decimal_places": 0}}],
        "f.max_digits",
    ),
    Case(
        "decimal_places-over-max_digits",
        [{"name": "f", "kind": "decimal", "options": {"max_digits": 3, "decimal_places": 5}}],
        "f.decimal_places",
    ),
    Case("default-integer", [{"name": "f", "kind": "integer", "default": "abc"}], "f.default"),
    Case("default-date", [{"name": "f", "kind": "date", "default": "2020-13-45"}], "f.default"),
    Case("choices-duplicate", [{"name": "f", "kind": "char", "choices": "a,b,a"}], "f.choices"),
    Case(
        "choices-duplicate-lines",
        [{"name": "f", "kind": "choice", "choices": "x|Ex\ny|Why\nx|Again"}],
        "f.choices",
    ),
    Case(
        "related-static-unknown",
        [{"name": "f", "kind": "foreign_key", "related_model": "nosuch.Model"}],
        "f.related_model",
    ),
    Case(
        "related-type-unknown",
        [{"name": "f", "kind": "foreign_key", "related_model": "NoSuchType"}],
        "f.related_model",
    ),
    Case("unknown-kind", [{"name": "f", "kind": "nosuchkind"}], "f.type"),
]

BAD_TYPE_NAMES = [
    "my type",
    "1abc",
    "a-b",
    "class",
    "match",
    "Page",
    "MetaModel",
    "x; DROP TABLE y",
    "N\u0430me",
    "A__b",
    "T" * 64,
    "",
]


def as_row(meta_model: MetaModel, spec: dict[str, Any]) -> MetaField:
    attrs = dict(spec)
    return MetaField(meta_model=meta_model, name=attrs.pop("name"), type=attrs.pop("kind"), **attrs)


def refused(label: str, key: str, action: Callable[[], object]) -> list[str]:
    """Problems (empty if none): ``action`` must raise DefinitionError on ``key`` and
    leave the database exactly as it was."""
    before = snapshot()
    try:
        action()
    except DefinitionError as exc:
        errors = exc.message_dict
        if key not in errors or not all(isinstance(m, str) and m for m in errors[key]):
            return [f"{label}: no message on {key!r}: {errors}"]
    except Exception as exc:  # noqa: BLE001 - reported as a failure, not hidden
        return [f"{label}: {type(exc).__name__} instead of DefinitionError: {exc}"]
    else:
        return [f"{label}: accepted"]
    if snapshot() != before:
        return [f"{label}: refused but something was written"]
    return []


def field_problems(case: Case, meta_model: MetaModel) -> list[str]:
    """The three entrances for one bad field; ``meta_model`` has the valid fields."""
    bad = dict(case.fields[-1])
    name, kind = bad.pop("name"), bad.pop("kind")
    return [
        *refused(
            f"{case.id} create_type",
            case.key,
            lambda: api.create_type("Other", [*case.valid, *case.fields]),
        ),
        *refused(f"{case.id} ORM", case.key, lambda: as_row(meta_model, case.fields[-1]).save()),
        *refused(
            f"{case.id} add_field",
            case.key,
            lambda: api.add_field(meta_model.name, name, kind, **bad),
        ),
    ]


def test_bad_field_names_are_refused_everywhere_and_nothing_is_written():
    meta_model = MetaModel(name="Thing")
    meta_model.save()
    problems = []
    for name in BAD_FIELD_NAMES:
        case = Case(f"name {name!r}", [{"name": name, "kind": "char"}], f"{name}.name")
        problems += field_problems(case, meta_model)
    assert problems == []
    assert api.plan("Thing").is_empty


def test_bad_field_options_are_refused_everywhere_and_nothing_is_written():
    problems = []
    for number, case in enumerate(OPTION_CASES):
        # django-dynamo's way: the type and its valid fields are saved through the ORM first.
        meta_model = MetaModel(name=f"Thing{number}")
        meta_model.save()
        for spec in case.valid:
            as_row(meta_model, spec).save()
        problems += field_problems(case, meta_model)
        if not api.plan(meta_model.name).is_empty:
            problems.append(f"{case.id}: a change is left pending")
    assert problems == []


def test_bad_type_names_are_refused_and_nothing_is_written():
    problems = []
    for name in BAD_TYPE_NAMES:
        problems += refused(
            f"{name!r} create_type",
            "name",
            lambda name=name: api.create_type(name, [{"name": "title", "kind": "char"}]),
        )
        problems += refused(f"{name!r} ORM", "name", lambda name=name: MetaModel(name=name).save())
    assert problems == []


def test_type_names_are_unique_ignoring_case_and_renames_are_checked_too():
    api.create_type("Product", [{"name": "title", "kind": "char"}])
    api.create_type("Order", [{"name": "title", "kind": "char"}])

    problems = [
        *refused("create_type product", "name", lambda: api.create_type("product")),
        *refused("ORM PRODUCT", "name", lambda: MetaModel(name="PRODUCT").save()),
        *refused("rename to Product", "name", lambda: api.rename_type("Order", "Product")),
        *refused("rename to class", "name", lambda: api.rename_type("Order", "class")),
        *refused(
            "rename field to objects",
            "objects.name",
            lambda: api.rename_field("Order", "title", "objects"),
        ),
    ]

    assert problems == []


def test_several_problems_are_reported_together():
    before = snapshot()
    with pytest.raises(DefinitionError) as caught:
        api.create_type(
            "class",
            [
                {"name": "ok", "kind": "char"},
                {"name": "pk", "kind": "char"},
                {"name": "n", "kind": "integer", "default": "abc"},
            ],
        )
    assert set(caught.value.message_dict) == {"name", "pk.name", "n.default"}
    assert snapshot() == before


def test_the_refusal_check_itself_notices_a_write():
    """Guard for this module's helper: an accepted definition is reported as a problem."""
    problems = refused("valid", "name", lambda: api.create_type("Fine"))
    assert problems == ["valid: accepted"]
