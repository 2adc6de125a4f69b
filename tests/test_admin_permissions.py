"""Per-type permissions on every view of a generated type, and the widgets editors get."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from dynamo_wagtail import api

pytestmark = pytest.mark.usefixtures("dynamo")

ANY = {"add", "change", "delete", "view"}
VIEWS = {
    # view name: (needs a pk, the permissions of which one opens it) — Wagtail's rules
    "list": (False, ANY),
    "add": (False, {"add"}),
    "edit": (True, {"change"}),
    "delete": (True, {"delete"}),
    "history": (True, {"add", "change", "delete"}),
    "usage": (True, {"change"}),
    "inspect": (True, ANY),
}


@pytest.fixture
def event(django_user_model: Any) -> Any:
    api.create_type(
        "Event",
        [{"name": "title", "kind": "char", "required": True}],
        title_field="title",
        drafts=True,
        revisions=True,
        locking=True,
    )
    Event = api.get_model("Event")
    return Event.objects.create(title="Concert")


def user_with(django_user_model: Any, *actions: str) -> Any:
    user = django_user_model.objects.create_user(f"user_{'_'.join(actions) or 'none'}", "", "pw")
    group = Group.objects.create(name=f"group {user.username}")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    Event = api.get_model("Event")
    ct = ContentType.objects.get_for_model(Event)
    for action in actions:
        group.permissions.add(Permission.objects.get(content_type=ct, codename=f"{action}_event"))
    user.groups.add(group)
    return user


def url_of(name: str, entry: Any) -> str:
    viewset = type(entry).snippet_viewset
    args = [] if name in ("list", "add") else [entry.pk]
    return reverse(viewset.get_url_name(name), args=args)


@pytest.mark.parametrize(
    "actions", [(), ("view",), ("add",), ("change",), ("delete",), ("add", "view")]
)
def test_every_view_follows_the_permissions(
    client: Any, django_user_model: Any, event: Any, actions: tuple[str, ...]
) -> None:
    granted = set(actions)
    client.force_login(user_with(django_user_model, *granted))
    for name, (_pk, opens) in VIEWS.items():
        response = client.get(url_of(name, event))
        if granted & opens:
            assert response.status_code == 200, (name, actions, response.status_code)
        else:
            assert response.status_code in (302, 403), (name, actions, response.status_code)
            if response.status_code == 302:
                assert response["Location"].rstrip("/").endswith("/admin"), (name, actions)

    # Copying needs "add" and a right to see the original.
    copy = client.get(url_of("copy", event))
    if "add" in granted and granted & {"change", "view"}:
        assert copy.status_code == 200
    else:
        assert copy.status_code in (302, 403)
    export = client.get(url_of("list", event) + "?export=csv")
    chooser = client.get(
        reverse(type(event).snippet_viewset.chooser_viewset.get_url_name("choose"))
    )
    if granted:
        assert export.status_code == 200
        assert b"Concert" in b"".join(export.streaming_content)
        assert chooser.status_code == 200 and "Concert" in chooser.json()["html"]
    else:
        assert export.status_code in (302, 403)
        assert chooser.status_code in (302, 403)


def test_type_permissions_appear_in_the_group_editor(
    client: Any, django_user_model: Any, event: Any
) -> None:
    admin = django_user_model.objects.create_superuser("admin", "a@example.com", "pw")
    client.force_login(admin)
    page = client.get(reverse("wagtailusers_groups:add")).content.decode()
    Event = api.get_model("Event")
    ct = ContentType.objects.get_for_model(Event)
    for codename in ("add_event", "change_event", "delete_event", "publish_event", "lock_event"):
        perm = Permission.objects.get(content_type=ct, codename=codename)
        assert f'value="{perm.pk}"' in page, codename


def test_editors_get_wagtail_choosers_and_draftail(client: Any, django_user_model: Any) -> None:
    from wagtail.admin.rich_text import DraftailRichTextArea
    from wagtail.admin.widgets import AdminPageChooser
    from wagtail.documents.widgets import AdminDocumentChooser
    from wagtail.images.widgets import AdminImageChooser
    from wagtail.snippets.widgets import AdminSnippetChooser

    api.create_type("Category", [{"name": "name", "kind": "char"}], title_field="name")
    api.create_type(
        "Product",
        [
            {"name": "photo", "kind": "image"},
            {"name": "manual", "kind": "document"},
            {"name": "landing", "kind": "page"},
            {"name": "category", "kind": "snippet", "related_model": "Category"},
            {"name": "body", "kind": "rich_text", "options": {"features": ["bold", "link"]}},
        ],
    )
    admin = django_user_model.objects.create_superuser("admin", "a@example.com", "pw")
    client.force_login(admin)
    Product = api.get_model("Product")
    response = client.get(reverse(Product.snippet_viewset.get_url_name("add")))
    assert response.status_code == 200
    form = response.context["form"]
    assert isinstance(form.fields["photo"].widget, AdminImageChooser)
    assert isinstance(form.fields["manual"].widget, AdminDocumentChooser)
    assert isinstance(form.fields["landing"].widget, AdminPageChooser)
    assert isinstance(form.fields["category"].widget, AdminSnippetChooser)
    body = form.fields["body"].widget
    assert isinstance(body, DraftailRichTextArea)
    assert body.features == ["bold", "link"]
