"""Every built-in field kind round-trips through a generated table; custom kinds and
django-dynamo's group settings work."""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import RegexValidator
from django.db import connection
from django.test import override_settings

from dynamo_wagtail import api
from dynamo_wagtail.conf import BUILTIN_FIELD_TYPES
from dynamo_wagtail.definitions import DefinitionError
from dynamo_wagtail.kinds import all_kinds
from dynamo_wagtail.kinds.text import CharKind
from dynamo_wagtail.models import MetaModel
from dynamo_wagtail.registry import registry
from tests.conftest import drop_generated_tables

pytestmark = pytest.mark.usefixtures("dynamo")


class ColourKind(CharKind):
    """A project's own kind: a #rrggbb colour."""

    name = "colour"
    label = "Colour"
    legacy_name = ""
    option_defaults = {"max_length": 7}
    supports_choices = False
    extra_validators = [RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #rrggbb.")]


# One field of every built-in kind (relation targets filled in by the test).
EVERY_KIND = [
    {"name": "f_char", "kind": "char"},
    {"name": "f_text", "kind": "text"},
    {"name": "f_slug", "kind": "slug"},
    {"name": "f_email", "kind": "email"},
    {"name": "f_url", "kind": "url"},
    {"name": "f_ip", "kind": "ip"},
    {"name": "f_csi", "kind": "comma_separated_integer"},
    {"name": "f_integer", "kind": "integer"},
    {"name": "f_big", "kind": "big_integer"},
    {"name": "f_small", "kind": "small_integer"},
    {"name": "f_pos", "kind": "positive_integer"},
    {"name": "f_pos_small", "kind": "positive_small_integer"},
    {"name": "f_decimal", "kind": "decimal", "options": {"max_digits": 10, "decimal_places": 3}},
    {"name": "f_float", "kind": "float"},
    {"name": "f_bool", "kind": "boolean"},
    {"name": "f_null_bool", "kind": "null_boolean"},
    {"name": "f_date", "kind": "date"},
    {"name": "f_datetime", "kind": "datetime"},
    {"name": "f_time", "kind": "time"},
    {"name": "f_duration", "kind": "duration"},
    {"name": "f_uuid", "kind": "uuid"},
    {"name": "f_json", "kind": "json"},
    {"name": "f_choice", "kind": "choice", "choices": "red|Red\nblue|Blue"},
    {"name": "f_multi", "kind": "multiple_choice", "choices": "red|Red\nblue|Blue\ngreen|Green"},
    {"name": "f_file", "kind": "file"},
    {"name": "f_image_file", "kind": "image_file"},
    {"name": "f_rich", "kind": "rich_text"},
    {"name": "f_stream", "kind": "stream", "options": {"blocks": ["heading", "quote"]}},
    {"name": "f_tags", "kind": "tags"},
    {"name": "f_group", "kind": "group"},
    {"name": "f_fk", "kind": "foreign_key", "related_model": "auth.User"},
    {"name": "f_o2o", "kind": "one_to_one", "related_model": "Tag"},
    {"name": "f_m2m", "kind": "many_to_many", "related_model": "Tag"},
    {"name": "f_image", "kind": "image"},
    {"name": "f_document", "kind": "document"},
    {"name": "f_page", "kind": "page"},
    {"name": "f_snippet", "kind": "snippet", "related_model": "Tag"},
]

BERLIN = ZoneInfo("Europe/Berlin")


def test_every_builtin_kind_is_covered():
    # The list above must grow with the built-in kinds.
    assert {f["kind"] for f in EVERY_KIND} == {k.name for k in all_kinds()}
    assert len(all_kinds()) == len(BUILTIN_FIELD_TYPES)


def _root_collection():
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:  # flushed by an earlier test
        Collection.add_root(name="Root")


def _root_page():
    from wagtail.models import Locale, Page

    root = Page.get_first_root_node()
    if root is None:  # a transactional test before this one flushed the tree
        Locale.objects.get_or_create(language_code="en")
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    return root


def _scalar_values():
    return {
        "f_char": "héllo wörld",
        "f_text": "line one\nline two\n\u2603",
        "f_slug": "a-slug_1",
        "f_email": "someone@example.com",
        "f_url": "https://example.com/a/b?c=d",
        "f_ip": "192.168.10.20",
        "f_csi": "1,22,333",
        "f_integer": -2_000_000_000,
        "f_big": 9_000_000_000_000_000_000,
        "f_small": -32_000,
        "f_pos": 2_000_000_000,
        "f_pos_small": 32_000,
        "f_decimal": Decimal("1234567.891"),
        "f_float": 3.25,
        "f_bool": True,
        "f_null_bool": False,
        "f_date": datetime.date(2024, 2, 29),
        "f_datetime": datetime.datetime(2024, 7, 1, 23, 30, 15, 123456, tzinfo=BERLIN),
        "f_time": datetime.time(13, 14, 15, 654321),
        "f_duration": datetime.timedelta(days=3, hours=4, minutes=5, microseconds=6),
        "f_uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "f_json": {"a": [1, 2.5, {"b": None}], "c": "ü", "d": True},
        "f_choice": "blue",
        "f_multi": ["red", "green"],
        "f_rich": '<p>Hello <b>there</b> <a href="https://example.com">link</a></p>',
    }


def test_every_builtin_kind_round_trips_through_the_database():
    from wagtail.documents.models import Document
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    api.create_type("Tag", [{"name": "label", "kind": "char"}])
    api.create_type("Sample", EVERY_KIND)
    api.add_field("SampleFGroup", "note", "char")
    Tag = api.get_model("Tag")
    Sample = api.get_model("Sample")
    # Columns in definition order (Django lists many-to-many fields after the others).
    assert [f.name for f in Sample._meta.concrete_fields] == [
        "id",
        *[f["name"] for f in EVERY_KIND if f["kind"] not in ("many_to_many", "tags", "group")],
    ]
    assert [f.name for f in Sample._meta.many_to_many] == ["f_tags", "f_m2m"]

    user = get_user_model().objects.create_user("kinds-user")
    tags = [Tag.objects.create(label=f"t{i}") for i in range(3)]
    _root_collection()
    image = Image.objects.create(title="pic", file=get_test_image_file("pic.png"))
    document = Document.objects.create(title="doc", file=ContentFile(b"PDF-ish", name="d.txt"))
    page = _root_page()

    values = _scalar_values()
    entry = Sample(
        **values,
        f_fk=user,
        f_o2o=tags[0],
        f_image=image,
        f_document=document,
        f_page=page,
        f_snippet=tags[1],
        f_stream=[{"type": "heading", "value": "Hi"}, {"type": "quote", "value": {"quote": "Q"}}],
    )
    entry.f_file.save("notes.txt", ContentFile(b"file body"), save=False)
    entry.f_image_file.save("plain.png", get_test_image_file("plain.png"), save=False)
    entry.full_clean()
    entry.save()
    entry.f_m2m.set([tags[0], tags[2]])
    entry.f_tags.add("Blue", "big sale")
    Item = api.get_model("SampleFGroup")
    entry.f_group = [Item(note="first"), Item(note="second")]
    entry.save()
    file_name, image_file_name = entry.f_file.name, entry.f_image_file.name
    assert file_name.startswith("dynamo/notes") and file_name.endswith(".txt")
    assert image_file_name.startswith("dynamo/plain") and image_file_name.endswith(".png")

    def check(model):
        row = model.objects.get(pk=entry.pk)  # a fresh query
        for name, expected in values.items():
            got = getattr(row, name)
            assert got == expected, name
            assert type(got) is type(expected), name
        assert row.f_datetime.utcoffset() == datetime.timedelta(0)  # stored in UTC
        assert row.f_decimal.as_tuple().exponent == -3
        assert row.f_fk_id == user.pk and row.f_fk.username == "kinds-user"
        assert row.f_o2o.label == "t0"
        assert row.f_snippet.label == "t1"
        assert [b.block_type for b in row.f_stream] == ["heading", "quote"]
        assert row.f_stream[0].value == "Hi" and row.f_stream[1].value["quote"] == "Q"
        assert set(row.f_m2m.values_list("label", flat=True)) == {"t0", "t2"}
        assert sorted(row.f_tags.names()) == ["Blue", "big sale"]
        assert [item.note for item in row.f_group.all()] == ["first", "second"]
        assert row.f_image.pk == image.pk and row.f_image.title == "pic"
        assert row.f_document.pk == document.pk
        assert row.f_page.pk == page.pk
        assert row.f_file.name == file_name
        with row.f_file.open("rb") as handle:
            assert handle.read() == b"file body"
        assert row.f_image_file.name == image_file_name
        assert (row.f_image_file.width, row.f_image_file.height) == (640, 480)
        # The value filters back to the row too (lookups use the same conversion).
        assert model.objects.filter(f_datetime=values["f_datetime"]).get().pk == entry.pk
        assert model.objects.filter(f_uuid=values["f_uuid"]).get().pk == entry.pk
        assert model.objects.filter(f_decimal=values["f_decimal"]).get().pk == entry.pk
        assert model.objects.filter(f_duration=values["f_duration"]).get().pk == entry.pk

    check(Sample)

    # Forget every class: the next get_model builds them again from the applied specs.
    with registry.lock:
        registry.sync([])
        registry.version = None
    Rebuilt = api.get_model("Sample")
    assert Rebuilt is not Sample
    assert Rebuilt._meta.get_field("f_m2m").related_model is api.get_model("Tag")
    check(Rebuilt)
    # The values are also right at the SQL level: a NULL-able kind left empty stays NULL.
    empty = Rebuilt.objects.create()
    again = Rebuilt.objects.get(pk=empty.pk)
    assert again.f_null_bool is None and again.f_integer is None and again.f_uuid is None
    assert again.f_bool is False and again.f_multi == [] and again.f_char == ""
    assert not again.f_file and again.f_fk is None and again.f_m2m.count() == 0
    assert again.f_tags.count() == 0


def test_choice_and_multiple_choice_refuse_values_outside_their_choices():
    api.create_type(
        "Poll",
        [
            {"name": "colour", "kind": "choice", "choices": "red|Red\nblue|Blue"},
            {"name": "colours", "kind": "multiple_choice", "choices": "red\nblue"},
        ],
    )
    Poll = api.get_model("Poll")
    Poll(colour="red", colours=["blue"]).full_clean()
    with pytest.raises(ValidationError) as caught:
        Poll(colour="green", colours=["red", "mauve"]).full_clean()
    assert set(caught.value.message_dict) == {"colour", "colours"}


@override_settings(DYNAMO_FIELD_TYPES=[*BUILTIN_FIELD_TYPES, "tests.test_kinds.ColourKind"])
def test_a_project_adds_its_own_kind():
    try:
        api.create_type("Paint", [{"name": "shade", "kind": "colour", "required": True}])
        Paint = api.get_model("Paint")
        field = Paint._meta.get_field("shade")
        assert field.max_length == 7
        good = Paint(shade="#A0b1C2")
        good.full_clean()
        good.save()
        assert Paint.objects.get(pk=good.pk).shade == "#A0b1C2"
        for bad in ("red", "#12345", "#1234567", "#GGGGGG"):
            with pytest.raises(ValidationError) as caught:
                Paint(shade=bad).full_clean()
            assert list(caught.value.message_dict) == ["shade"], bad
        # A default is checked with the kind's validators too.
        with pytest.raises(DefinitionError) as caught:
            api.add_field("Paint", "accent", "colour", default="blue")
        assert "accent.default" in caught.value.message_dict
        api.add_field("Paint", "accent", "colour", default="#000000")
        assert api.get_model("Paint").objects.get(pk=good.pk).accent == "#000000"
    finally:
        # The kind is only known inside this override: drop the table while it is.
        drop_generated_tables()


def test_an_unknown_kind_is_refused_by_name():
    with pytest.raises(DefinitionError) as caught:
        api.create_type("Paint", [{"name": "shade", "kind": "colour"}])
    assert "Unknown field kind 'colour'" in caught.value.message_dict["shade.type"][0]
    assert not MetaModel.objects.filter(name="Paint").exists()


def _column_nullable(model, name: str) -> bool:
    column = model._meta.get_field(name).column
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, model._meta.db_table)
    return {c.name: c.null_ok for c in description}[column]


