"""Generated types in the Wagtail admin as snippets: registered, changed, removed live."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest
from django import forms
from django.core import checks
from django.db.models.signals import post_delete, post_save
from django.urls import NoReverseMatch, clear_url_caches, get_resolver, reverse
from django.utils.text import capfirst
from wagtail import hooks
from wagtail.admin.admin_url_finder import finder_classes
from wagtail.admin.forms.models import registry as form_field_overrides
from wagtail.models import ReferenceIndex
from wagtail.permissions import policy_registry
from wagtail.snippets.models import SNIPPET_MODELS

from dynamo_wagtail import api
from dynamo_wagtail.admin import registrations, snippets
from dynamo_wagtail.admin.urls import resolver
from dynamo_wagtail.registry import registry

pytestmark = pytest.mark.usefixtures("dynamo")

FIELDS = [
    {"name": "title", "kind": "char", "required": True},
    {"name": "body", "kind": "text"},
    {"name": "rating", "kind": "integer"},
    {"name": "featured", "kind": "boolean"},
]


def make_article(**options: Any) -> type:
    options.setdefault("title_field", "title")
    api.create_type("Article", FIELDS, **options)
    return api.get_model("Article")


def url(model: type, name: str, *args: Any) -> str:
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


def form_data(form: forms.BaseForm) -> dict[str, Any]:
    """POST data filling every field of a form with a valid value."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.BooleanField):
            data[name] = "on"
        elif isinstance(field, forms.IntegerField):
            data[name] = "3"
        elif isinstance(field, forms.CharField):
            data[name] = f"{name} value"
        elif field.initial is not None:
            data[name] = field.initial
    return data


def snippet_index_names(client: Any) -> str:
    response = client.get("/admin/snippets/")
    assert response.status_code == 200
    return response.content.decode()


def test_new_type_is_a_snippet_with_every_view(admin_client: Any) -> None:
    Article = make_article()
    assert Article in SNIPPET_MODELS
    assert "Articles" in snippet_index_names(admin_client)
    entry = Article.objects.create(title="First", body="Text")

    assert url(Article, "list") == "/admin/snippets/dynamo/article/"
    for name, args in [
        ("list", ()),
        ("list_results", ()),
        ("add", ()),
        ("edit", (entry.pk,)),
        ("delete", (entry.pk,)),
        ("copy", (entry.pk,)),
        ("history", (entry.pk,)),
        ("usage", (entry.pk,)),
        ("inspect", (entry.pk,)),
    ]:
        response = admin_client.get(url(Article, name, *args))
        assert response.status_code == 200, (name, response.status_code)
    listing = admin_client.get(url(Article, "list")).content.decode()
    assert "First" in listing
    export = admin_client.get(url(Article, "list") + "?export=csv")
    assert export.status_code == 200
    csv = b"".join(export.streaming_content).decode()
    assert csv.splitlines()[1].startswith("First,Text")


def test_post_add_form_creates_an_entry(admin_client: Any) -> None:
    Article = make_article()
    add_url = url(Article, "add")
    form = admin_client.get(add_url).context["form"]
    assert set(form.fields) == {"title", "body", "rating", "featured"}
    response = admin_client.post(add_url, form_data(form))
    assert response.status_code == 302, response.context["form"].errors
    entry = Article.objects.get()
    assert (entry.title, entry.rating, entry.featured) == ("title value", 3, True)

    edit_url = url(Article, "edit", entry.pk)
    form = admin_client.get(edit_url).context["form"]
    response = admin_client.post(edit_url, {**form_data(form), "title": "Changed"})
    assert response.status_code == 302
    assert Article.objects.get().title == "Changed"


def test_added_field_is_in_the_forms_at_once(admin_client: Any) -> None:
    Article = make_article()
    entry = Article.objects.create(title="First")
    assert 'name="subtitle"' not in admin_client.get(url(Article, "add")).content.decode()

    api.add_field("Article", "subtitle", "char")
    Article = api.get_model("Article")
    for page in (url(Article, "add"), url(Article, "edit", entry.pk)):
        response = admin_client.get(page)
        assert response.status_code == 200
        assert 'name="subtitle"' in response.content.decode()
    form = admin_client.get(url(Article, "add")).context["form"]
    assert admin_client.post(url(Article, "add"), form_data(form)).status_code == 302
    assert Article.objects.get(title="title value").subtitle == "subtitle value"


