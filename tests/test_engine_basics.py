"""The engine end to end through the Python API: create, change, rename, trash."""

from __future__ import annotations

import json
import sys

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from dynamo_wagtail import api
from dynamo_wagtail.definitions import DefinitionError
from dynamo_wagtail.pipeline import ConfirmationRequired
from dynamo_wagtail.spec import ModelSpec

pytestmark = pytest.mark.usefixtures("dynamo")


def make_product():
    return api.create_type(
        "Product",
        [
            {"name": "title", "kind": "char", "required": True},
            {"name": "price", "kind": "decimal", "options": {"max_digits": 8, "decimal_places": 2}},
            {"name": "code", "kind": "text"},
        ],
    )


def test_created_type_is_a_real_model_with_a_table():
    make_product()
    Product = apps.get_model("dynamo", "Product")
    Product.objects.create(title="Lamp", price="12.50", code="7")
    assert [f.name for f in Product._meta.fields] == ["id", "title", "price", "code"]
    assert Product.objects.get().title == "Lamp"
    ct = ContentType.objects.get_for_model(Product)
    assert ct.model_class() is Product
    assert {p.codename for p in ct.permission_set.all()} == {
        "add_product",
        "change_product",
        "delete_product",
        "view_product",
    }


def test_text_to_integer_refused_on_one_bad_row_then_converted():
    make_product()
    Product = api.get_model("Product")
    Product.objects.create(title="a", code="12")
    bad = Product.objects.create(title="b", code="abc")
    with pytest.raises(DefinitionError) as caught:
        api.alter_field("Product", "code", kind="integer", confirm=True)
    message = caught.value.message_dict["code.type"][0]
    assert f"id {bad.pk}" in message and "1 entry" in message
    assert list(api.get_model("Product").objects.order_by("pk").values_list("code", flat=True)) == [
        "12",
        "abc",
    ]
    Product.objects.filter(pk=bad.pk).update(code="34")
    with pytest.raises(ConfirmationRequired):
        api.alter_field("Product", "code", kind="integer")
    api.alter_field("Product", "code", kind="integer", confirm=True)
    values = list(api.get_model("Product").objects.order_by("pk").values_list("code", flat=True))
    assert values == [12, 34]


def test_a_save_that_changes_nothing_plans_nothing():
    meta_model = make_product()
    meta_model.save()
    assert api.plan("Product").is_empty


def test_classes_and_entries_pickle():
    import pickle

    make_product()
    Product = api.get_model("Product")
    entry = Product.objects.create(title="Lamp", price="1.00")
    assert pickle.loads(pickle.dumps(Product)) is Product
    again = pickle.loads(pickle.dumps(entry))
    assert (type(again), again.pk, again.title) == (Product, entry.pk, "Lamp")


def test_default_ordering_applies_without_unique_together():
    api.create_type("Score", [{"name": "points", "kind": "integer"}], ordering=["-points"])
    Score = api.get_model("Score")
    Score.objects.bulk_create([Score(points=p) for p in (3, 9, 1)])
    assert list(Score.objects.values_list("points", flat=True)) == [9, 3, 1]


def test_a_mistyped_change_option_is_refused_not_ignored():
    make_product()
    with pytest.raises(TypeError):
        api.remove_field("Product", "code", confrim=True)
    with pytest.raises(TypeError):
        api.rename_type("Product", "Item", dryrun=True)
    assert api.get_model("Product")._meta.get_field("code")


def test_field_names_are_interned_as_a_static_models_are():
    # CPython's attribute cache matches names by identity: with a name string read
    # from the database, every setattr in Model.__init__ misses it (5 % of a bulk load).
    name = "".join(["ti", "tle"])
    assert name is not sys.intern("title")
    api.create_type("Product", [{"name": name, "kind": "char"}])
    Product = api.get_model("Product")
    assert Product._meta.get_field("title").attname is sys.intern("title")
    stored = ModelSpec.from_json(json.loads(json.dumps(Product.dynamo_spec.to_json())))
    assert stored.fields[0].name is sys.intern("title")
