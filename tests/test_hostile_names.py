"""Names that would break a generated class or a class it links to are refused.

What a class may not shadow is derived from the class (its mixins, Django's and
Wagtail's model API, what its fields add, the reverse accessors on both ends of its
relations); Django's own model checks run on the classes a change would produce
before any DDL. Every refusal names the option and writes nothing; every accepted
definition leaves ``manage.py check`` clean.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from dynamo_wagtail import api
from dynamo_wagtail.models import MetaField, MetaModel
from dynamo_wagtail.registry import registry
from dynamo_wagtail.spec import freeze_options
from tests.admin_utils import add_url, field, type_form
from tests.test_validation import Case, field_problems, refused

pytestmark = pytest.mark.usefixtures("dynamo")

#: Attributes Wagtail and Django call on a generated class (issue #10).
SHADOWING = [
    "publish",
    "save_revision",
    "with_content_json",
    "serializable_data",
    "get_lock",
    "is_previewable",
    "get_preview_template",
    "latest_revision_id",
    "locked_by_id",
    "self",
    "base_form_class",
    "defaults",
    "create_defaults",
    "full_clean",
    "snippet_viewset",
    # Wagtail's API v3 keeps them: an entry's meta, a pydantic schema's settings.
    "meta",
    "model_config",
]


def registry_state() -> dict:
    return {uid: spec.fingerprint() for uid, spec in registry.specs.items()}


def refused_everywhere(label: str, key: str, action) -> list[str]:
    """``refused`` plus: this process's classes are unchanged."""
    before = registry_state()
    problems = refused(label, key, action)
    if registry_state() != before:
        problems.append(f"{label}: the registry changed")
    return problems


def check_is_clean() -> None:
    call_command("check", fail_level="ERROR")


def test_names_the_framework_calls_are_refused_everywhere():
    meta_model = api.create_type("Thing", [{"name": "title", "kind": "char"}])
    problems = []
    for name in SHADOWING:
        case = Case(f"name {name!r}", [{"name": name, "kind": "char"}], f"{name}.name")
        problems += field_problems(case, meta_model)
    assert problems == []
    assert api.plan("Thing").is_empty


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        (
            [
                {"name": "cat", "kind": "foreign_key", "related_model": "auth.User"},
                {"name": "cat_id", "kind": "integer"},
            ],
            "cat_id.name",
        ),
        (
            [
                {"name": "cat_id", "kind": "integer"},
                {"name": "cat", "kind": "foreign_key", "related_model": "auth.User"},
            ],
            "cat.name",
        ),
        (
            [
                {"name": "status", "kind": "choice", "choices": "a\nb"},
                {"name": "get_status_display", "kind": "char"},
            ],
            "get_status_display.name",
        ),
        (
            [
                {"name": "get_status_display", "kind": "char"},
                {"name": "status", "kind": "choice", "choices": "a\nb"},
            ],
            "status.name",
        ),
        (
            [
                {"name": "when", "kind": "date", "required": True},
                {"name": "get_next_by_when", "kind": "char"},
            ],
            "get_next_by_when.name",
        ),
    ],
)
def test_what_a_field_adds_to_the_class_is_no_name_for_another(fields, key):
    assert refused_everywhere("create_type", key, lambda: api.create_type("Pet", fields)) == []
    api.create_type("Pet", fields[:1])
    extra = dict(fields[1])
    name, kind = extra.pop("name"), extra.pop("kind")
    problems = refused_everywhere(
        "add_field", key, lambda: api.add_field("Pet", name, kind, **extra)
    )
    assert problems == []