def test_renamed_type_moves_its_urls(admin_client: Any) -> None:
    make_article()
    old_url = "/admin/snippets/dynamo/article/"
    assert admin_client.get(old_url).status_code == 200

    api.rename_type("Article", "Story")
    Story = api.get_model("Story")
    assert admin_client.get(old_url).status_code == 404
    assert admin_client.get(old_url + "add/").status_code == 404
    assert url(Story, "list") == "/admin/snippets/dynamo/story/"
    assert admin_client.get("/admin/snippets/dynamo/story/").status_code == 200
    assert admin_client.get("/admin/snippets/dynamo/story/add/").status_code == 200
    assert str(capfirst(Story._meta.verbose_name_plural)) in snippet_index_names(admin_client)
    with pytest.raises(NoReverseMatch):
        reverse("wagtailsnippets_dynamo_article:list")


def test_a_type_registered_before_the_first_request_leaves_the_urlconf_unloaded(
    admin_client: Any,
) -> None:
    clear_url_caches()  # as in a process that has served no request yet
    root = get_resolver()
    Article = make_article()
    # Registering built no URL table: the root URLconf is read at the first request.
    assert "url_patterns" not in root.__dict__
    assert admin_client.get("/admin/snippets/dynamo/article/").status_code == 200
    assert "url_patterns" in get_resolver().__dict__
    assert url(Article, "add") == "/admin/snippets/dynamo/article/add/"
    # Once loaded, a change reaches the tables the first request built.
    api.rename_type("Article", "Story")
    assert admin_client.get("/admin/snippets/dynamo/article/").status_code == 404
    assert admin_client.get("/admin/snippets/dynamo/story/").status_code == 200


def test_deleted_type_leaves_no_registration(admin_client: Any) -> None:
    baseline = registrations_snapshot()
    api.create_type("Note", [{"name": "text", "kind": "char"}])
    Article = make_article()
    entry = Article.objects.create(title="First")
    pages = [url(Article, "list"), url(Article, "add"), url(Article, "edit", entry.pk)]
    chooser = reverse(Article.snippet_viewset.chooser_viewset.get_url_name("choose"))
    for page in [*pages, chooser]:
        assert admin_client.get(page).status_code == 200
    assert registrations_snapshot() != baseline

    api.delete_type("Article")
    assert "Articles" not in snippet_index_names(admin_client)
    for page in [*pages, chooser]:
        assert admin_client.get(page).status_code == 404, page
    with pytest.raises(NoReverseMatch):
        reverse("wagtailsnippets_dynamo_article:list")
    api.delete_type("Note")
    assert registrations_snapshot() == baseline
    assert not [m for m in SNIPPET_MODELS if hasattr(m, "dynamo_spec")]


def registrations_snapshot() -> dict[str, Any]:
    return {
        "snippets": list(SNIPPET_MODELS),
        "hooks": {name: list(entries) for name, entries in hooks._hooks.items()},
        "checks": set(checks.registry.registry.registered_checks),
        "finders": dict(finder_classes.values_by_class),
        "policies": dict(policy_registry.fallback_policies),
        "fk_widgets": dict(form_field_overrides.values_by_fk_related_model),
        "references": set(ReferenceIndex.tracked_models),
        "viewsets": dict(snippets._viewsets),
        "urls": list(resolver.url_patterns),
    }


def test_restored_type_comes_back(admin_client: Any) -> None:
    make_article()
    api.delete_type("Article")
    assert admin_client.get("/admin/snippets/dynamo/article/").status_code == 404
    api.restore_type("Article")
    assert admin_client.get("/admin/snippets/dynamo/article/").status_code == 200


def test_chooser_works(admin_client: Any) -> None:
    Article = make_article()
    entry = Article.objects.create(title="Pick me")
    chooser = Article.snippet_viewset.chooser_viewset
    response = admin_client.get(reverse(chooser.get_url_name("choose")))
    assert response.status_code == 200
    assert "Pick me" in response.json()["html"]
    chosen = admin_client.get(reverse(chooser.get_url_name("chosen"), args=[entry.pk]))
    assert chosen.json()["result"]["string"] == "Pick me"


