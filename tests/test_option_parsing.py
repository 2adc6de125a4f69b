"""Every option is parsed into its Python type, or refused with a message naming it.

Definition rows are parsed where they become specs (and by ``save()`` before they
are written): nothing reaches SQL unparsed, no value is turned into text with
``str()``, no NUL character reaches a backend. Each case runs through
``api.create_type``, ``api.add_field`` and ORM saves; refusals leave the database
and the registry as they were, accepted values give a type that works.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from dynamo_wagtail import api
from dynamo_wagtail.kinds.registry import offered_kinds
from dynamo_wagtail.models import MetaField, MetaModel
from tests.admin_utils import add_url, field, type_form
from tests.test_hostile_names import refused_everywhere
from tests.test_validation import as_row

pytestmark = pytest.mark.usefixtures("dynamo")

NUL = "a\x00b"

#: (id, field definition, key of the message).
BAD_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("order-text", {"kind": "integer", "order": "x"}, "f.order"),
    ("order-bool", {"kind": "integer", "order": True}, "f.order"),
    ("order-huge", {"kind": "integer", "order": 10**20}, "f.order"),
    ("required-yes", {"kind": "char", "required": "yes"}, "f.required"),
    ("unique-none", {"kind": "char", "unique": None}, "f.unique"),
    ("indexed-list", {"kind": "char", "indexed": [1]}, "f.indexed"),
    ("verbose_name-int", {"kind": "char", "verbose_name": 5}, "f.verbose_name"),
    ("verbose_name-nul", {"kind": "char", "verbose_name": NUL}, "f.verbose_name"),
    ("help-nul", {"kind": "char", "help": NUL}, "f.help"),
    ("help-long", {"kind": "char", "help": "h" * 256}, "f.help"),
    ("description-nul", {"kind": "char", "description": NUL}, "f.description"),
    ("default-nul", {"kind": "char", "default": NUL}, "f.default"),
    ("choices-nul", {"kind": "choice", "choices": f"x\n{NUL}"}, "f.choices"),
    ("choices-dict", {"kind": "choice", "choices": {"a": 1}}, "f.choices"),
    ("choices-nested", {"kind": "choice", "choices": [["a", "b", "c"]]}, "f.choices"),
    ("related_model-nul", {"kind": "foreign_key", "related_model": NUL}, "f.related_model"),
    ("options-list", {"kind": "char", "options": ["max_length"]}, "f.options"),
    ("options-nan", {"kind": "char", "options": {"max_length": float("nan")}}, "f.max_length"),
    ("options-unknown", {"kind": "char", "options": {"colour": "red"}}, "f.colour"),
    ("max_length-text", {"kind": "char", "options": {"max_length": "abc"}}, "f.max_length"),
    ("max_length-bool", {"kind": "char", "options": {"max_length": True}}, "f.max_length"),
    ("file-max_length-0", {"kind": "file", "options": {"max_length": 0}}, "f.max_length"),
    ("file-max_length-neg", {"kind": "file", "options": {"max_length": -5}}, "f.max_length"),
    ("file-max_length-huge", {"kind": "file", "options": {"max_length": 10**12}}, "f.max_length"),
    ("file-max_length-abc", {"kind": "file", "options": {"max_length": "abc"}}, "f.max_length"),
    (
        "image_file-max_length-0",
        {"kind": "image_file", "options": {"max_length": 0}},
        "f.max_length",
    ),
    ("decimal-digits-text", {"kind": "decimal", "options": {"max_digits": "x"}}, "f.max_digits"),
    ("widget-int", {"kind": "choice", "choices": "a", "options": {"widget": 5}}, "f.widget"),
    ("protocol-bad", {"kind": "ip", "options": {"protocol": "ipv5"}}, "f.protocol"),
    (
        "on_delete-bad",
        {"kind": "foreign_key", "related_model": "auth.User", "options": {"on_delete": "explode"}},
        "f.on_delete",
    ),
    (
        "related_name-int",
        {"kind": "foreign_key", "related_model": "auth.User", "options": {"related_name": 5}},
        "f.related_name",
    ),
    ("features-text", {"kind": "rich_text", "options": {"features": "bold"}}, "f.features"),
    ("float-nan", {"kind": "float", "default": "NaN"}, "f.default"),
    ("float-inf", {"kind": "float", "default": "inf"}, "f.default"),
    ("float-1e309", {"kind": "float", "default": "1e309"}, "f.default"),
    ("float-choice-nan", {"kind": "float", "choices": "1.5\nnan"}, "f.choices"),
    ("decimal-nan", {"kind": "decimal", "default": "NaN"}, "f.default"),
    ("json-nan", {"kind": "json", "default": "[NaN]"}, "f.default"),
    ("json-infinity", {"kind": "json", "default": '{"a": Infinity}'}, "f.default"),
    ("integer-huge-default", {"kind": "integer", "default": str(10**20)}, "f.default"),
    (
        "default-not-a-choice",
        {"kind": "choice", "choices": "red\nblue", "default": "green"},
        "f.default",
    ),
    (
        "integer-default-not-a-choice",
        {"kind": "integer", "choices": "1\n2", "default": "3"},
        "f.default",
    ),
    ("char-default-not-a-choice", {"kind": "char", "choices": "a,b", "default": "c"}, "f.default"),
    (
        "multiple-default-not-a-choice",
        {"kind": "multiple_choice", "choices": "a\nb", "default": "a,c"},
        "f.default",
    ),
    (
        "choice-longer-than-max_length",
        {"kind": "char", "choices": "abcdef", "options": {"max_length": 3}},
        "f.choices",
    ),
    ("boolean-default-yes", {"kind": "boolean", "default": "yes"}, "f.default"),
    ("uid-bad", {"kind": "char", "uid": "not-a-uuid"}, "f.uid"),
]

BAD_TYPES: list[tuple[str, dict[str, Any], str]] = [
    ("name-int", {"name": 123}, "name"),
    ("name-none", {"name": None}, "name"),
    ("name-nul", {"name": "Ab\x00c"}, "name"),
    ("verbose_name-nul", {"verbose_name": NUL}, "verbose_name"),
    ("verbose_name_plural-list", {"verbose_name_plural": ["x"]}, "verbose_name_plural"),
    ("description-nul", {"description": NUL}, "description"),
    ("icon-nul", {"icon": NUL}, "icon"),
    ("icon-unknown", {"icon": "no-such-icon"}, "icon"),
    ("add_to_admin_menu-yes", {"add_to_admin_menu": "yes"}, "add_to_admin_menu"),
    ("menu_order-text", {"menu_order": "first"}, "menu_order"),
    ("menu_order-negative", {"menu_order": -1}, "menu_order"),
    ("menu_order-huge", {"menu_order": 10**20}, "menu_order"),
    ("admin-yes", {"admin": "yes"}, "admin"),
    ("drafts-none", {"drafts": None}, "drafts"),
    ("listing_columns-text", {"listing_columns": "title"}, "listing_columns"),
    ("listing_columns-nul", {"listing_columns": [NUL]}, "listing_columns"),
    ("ordering-ints", {"ordering": [1, 2]}, "ordering"),
    ("search_fields-nan", {"search_fields": [float("inf")]}, "search_fields"),
    ("title_field-unknown", {"title_field": "nope"}, "title_field"),
    ("title_field-nul", {"title_field": NUL}, "title_field"),
    ("app-nul", {"app": NUL}, "app"),
]


def _field_def(spec: dict[str, Any]) -> dict[str, Any]:
    return {"name": "f", **spec}


@pytest.mark.parametrize(("label", "spec", "key"), BAD_FIELDS, ids=[c[0] for c in BAD_FIELDS])
def test_bad_field_options_are_refused_by_name_everywhere(label, spec, key):
    definition = _field_def(spec)
    problems = refused_everywhere(
        f"{label} create_type",
        key,
        lambda: api.create_type("Other", [{"name": "title", "kind": "char"}, definition]),
    )
    meta_model = api.create_type("Thing", [{"name": "title", "kind": "char"}])
    attrs = {k: v for k, v in definition.items() if k not in ("name", "kind")}
    problems += refused_everywhere(
        f"{label} add_field", key, lambda: api.add_field("Thing", "f", spec["kind"], **attrs)
    )
    problems += refused_everywhere(
        f"{label} ORM", key, lambda: as_row(meta_model, definition).save()
    )
    assert problems == []
    assert api.plan("Thing").is_empty


@pytest.mark.parametrize(("label", "options", "key"), BAD_TYPES, ids=[c[0] for c in BAD_TYPES])
def test_bad_type_options_are_refused_by_name_everywhere(label, options, key):
    options = {"name": "Thing", **options}
    name = options.pop("name")
    fields = [{"name": "title", "kind": "char"}]
    problems = refused_everywhere(
        f"{label} create_type", key, lambda: api.create_type(name, fields, **options)
    )
    problems += refused_everywhere(
        f"{label} ORM", key, lambda: MetaModel(name=name, **options).save()
    )
    if name == "Thing":
        api.create_type("Thing", fields)
        problems += refused_everywhere(
            f"{label} alter_type", key, lambda: api.alter_type("Thing", **options)
        )
    assert problems == []


def _kind_definition(kind: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {"name": "f", "kind": kind.name}
    if kind.is_relation and not kind.target_string():
        definition["related_model"] = "Target" if kind.name == "snippet" else "auth.User"
    if kind.name in ("choice", "multiple_choice"):
        definition["choices"] = "a\nb"
    return definition


def fits_by_design(kind: str, key: str, value: object) -> bool:
    """Numbers that are real values of these options (a range of a decimal, a size in MB)."""
    if isinstance(value, (dict, list)):
        return False
    if key == "max_size_mb":
        return value == 2.5
    return key in ("min_value", "max_value") and (
        kind == "float" or (kind == "decimal" and value == 2.5)
    )


def test_every_option_of_every_kind_is_parsed_by_its_type():
    api.create_type("Target", [{"name": "label", "kind": "char"}])
    problems = []
    for kind in offered_kinds():
        # Fine as they are (the defaults), and each option refused when of no fitting type.
        definition = _kind_definition(kind)
        with_defaults = {**definition, "options": dict(kind.option_defaults)}
        try:
            api.create_type("Fine", [with_defaults], dry_run=True)
        except Exception as exc:  # noqa: BLE001 - reported as a problem
            problems.append(f"{kind.name} with its defaults: {exc}")
        for key in kind.option_defaults:
            for value in ({"a": 1}, [{"a": 1}], 2.5, -(10**20)):
                if fits_by_design(kind.name, key, value):
                    continue
                bad = {**definition, "options": {key: value}}
                problems += refused_everywhere(
                    f"{kind.name}.{key}={value!r}",
                    f"f.{key}",
                    lambda bad=bad: api.create_type("Other", [bad]),
                )
    assert problems == []


def test_the_message_names_the_option():
    with pytest.raises(api.DefinitionError) as caught:
        api.create_type("Thing", [{"name": "f", "kind": "char", "required": "yes"}])
    (message,) = caught.value.message_dict["f.required"]
    assert "required" in message and "yes" in message


def test_empty_values_mean_no_value_and_the_type_works():
    api.create_type(
        "Thing",
        [
            {
                "name": "title",
                "kind": "char",
                "default": None,
                "verbose_name": None,
                "help": None,
                "description": None,
                "options": {"max_length": None},
            },
            {"name": "size", "kind": "integer", "order": "7", "required": "false"},
        ],
        listing_columns=None,
        search_fields=None,
        verbose_name=None,
    )
    row = MetaField.objects.get(name="title")
    assert (row.default, row.verbose_name, row.help) == ("", "", "")
    assert MetaField.objects.get(name="size").order == 7
    Thing = api.get_model("Thing")
    assert Thing._meta.get_field("title").max_length == 255
    entry = Thing.objects.create(title="x", size=2)
    assert Thing.objects.get(pk=entry.pk).title == "x"
    call_command("check", fail_level="ERROR")


def test_choices_given_as_a_list_are_a_list_of_choices():
    api.create_type(
        "Paint",
        [
            {"name": "colour", "kind": "choice", "choices": ["red", "blue"], "default": "red"},
            {"name": "size", "kind": "char", "choices": [["s", "Small"], ["l", "Large"]]},
            {"name": "one", "kind": "choice", "choices": ["a,b"]},
        ],
    )
    Paint = api.get_model("Paint")
    assert Paint._meta.get_field("colour").choices == [("red", "red"), ("blue", "blue")]
    assert Paint._meta.get_field("size").choices == [("s", "Small"), ("l", "Large")]
    assert Paint._meta.get_field("one").choices == [("a,b", "a,b")]
    assert MetaField.objects.get(name="colour").choices == "red|red\nblue|blue"
    entry = Paint.objects.create(size="s", one="a,b")
    entry.full_clean()
    assert Paint.objects.get(pk=entry.pk).colour == "red"


def test_an_orm_save_is_parsed_in_place():
    meta_model = MetaModel(name="Thing")
    meta_model.save()
    row = MetaField(meta_model=meta_model, name="n", type="integer", order="3", required="true")
    row.save()
    assert (row.order, row.required) == (3, True)
    assert MetaField.objects.filter(order=3, required=True).count() == 1


def _block_errors(response, index: int) -> dict:
    error = response.context["form"].errors.as_data()["field_definitions"][0]
    return error.block_errors[index].block_errors


@pytest.mark.parametrize(
    ("block", "option"),
    [
        (
            field(
                "choice",
                "colour",
                choices="red\nblue",
                default="green",
                max_length="10",
                widget="select",
            ),
            "default",
        ),
        (field("float", "ratio", default="nan"), "default"),
        (field("char", "size", choices="abcdef", max_length="3"), "choices"),
        (field("file", "upload", max_length="0"), "max_length"),
        (field("integer", "n", choices="1\n2", default="9"), "default"),
    ],
)
def test_the_builder_shows_each_refusal_on_its_block_and_option(admin_client, block, option):
    response = admin_client.post(
        add_url(), type_form([field("char", "title", max_length="100"), block], name="Thing")
    )
    assert response.status_code == 200
    assert option in _block_errors(response, 1)
    assert not MetaModel.objects.exists() and not MetaField.objects.exists()


def test_the_builder_refuses_nul_in_labels_and_writes_nothing(admin_client):
    response = admin_client.post(
        add_url(),
        type_form(
            [field("char", "title", max_length="100", verbose_name=NUL)],
            name="Thing",
            verbose_name=NUL,
        ),
    )
    assert response.status_code == 200
    assert not MetaModel.objects.exists() and not MetaField.objects.exists()


def test_accepted_hostile_looking_values_work_in_the_admin(admin_client):
    api.create_type(
        "Odd",
        [
            {"name": "title", "kind": "char", "verbose_name": "Ti'tle <b>", "help": "%s %(x)s"},
            {"name": "status", "kind": "choice", "choices": ["a", "b"], "default": "b"},
            {"name": "ratio", "kind": "float", "default": "1e308"},
            {"name": "upload", "kind": "file", "options": {"max_length": 1020}},
        ],
        drafts=True,
        revisions=True,
    )
    Odd = api.get_model("Odd")
    entry = Odd.objects.create(title="x")
    assert Odd.objects.get(pk=entry.pk).status == "b"
    viewset = Odd.snippet_viewset
    for url in (
        reverse(viewset.get_url_name("list")),
        reverse(viewset.get_url_name("add")),
        reverse(viewset.get_url_name("edit"), args=[entry.pk]),
    ):
        assert admin_client.get(url).status_code == 200, url
    call_command("check", fail_level="ERROR")