@pytest.mark.parametrize(
    ("related_model", "kind", "reverse"),
    [
        ("Target", "foreign_key", "objects"),
        ("Target", "foreign_key", "pk"),
        ("Target", "many_to_many", "save"),
        ("Target", "foreign_key", "delete"),
        ("Target", "foreign_key", "label"),
        ("Target", "foreign_key", "live"),
        ("auth.User", "foreign_key", "password"),
        ("auth.User", "foreign_key", "objects"),
        ("auth.User", "one_to_one", "get_full_name"),
        ("auth.User", "foreign_key", "groups"),
        ("auth.User", "many_to_many", "logentry_set"),
        ("", "image", "file"),
        ("", "image", "title"),
        ("", "image", "tags"),
        ("", "image", "get_rendition"),
        ("", "page", "title"),
        ("", "page", "url"),
        ("", "document", "file"),
        ("Target", "foreign_key", "class"),
        ("Target", "foreign_key", "a__b"),
        ("Target", "foreign_key", "x_"),
    ],
)
def test_reverse_names_that_shadow_the_target_are_refused(related_model, kind, reverse):
    api.create_type("Target", [{"name": "label", "kind": "char"}])
    User = get_user_model()
    user_attrs = dict(vars(User))
    link = {"name": "link", "kind": kind, "options": {"related_name": reverse}}
    if related_model:
        link["related_model"] = related_model
    problems = refused_everywhere(
        "create_type", "link.related_name", lambda: api.create_type("Source", [link])
    )
    api.create_type("Source", [{"name": "title", "kind": "char"}])
    extra = {k: v for k, v in link.items() if k not in ("name", "kind")}
    problems += refused_everywhere(
        "add_field",
        "link.related_name",
        lambda: api.add_field("Source", "link", kind, **extra),
    )
    assert problems == []
    # Nobody lost anything: no real class was touched, users load, the target works.
    assert dict(vars(User)) == user_attrs
    User.objects.create_user("ann", password="pw")
    assert User.objects.get(username="ann").check_password("pw")
    Target = api.get_model("Target")
    assert Target.objects.create(label="x").pk
    check_is_clean()


def test_a_field_cannot_take_a_way_back_another_type_put_there_and_vice_versa():
    # Rt has rs_set first: Rs cannot link to Rt with the default way back.
    api.create_type("Rt", [{"name": "rs_set", "kind": "char"}])
    link = {"name": "rt", "kind": "foreign_key", "related_model": "Rt"}
    assert refused_everywhere("Rs", "rt.related_name", lambda: api.create_type("Rs", [link])) == []
    # With a reverse name of its own it can.
    api.create_type("Rs", [{**link, "options": {"related_name": "sources"}}])
    Rt, Rs = api.get_model("Rt"), api.get_model("Rs")
    Rs.objects.create(rt=Rt.objects.create(rs_set="x"))
    assert api.get_model("Rt").objects.get().sources.count() == 1

    # Qt is linked to first: it cannot add a field named like the way back.
    api.create_type("Qt", [{"name": "label", "kind": "char"}])
    api.create_type("Qs", [{"name": "qt", "kind": "foreign_key", "related_model": "Qt"}])
    problems = []
    for name in ("qs_set", "qs"):
        problems += refused_everywhere(
            f"Qt.{name}", f"{name}.name", lambda name=name: api.add_field("Qt", name, "char")
        )
    assert problems == []
    assert api.get_model("Qt").objects.create(label="ok").pk
    check_is_clean()


def test_two_links_with_one_reverse_name_are_refused():
    fields = [
        {"name": "a", "kind": "foreign_key", "related_model": "auth.User"},
        {"name": "b", "kind": "foreign_key", "related_model": "auth.User"},
    ]
    for f in fields:
        f["options"] = {"related_name": "dynamo_things"}
    assert refused_everywhere("same", "b.related_name", lambda: api.create_type("X", fields)) == []
    api.create_type("X", fields[:1])
    problems = refused_everywhere(
        "other type",
        "b.related_name",
        lambda: api.create_type("Y", fields[1:]),
    )
    assert problems == []