def test_relation_to_another_type_uses_its_chooser(admin_client: Any) -> None:
    make_article()
    api.create_type("Review", [{"name": "article", "kind": "snippet", "related_model": "Article"}])
    Review = api.get_model("Review")
    html = admin_client.get(url(Review, "add")).content.decode()
    assert "/admin/snippets/choose/dynamo/article/" in html


def test_label_is_escaped(admin_client: Any) -> None:
    api.create_type(
        "Article",
        [{"name": "title", "kind": "char", "verbose_name": "<script>alert(1)</script>"}],
        listing_columns=["title"],
    )
    Article = api.get_model("Article")
    Article.objects.create(title="x")
    for page in (url(Article, "add"), url(Article, "list")):
        html = admin_client.get(page).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_help_texts_choices_and_type_labels_are_escaped(admin_client: Any) -> None:
    script = "<script>alert(2)</script>"
    api.create_type(
        "Poll",
        [
            {"name": "question", "kind": "char", "help": script},
            {"name": "answer", "kind": "choice", "choices": f"yes|{script}\nno|No"},
        ],
        verbose_name=script,
        verbose_name_plural=script,
    )
    Poll = api.get_model("Poll")
    Poll.objects.create(question="q", answer="yes")
    for page in (url(Poll, "add"), url(Poll, "list"), "/admin/snippets/"):
        html = admin_client.get(page).content.decode()
        assert script not in html, page
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html, page
    builder = admin_client.get(
        reverse("wagtailsnippets_dynamo_wagtail_metamodel:edit", args=[api.get_type("Poll").pk])
    ).content.decode()
    assert script not in builder


