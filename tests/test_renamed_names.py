"""A field renamed in the admin does not silently blank a template that uses its old name."""

from __future__ import annotations

import logging

import pytest
from django.template import Context, Template

from dynamo_wagtail import api

pytestmark = pytest.mark.usefixtures("dynamo")


def test_old_name_still_renders_with_a_warning(caplog):
    api.create_type("Product", [{"name": "price", "kind": "integer"}])
    entry = api.get_model("Product").objects.create(price=12)
    api.rename_field("Product", "price", "cost")
    api.rename_field("Product", "cost", "amount")

    Product = api.get_model("Product")
    entry = Product.objects.get(pk=entry.pk)
    with caplog.at_level(logging.WARNING, logger="dynamo_wagtail.templates"):
        html = Template("{{ e.price }}/{{ e.cost }}/{{ e.amount }}").render(Context({"e": entry}))
    assert html == "12/12/12"
    messages = [r.getMessage() for r in caplog.records]
    assert any("Product.price was renamed to amount" in m for m in messages), messages
    assert api.get_type("Product").fields.get().former_names == ["price", "cost"]
    assert Product.dynamo_spec.renamed("price").name == "amount"


def test_a_new_field_takes_over_an_old_name():
    api.create_type("Product", [{"name": "price", "kind": "integer"}])
    api.rename_field("Product", "price", "cost")
    api.add_field("Product", "price", "char")
    entry = api.get_model("Product").objects.create(cost=5, price="five")
    assert (entry.cost, entry.price) == (5, "five")
    assert api.get_model("Product").dynamo_spec.renamed("price") is None