def test_string_group_decides_null_of_optional_fields_by_default():
    api.create_type(
        "Plain",
        [{"name": "title", "kind": "char"}, {"name": "count", "kind": "integer"}],
    )
    Plain = api.get_model("Plain")
    assert Plain._meta.get_field("title").null is False
    assert Plain._meta.get_field("count").null is True
    assert not _column_nullable(Plain, "title") and _column_nullable(Plain, "count")


@override_settings(STRING_FIELD_TYPES=["integer", "text"])
def test_string_field_types_setting_overrides_the_kinds_group():
    api.create_type(
        "Grouped",
        [
            {"name": "title", "kind": "char"},
            {"name": "body", "kind": "text"},
            {"name": "count", "kind": "integer"},
        ],
    )
    Grouped = api.get_model("Grouped")
    # Listed: optional but never NULL (django-dynamo's rule for strings).
    assert Grouped._meta.get_field("count").null is False
    assert Grouped._meta.get_field("body").null is False
    # char is no longer a string kind here: optional means NULL.
    assert Grouped._meta.get_field("title").null is True
    assert not _column_nullable(Grouped, "count")
    assert _column_nullable(Grouped, "title")
    entry = Grouped.objects.create(count=3, body="")
    assert Grouped.objects.get(pk=entry.pk).title is None


