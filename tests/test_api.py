"""The API (``dynamo_wagtail.contrib.api``) through its real URLs: reads, filters, writes,
permissions, drafts, and schemas that follow each change of a type."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from wagtail.models import APIToken, ModelLogEntry

from dynamo_wagtail import api
from dynamo_wagtail.contrib.api import checks
from tests.site_utils import make_image, make_site

pytestmark = pytest.mark.usefixtures("dynamo")

BASE = "/api/v3/snippets/dynamo.Product/"


def make_shop(**options: Any) -> tuple[type, type]:
    api.create_type(
        "Category",
        [{"name": "name", "kind": "char", "required": True, "indexed": True}],
        title_field="name",
        api_public=True,
    )
    api.create_type(
        "Product",
        [
            {"name": "title", "kind": "char", "required": True, "indexed": True},
            {"name": "sku", "kind": "char", "unique": True},
            {"name": "price", "kind": "decimal", "options": {"max_digits": 8, "decimal_places": 2}},
            {"name": "in_stock", "kind": "boolean"},
            {"name": "size", "kind": "choice", "choices": "s|Small\nm|Medium\nl|Large"},
            {"name": "category", "kind": "foreign_key", "related_model": "Category"},
            {"name": "tags", "kind": "tags"},
        ],
        title_field="title",
        **{"api_public": True, **options},
    )
    return api.get_model("Category"), api.get_model("Product")


def token_for(user: Any) -> dict[str, str]:
    _token, plain = APIToken.create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def user_with(django_user_model: Any, model: type, *actions: str) -> Any:
    user = django_user_model.objects.create_user(f"user_{'_'.join(actions) or 'none'}", "", "pw")
    group = Group.objects.create(name=f"group {user.username}")
    ct = ContentType.objects.get_for_model(model)
    for action in actions:
        group.permissions.add(
            Permission.objects.get(content_type=ct, codename=f"{action}_{model._meta.model_name}")
        )
    user.groups.add(group)
    return user


@pytest.fixture
def editor(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser("editor", "e@example.com", "pw")


def post(client: Any, url: str, data: Any, auth: dict[str, str], method: str = "post") -> Any:
    return getattr(client, method)(url, json.dumps(data), content_type="application/json", **auth)


def detail(response: Any) -> str:
    return response.json()["detail"]


def test_list_filters_order_fields_and_pages(client: Any) -> None:
    Category, Product = make_shop()
    books, games = Category.objects.create(name="Books"), Category.objects.create(name="Games")
    rows = [
        ("Dune", "9.99", True, "s", books, ["scifi"]),
        ("Emma", "3.50", False, "m", books, ["classic"]),
        ("Go", "25.00", True, "l", games, ["classic", "board"]),
    ]
    for title, price, stock, size, category, tags in rows:
        entry = Product.objects.create(
            title=title,
            sku=title.upper(),
            price=price,
            in_stock=stock,
            size=size,
            category=category,
        )
        entry.tags.add(*tags)
        entry.save()  # a cluster's tags are written on save

    def titles(query: str) -> list[str]:
        response = client.get(BASE + query)
        assert response.status_code == 200, response.content
        return [item["title"] for item in response.json()["items"]]

    assert titles("") == ["Dune", "Emma", "Go"]
    assert titles("?price__gte=5") == ["Dune", "Go"]
    assert titles("?price__lt=5") == ["Emma"]
    assert titles(f"?category={games.pk}") == ["Go"]
    assert titles(f"?category__in={books.pk},{games.pk}&in_stock=true") == ["Dune", "Go"]
    assert titles("?size__in=s,m") == ["Dune", "Emma"]
    assert titles("?title__contains=mm") == ["Emma"]
    assert titles("?tags=classic") == ["Emma", "Go"]
    assert titles("?category__isnull=false&order=-title") == ["Go", "Emma", "Dune"]
    page = client.get(BASE + "?limit=2&offset=1").json()
    assert page["count"] == 3 and [i["title"] for i in page["items"]] == ["Emma", "Go"]

    item = client.get(BASE + "?fields=title,price&limit=1").json()["items"][0]
    assert set(item) == {"id", "meta", "title", "price"}
    assert item["meta"]["type"] == "dynamo.Product"
    plain = client.get(BASE + "?limit=1").json()["items"][0]
    assert plain["category"] == {"id": books.pk, "meta": {"type": "dynamo.Category"}}
    assert plain["tags"] == ["scifi"]
    expanded = client.get(BASE + "?limit=1&expand=category").json()["items"][0]
    assert expanded["category"]["name"] == "Books"

    # Every bad parameter is a 400 that names it, never a 500 or a silent pass.
    for query, named in [
        ("?price__gte=cheap", "price__gte"),
        ("?size__in=xl", "size__in"),
        ("?in_stock=maybe", "in_stock"),
        ("?colour=red", "colour"),
        ("?order=price", "order"),
        ("?fields=nothing", "fields"),
        ("?expand=title", "expand"),
        ("?limit=500", "limit"),
        ("?search=dune", "search"),
    ]:
        response = client.get(BASE + query)
        assert response.status_code == 400, (query, response.content)
        assert response["Content-Type"] == "application/problem+json"
        assert detail(response).startswith(named), (query, detail(response))


def test_queries_stay_constant_whatever_the_page_size(client: Any) -> None:
    Category, Product = make_shop()
    category = Category.objects.create(name="Books")

    def queries(count: int) -> int:
        Product.objects.all().delete()
        for n in range(count):
            entry = Product.objects.create(title=f"t{n}", sku=f"s{n}", category=category)
            entry.tags.add("a", "b")
            entry.save()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(BASE + "?limit=20&expand=category")
        assert response.status_code == 200
        assert len(response.json()["items"]) == count
        return len(captured)

    assert queries(3) == queries(12)


def test_permissions_follow_the_groups(client: Any, django_user_model: Any) -> None:
    _Category, Product = make_shop(api_public=False)
    entry = Product.objects.create(title="Dune", sku="D")
    entry_url = f"{BASE}{entry.pk}/"
    nobody = token_for(user_with(django_user_model, Product))
    viewer = token_for(user_with(django_user_model, Product, "view"))
    adder = token_for(user_with(django_user_model, Product, "add", "view"))

    # A private type does not show it exists to callers who may not see it.
    assert client.get(BASE).status_code == 404
    assert client.get(entry_url).status_code == 404
    assert client.get(BASE, **nobody).status_code == 404
    assert post(client, BASE, {"title": "x"}, nobody).status_code == 404
    assert client.get(BASE, **viewer).json()["count"] == 1
    assert client.get(entry_url, **viewer).json()["title"] == "Dune"
    # Seen but not permitted: 403; no token on a write: 401.
    assert post(client, BASE, {"title": "x"}, viewer).status_code == 403
    assert post(client, entry_url, {"title": "y"}, adder, "patch").status_code == 403
    assert client.delete(entry_url, **adder).status_code == 403
    assert post(client, BASE, {"title": "x"}, {}).status_code == 401
    created = post(client, BASE, {"title": "New", "sku": "N"}, adder)
    assert created.status_code == 201, created.content
    # A bad token is no token.
    assert client.get(BASE, HTTP_AUTHORIZATION="Bearer nonsense").status_code == 404


def test_writes_validate_like_the_admin_and_are_logged(editor: Any) -> None:
    # Tokens, not cookies: a write needs no CSRF token (as in all of Wagtail's v3).
    client = Client(enforce_csrf_checks=True)
    Category, Product = make_shop()
    books = Category.objects.create(name="Books")
    auth = token_for(editor)
    created = post(
        client,
        BASE,
        {"title": "Dune", "sku": "D1", "price": "9.99", "category_id": books.pk, "tags": ["scifi"]},
        auth,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["category"]["id"] == books.pk and body["tags"] == ["scifi"]
    entry = Product.objects.get(pk=body["id"])
    assert entry.title == "Dune" and str(entry.price) == "9.99"

    # Field-level errors in v3's format, nothing saved.
    for data, field in [
        ({"sku": "D2"}, "title"),
        ({"title": "x", "price": "free"}, "price"),
        ({"title": "x", "size": "xl"}, "size"),
        ({"title": "x", "sku": "D1"}, "sku"),  # unique
        ({"title": "x", "colour": "red"}, "colour"),  # not a field
    ]:
        response = post(client, BASE, data, auth)
        assert response.status_code == 422, (data, response.content)
        errors = response.json()["errors"]
        assert any(
            field in map(str, e.get("loc", [])) or field in e.get("msg", "") for e in errors
        ), errors
    assert Product.objects.count() == 1

    patched = post(client, f"{BASE}{entry.pk}/", {"price": "7.00"}, auth, "patch")
    assert patched.status_code == 200, patched.content
    entry.refresh_from_db()
    assert str(entry.price) == "7.00" and entry.title == "Dune"  # the rest left alone
    assert client.delete(f"{BASE}{entry.pk}/", **auth).status_code == 204
    assert not Product.objects.exists()
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(entry.pk))
        .order_by("timestamp")
        .values_list("action", "user_id")
    )
    assert actions == [
        ("wagtail.create", editor.pk),
        ("wagtail.edit", editor.pk),
        ("wagtail.delete", editor.pk),
    ]


def test_drafts_and_revisions(client: Any, editor: Any) -> None:
    _Category, Product = make_shop(drafts=True, revisions=True)
    auth = token_for(editor)
    created = post(client, BASE, {"title": "Draft", "sku": "D"}, auth)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    entry = Product.objects.get(pk=pk)
    assert not entry.live and entry.revisions.count() == 1
    assert client.get(BASE).json()["count"] == 0  # anonymous: live entries only
    assert client.get(BASE, **auth).json()["count"] == 1
    published = client.post(f"{BASE}{pk}/actions/publish/", **auth)
    assert published.status_code == 200, published.content
    assert client.get(BASE).json()["items"][0]["title"] == "Draft"

    changed = post(client, f"{BASE}{pk}/", {"title": "Second"}, auth, "patch")
    assert changed.status_code == 200, changed.content
    assert client.get(f"{BASE}{pk}/").json()["title"] == "Draft"  # live stays
    assert client.get(f"{BASE}{pk}/?version=draft", **auth).json()["title"] == "Second"
    assert client.get(f"{BASE}{pk}/?version=draft").json()["title"] == "Draft"
    third = post(
        client, f"{BASE}{pk}/", {"title": "Third", "meta": {"action": "publish"}}, auth, "patch"
    )
    assert third.status_code == 200, third.content
    assert client.get(f"{BASE}{pk}/").json()["title"] == "Third"
    assert Product.objects.get(pk=pk).revisions.count() == 3  # create, change, change + publish
    assert client.post(f"{BASE}{pk}/actions/unpublish/", **auth).status_code == 200
    assert client.get(BASE).json()["count"] == 0


def test_schemas_and_document_follow_each_change(client: Any, editor: Any) -> None:
    _Category, Product = make_shop()
    auth = token_for(editor)

    def read_schema() -> dict[str, Any]:
        response = client.get("/api/v3/schema/dynamo.Product/", **auth)
        assert response.status_code == 200
        return response.json()["read"]["properties"]

    def document() -> dict[str, Any]:
        response = client.get("/api/v3/openapi.json")
        assert response.status_code == 200
        return response.json()

    assert "weight" not in read_schema()
    api.add_field("Product", "weight", "float")
    assert "weight" in read_schema()
    components = document()["components"]["schemas"]
    assert "weight" in components["ProductEntry"]["properties"]

    Product = api.get_model("Product")
    Product.objects.create(title="Dune", sku="D", weight=1.5)
    api.rename_field("Product", "weight", "mass")
    assert "mass" in read_schema() and "weight" not in read_schema()
    assert client.get(BASE).json()["items"][0]["mass"] == 1.5
    for query in ("?weight=1.5", "?fields=weight", "?order=weight"):
        response = client.get(BASE + query)
        assert response.status_code == 400 and "'mass'" in detail(response), response.content
    renamed = post(client, BASE, {"title": "x", "weight": 2}, auth)
    assert renamed.status_code == 400 and "'mass'" in detail(renamed), renamed.content

    api.create_type("Shelf", [{"name": "label", "kind": "char"}], api_public=True)
    listed = [t["name"] for t in client.get("/api/v3/schema/", **auth).json()["types"]]
    assert "dynamo.Shelf" in listed
    assert "/api/v3/snippets/dynamo.Shelf/" in document()["paths"]
    assert client.get("/api/v3/snippets/dynamo.Shelf/").status_code == 200

    api.delete_type("Shelf")
    listed = [t["name"] for t in client.get("/api/v3/schema/", **auth).json()["types"]]
    assert "dynamo.Shelf" not in listed
    assert "/api/v3/snippets/dynamo.Shelf/" not in document()["paths"]
    assert client.get("/api/v3/snippets/dynamo.Shelf/").status_code == 404

    api.alter_type("Product", api=False)
    assert client.get(BASE, **auth).status_code == 404
    assert client.get("/api/v3/schema/dynamo.Product/", **auth).status_code == 404


def test_search_through_wagtail_search(client: Any) -> None:
    _Category, Product = make_shop(search_index=True)
    Product.objects.create(title="Dune messiah", sku="D")
    Product.objects.create(title="Emma", sku="E")
    response = client.get(BASE + "?search=dune")
    assert response.status_code == 200, response.content
    assert [i["title"] for i in response.json()["items"]] == ["Dune messiah"]


def test_the_include_must_come_before_wagtails() -> None:
    assert checks.url_order() == []
    with override_settings(ROOT_URLCONF="tests.urls_api_reversed"):
        errors = checks.url_order()
    assert [e.id for e in errors] == ["dynamo_wagtail_api.E001"]


def test_images_documents_pages_and_groups(client: Any, editor: Any) -> None:
    from wagtail.documents import get_document_model

    api.create_type(
        "Event",
        [
            {"name": "title", "kind": "char", "required": True},
            {"name": "photo", "kind": "image"},
            {"name": "leaflet", "kind": "document"},
            {"name": "page", "kind": "page"},
            {"name": "starts_at", "kind": "time"},
            {"name": "programme", "kind": "group"},
        ],
        title_field="title",
        api_public=True,
    )
    api.add_field("EventProgramme", "talk", "char", required=True)
    Event = api.get_model("Event")
    page = make_site()  # transactional tests flush Wagtail's root collection and pages
    image = make_image()
    document = get_document_model().objects.create(title="leaflet")
    auth = token_for(editor)
    url = "/api/v3/snippets/dynamo.Event/"
    created = post(
        client,
        url,
        {
            "title": "Meet-up",
            "photo_id": image.pk,
            "leaflet_id": document.pk,
            "page_id": page.pk,
            "starts_at": "18:30",
            "programme": [{"talk": "Welcome"}, {"talk": "Lightning talks"}],
        },
        auth,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert [item["talk"] for item in body["programme"]] == ["Welcome", "Lightning talks"]
    assert body["photo"] == {"id": image.pk, "meta": {"type": "wagtailimages.Image"}}
    assert body["starts_at"] == "18:30:00"
    pk = body["id"]

    # A time of day with a time zone, a block or item of the wrong shape: 422, not a 500.
    for data in (
        {"title": "x", "starts_at": "18:30:00Z"},
        {"title": "x", "programme": [{"talk": "a", "colour": "red"}]},
    ):
        response = post(client, url, data, auth)
        assert response.status_code == 422, (data, response.content)

    reordered = post(
        client,
        f"{url}{pk}/",
        {"programme": [{"talk": "Lightning talks"}, {"talk": "Welcome"}, {"talk": "Drinks"}]},
        auth,
        "patch",
    )
    assert reordered.status_code == 200, reordered.content
    entry = Event.objects.get(pk=pk)
    assert [item.talk for item in entry.programme.all()] == ["Lightning talks", "Welcome", "Drinks"]

    expanded = client.get(f"{url}{pk}/?expand=photo,leaflet,page").json()
    photo = expanded["photo"]
    assert photo["title"] == "pic" and photo["width"] > 0
    assert set(photo["renditions"]) == {"thumbnail", "medium"}
    assert photo["renditions"]["thumbnail"]["width"] == 160
    assert expanded["leaflet"]["title"] == "leaflet" and expanded["leaflet"]["url"]
    assert expanded["page"]["title"] == page.title

    for n in range(5):
        Event.objects.create(title=f"e{n}", photo=image, leaflet=document, page=page)

    def queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{url}?limit={limit}&expand=photo,leaflet,page")
        assert response.status_code == 200 and len(response.json()["items"]) == limit
        return len(captured)

    queries(6)  # the renditions are made once
    assert queries(2) == queries(6)


def test_a_write_broken_by_a_schema_change_is_a_409_to_try_again(
    client: Any, editor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import DatabaseError

    from dynamo_wagtail.contrib.api.endpoints import Entries

    _Category, Product = make_shop()
    auth = token_for(editor)

    def create_during_a_change(self: Any, request: Any, data: Any) -> Any:
        api.add_field("Product", "weight", "float")  # another process, as it were
        raise DatabaseError("no such column")

    monkeypatch.setattr(Entries, "create", create_during_a_change)
    response = post(client, BASE, {"title": "x"}, auth)
    assert response.status_code == 409, response.content
    assert "try again" in detail(response)
    monkeypatch.undo()
    again = post(client, BASE, {"title": "x", "sku": "X", "weight": 2.5}, auth)
    assert again.status_code == 201, again.content


def test_a_file_field_filters_on_being_empty(client: Any) -> None:
    from django.core.files.base import ContentFile

    api.create_type(
        "Leaflet",
        [{"name": "title", "kind": "char"}, {"name": "pdf", "kind": "file"}],
        api_public=True,
    )
    Leaflet = api.get_model("Leaflet")
    Leaflet.objects.create(title="empty")
    with_file = Leaflet(title="full")
    with_file.pdf.save("a.txt", ContentFile(b"x"), save=True)
    url = "/api/v3/snippets/dynamo.Leaflet/?pdf__isnull="
    assert [i["title"] for i in client.get(url + "true").json()["items"]] == ["empty"]
    assert [i["title"] for i in client.get(url + "false").json()["items"]] == ["full"]
    assert client.get(url + "maybe").status_code == 400