def test_link_models_never_share_a_name():
    api.create_type("Tag", [{"name": "label", "kind": "char"}])
    api.create_type("Ab", [{"name": "c_d", "kind": "many_to_many", "related_model": "Tag"}])
    api.create_type("Ab_c", [{"name": "d", "kind": "many_to_many", "related_model": "Tag"}])
    Tag, Ab, AbC = (api.get_model(n) for n in ("Tag", "Ab", "Ab_c"))
    one, two = Ab._meta.get_field("c_d"), AbC._meta.get_field("d")
    assert one.remote_field.through is not two.remote_field.through
    assert one.remote_field.through._meta.model_name != two.remote_field.through._meta.model_name
    tag = Tag.objects.create(label="t")
    Ab.objects.create().c_d.add(tag)
    AbC.objects.create().d.add(tag)
    assert (Ab.objects.filter(c_d=tag).count(), AbC.objects.filter(d=tag).count()) == (1, 1)
    check_is_clean()


@pytest.mark.parametrize("name", ["Locale", "Form", "View", "Request", "Revision", "Media"])
def test_type_names_wagtail_templates_use_work_in_the_admin(client, django_user_model, name):
    user = django_user_model.objects.create_superuser("admin", "a@example.com", "pw")
    client.force_login(user)
    api.create_type(name, [{"name": "title", "kind": "char"}], drafts=True, revisions=True)
    Model = api.get_model(name)
    entry = Model.objects.create(title="x")
    viewset = Model.snippet_viewset
    for url in (
        reverse(viewset.get_url_name("list")),
        reverse(viewset.get_url_name("add")),
        reverse(viewset.get_url_name("edit"), args=[entry.pk]),
        reverse(viewset.get_url_name("delete"), args=[entry.pk]),
    ):
        assert client.get(url).status_code == 200, url
    check_is_clean()


def test_accepted_reverse_names_work_and_check_stays_clean():
    api.create_type("Author", [{"name": "name_text", "kind": "char"}])
    api.create_type(
        "Book",
        [
            {"name": "title", "kind": "char"},
            {"name": "author", "kind": "foreign_key", "related_model": "Author"},
            {"name": "editor", "kind": "foreign_key", "related_model": "Author"},
            {
                "name": "reader",
                "kind": "foreign_key",
                "related_model": "auth.User",
                "options": {"related_name": "dynamo_books"},
            },
        ],
    )
    User = get_user_model()
    ann = User.objects.create_user("ann")
    Author, Book = api.get_model("Author"), api.get_model("Book")
    author = Author.objects.create(name_text="A")
    Book.objects.create(title="T", author=author, editor=author, reader=ann)
    assert User.objects.get(pk=ann.pk).dynamo_books.get().title == "T"
    check_is_clean()


def test_a_removed_class_gives_back_what_it_shadowed():
    """Defence in depth: the registry restores an attribute a reverse accessor replaced."""
    User = get_user_model()
    original = User.__dict__["DoesNotExist"]
    api.create_type(
        "Note",
        [
            {
                "name": "who",
                "kind": "foreign_key",
                "related_model": "auth.User",
                "options": {"related_name": "dynamo_notes"},
            }
        ],
    )
    spec = registry.specs[str(api.get_type("Note").uid)]
    who = spec.field_by_name("who")
    hostile = spec.with_field(
        replace(who, options=freeze_options({"related_name": "DoesNotExist"}))
    )
    with registry.lock:
        registry.sync([hostile])
        assert User.__dict__["DoesNotExist"] is not original
        registry.sync([])
    assert User.__dict__["DoesNotExist"] is original
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=0)
    assert "dynamo_notes" not in User.__dict__


def test_the_builder_shows_a_clash_on_its_block_and_writes_nothing(admin_client_factory):
    client = admin_client_factory()
    response = client.post(
        add_url(),
        type_form(
            [
                field("foreign_key", "owner", related_model="auth.user", related_name="password"),
                field("char", "title", max_length="10"),
            ],
            name="Thing",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["field_definitions"][0]
    assert "related_name" in errors.block_errors[0].block_errors
    assert "password" in response.content.decode()
    assert not MetaModel.objects.exists() and not MetaField.objects.exists()


@pytest.fixture
def admin_client_factory(client, django_user_model):
    def make():
        user = django_user_model.objects.create_superuser("admin", "a@example.com", "pw")
        client.force_login(user)
        return client

    return make