@override_settings(STANDARD_FIELD_TYPES=["char", "text"])
def test_a_kind_missing_from_standard_field_types_is_refused():
    with pytest.raises(DefinitionError) as caught:
        api.create_type(
            "Narrow",
            [{"name": "title", "kind": "char"}, {"name": "count", "kind": "integer"}],
        )
    errors = caught.value.message_dict
    assert list(errors) == ["count.type"]
    assert "not available" in errors["count.type"][0]
    assert not MetaModel.objects.filter(name="Narrow").exists()
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert not [t for t in tables if re.fullmatch(r"dynamo_[0-9a-f]{16}", t)]


@override_settings(RELATION_FIELD_TYPES=["foreign_key"])
def test_a_kind_missing_from_relation_field_types_is_refused():
    api.create_type("Target", [{"name": "label", "kind": "char"}])
    with pytest.raises(DefinitionError) as caught:
        api.create_type(
            "Linker",
            [
                {"name": "one", "kind": "foreign_key", "related_model": "Target"},
                {"name": "many", "kind": "many_to_many", "related_model": "Target"},
            ],
        )
    errors = caught.value.message_dict
    assert "many.type" in errors and "not available" in errors["many.type"][0]
    assert not any(key.startswith("one.") for key in errors)
    assert not MetaModel.objects.filter(name="Linker").exists()
    # The allowed relation kind still works.
    api.create_type("Linker", [{"name": "one", "kind": "foreign_key", "related_model": "Target"}])
    Target, Linker = api.get_model("Target"), api.get_model("Linker")
    target = Target.objects.create(label="x")
    assert Linker.objects.create(one=target).one.label == "x"