def test_listing_exports_xlsx(admin_client: Any) -> None:
    Article = make_article()
    Article.objects.create(title="Exported", body="b")
    response = admin_client.get(url(Article, "list") + "?export=xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[2]][:2] == ["Exported", "b"]


def test_type_without_admin_is_no_snippet(admin_client: Any) -> None:
    api.create_type("Hidden", [{"name": "text", "kind": "char"}], admin=False)
    Hidden = api.get_model("Hidden")
    assert Hidden not in SNIPPET_MODELS
    assert admin_client.get("/admin/snippets/dynamo/hidden/").status_code == 404
    api.alter_type("Hidden", admin=True)
    assert admin_client.get("/admin/snippets/dynamo/hidden/").status_code == 200


def test_other_process_registers_on_its_next_request(admin_client: Any) -> None:
    make_article()
    # This process forgets everything, as a process that has not loaded the types yet.
    with registry.lock:
        registry.sync([])
        registry.version = None
    assert not snippets._viewsets
    assert admin_client.get("/admin/snippets/dynamo/article/").status_code == 200
    assert "Articles" in snippet_index_names(admin_client)


def test_options_shape_the_listing(admin_client: Any) -> None:
    Article = make_article(
        listing_columns=["title", "rating"],
        search_fields=["title", "body"],
        ordering=["-rating"],
        icon="doc-full",
    )
    viewset = Article.snippet_viewset
    assert viewset.list_display == ["title", "rating"]
    assert viewset.search_fields == ["title", "body"]
    assert viewset.ordering == ["-rating"]
    assert viewset.icon == "doc-full"
    assert set(viewset.list_filter) == {"featured"}
    Article.objects.create(title="Low", rating=1)
    Article.objects.create(title="High", rating=9, body="needle")
    listing = admin_client.get(url(Article, "list")).content.decode()
    assert listing.index("High") < listing.index("Low")
    found = admin_client.get(url(Article, "list") + "?q=needle").content.decode()
    assert "High" in found and "Low" not in found
    filtered = admin_client.get(url(Article, "list") + "?featured=true")
    assert filtered.status_code == 200


@pytest.mark.parametrize(
    "features", [{}, {"drafts": True, "revisions": True, "workflows": True, "search_index": True}]
)
def test_old_classes_are_not_kept_alive(admin_client: Any, features: dict[str, bool]) -> None:
    make_article(**features).objects.create(title="First")
    api.create_type("Review", [{"name": "article", "kind": "snippet", "related_model": "Article"}])
    refs = []
    for i in range(10):
        model = api.get_model("Article")
        review = api.get_model("Review")
        refs += [weakref.ref(model), weakref.ref(review)]
        pk = model.objects.order_by("pk").first().pk
        review.objects.create(article_id=pk)
        pages = ["/admin/snippets/", url(review, "add"), url(model, "list") + "?q=F"]
        pages += [url(model, name) for name in ("list", "list_results", "add")]
        pages += [url(model, n, pk) for n in ("edit", "delete", "copy", "history", "usage")]
        pages += [url(model, "inspect", pk)]
        pages += [reverse(model.snippet_viewset.chooser_viewset.get_url_name("choose"))]
        for page in pages:
            assert admin_client.get(page).status_code == 200, page
        form = admin_client.get(url(model, "add")).context["form"]
        assert admin_client.post(url(model, "add"), form_data(form)).status_code == 302
        del model, review, form
        if i % 2:
            api.alter_type("Article", verbose_name=f"Article {i}")
        else:
            api.add_field("Article", f"extra{i}", "char")
    current = api.get_model("Article")
    assert admin_client.get(url(current, "list")).status_code == 200
    del current
    gc.collect()
    alive = [ref() for ref in refs if ref() is not None]
    assert alive == []


def test_features_get_their_views_and_search_handlers(admin_client: Any) -> None:
    Article = make_article(
        drafts=True,
        revisions=True,
        locking=True,
        workflows=True,
        search_index=True,
        search_fields=["title", "body"],
    )
    assert Article.snippet_viewset.draftstate_enabled
    assert Article in snippets_workflow_models()
    entry = Article.objects.create(title="First", live=False)
    form = admin_client.get(url(Article, "add")).context["form"]
    data = {**form_data(form), "action-publish": "action-publish"}
    assert admin_client.post(url(Article, "add"), data).status_code == 302
    assert Article.objects.get(title="title value").live
    for name in ("edit", "history", "unpublish", "lock", "usage"):
        assert admin_client.get(url(Article, name, entry.pk)).status_code in (200, 405), name
    assert registrations.handlers_of(Article) == {"search"}
    Article.objects.create(title="Jazz night", body="in the cellar")
    found = admin_client.get(url(Article, "list"), {"q": "cellar"})
    assert found.status_code == 200
    assert "Jazz night" in found.content.decode() and "First" not in found.content.decode()

    api.delete_type("Article")
    assert Article not in snippets_workflow_models()
    assert registrations.handlers_of(Article) == set()


def test_indexed_type_without_admin_is_indexed_too(admin_client: Any) -> None:
    api.create_type("Quiet", [{"name": "text", "kind": "char"}], admin=False, search_index=True)
    Quiet = api.get_model("Quiet")
    assert Quiet not in SNIPPET_MODELS
    assert registrations.handlers_of(Quiet) == {"search"}
    Quiet.objects.create(text="hello")
    Quiet.objects.create(text="goodbye")
    assert [q.text for q in Quiet.objects.search("hello")] == ["hello"]
    api.delete_type("Quiet")
    assert registrations.handlers_of(Quiet) == set()


def test_saves_and_deletes_update_the_reference_index_through_one_receiver(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A type with a link is in Wagtail's reference index; its saves and deletes update it
    through one receiver for all generated types, so the receivers of post_save and
    post_delete do not grow with the number of types (each connect and disconnect scans
    them all and empties the signal's cache)."""
    api.create_type("Venue", [{"name": "name", "kind": "char"}], title_field="name")
    link = [{"name": "title", "kind": "char"}, {"name": "venue", "kind": "foreign_key"}]
    link[1]["related_model"] = "Venue"
    api.create_type("Gig", link, title_field="title")
    before = (len(post_save.receivers), len(post_delete.receivers))
    for number in range(3):
        api.create_type(f"Show{number}", link, title_field="title")
    assert (len(post_save.receivers), len(post_delete.receivers)) == before
    Venue, Gig = api.get_model("Venue"), api.get_model("Gig")
    assert Gig in ReferenceIndex.tracked_models and registrations.handlers_of(Gig) == {"references"}
    hall = Venue.objects.create(name="Hall")
    with django_capture_on_commit_callbacks(execute=True):
        gig = Gig.objects.create(title="Jazz", venue=hall)
    assert [r.object_id for r in ReferenceIndex.get_references_to(hall)] == [str(gig.pk)]
    gig.delete()
    assert not ReferenceIndex.get_references_to(hall).exists()


def snippets_workflow_models() -> list[type]:
    from wagtail.snippets.models import get_workflow_enabled_models

    return get_workflow_enabled_models()
