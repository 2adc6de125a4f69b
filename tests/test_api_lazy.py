"""What the API costs a process: a type's schemas and operations are made at its first
request, a change rebuilds only the types it rebuilt, and no old class stays alive."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest

from dynamo_wagtail import api
from dynamo_wagtail.contrib.api import site, types
from tests.test_api import BASE, editor, make_shop, token_for

pytestmark = pytest.mark.usefixtures("dynamo")


def served(label: str) -> types.Served:
    return types.current()[1][label]


__all__ = ["editor"]  # the fixture


def test_schemas_are_made_at_the_first_request_that_needs_them(client: Any, editor: Any) -> None:
    make_shop()
    api.create_type("Shelf", [{"name": "label", "kind": "char"}], api_public=True)
    labels = ("dynamo.Category", "dynamo.Product", "dynamo.Shelf")
    assert [served(label).built for label in labels] == [False, False, False]
    auth = token_for(editor)

    assert client.get(BASE).status_code == 200
    assert [served(label).built for label in labels] == [False, True, False]
    assert client.get("/api/v3/schema/dynamo.Shelf/", **auth).status_code == 200
    assert [served(label).built for label in labels] == [False, True, True]
    document = client.get("/api/v3/openapi.json").json()
    assert "/api/v3/snippets/dynamo.Category/" in document["paths"]
    assert all(served(label).built for label in labels)


def test_a_change_rebuilds_only_the_types_it_rebuilt(client: Any) -> None:
    make_shop()
    api.create_type("Shelf", [{"name": "label", "kind": "char"}], api_public=True)
    for label in ("dynamo.Product", "dynamo.Shelf"):
        assert client.get(f"/api/v3/snippets/{label}/").status_code == 200
    product = site.current().api("dynamo.Product")
    shelf = site.current().api("dynamo.Shelf")

    api.add_field("Shelf", "width", "integer")
    assert client.get("/api/v3/snippets/dynamo.Shelf/?width=3").status_code == 200
    assert site.current().api("dynamo.Product") is product
    assert site.current().api("dynamo.Shelf") is not shelf
    assert not served("dynamo.Category").built

    api.add_field("Category", "code", "char")  # Product points to Category: both rebuilt
    assert site.current().api("dynamo.Product") is not product
    assert site.current().api("dynamo.Shelf") is not shelf


def test_old_classes_are_not_kept_alive_by_the_api(client: Any, editor: Any) -> None:
    make_shop()
    auth = token_for(editor)
    refs = []
    for i in range(6):
        model = api.get_model("Product")
        refs.append(weakref.ref(model))
        model.objects.create(title=f"t{i}", sku=f"s{i}")
        assert client.get(BASE + "?expand=category").status_code == 200
        assert client.get("/api/v3/schema/dynamo.Product/", **auth).status_code == 200
        assert client.get("/api/v3/openapi.json").status_code == 200
        del model
        api.add_field("Product", f"extra{i}", "char")
    assert client.get(BASE).status_code == 200
    gc.collect()
    assert [ref() for ref in refs if ref() is not None] == []
