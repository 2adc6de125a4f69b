"""End to end checks of an accepted type: entries, checks, admin pages, Wagtail features."""

from __future__ import annotations

import datetime
import io
import uuid
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import models
from django.db.models.fields.files import FieldFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale, Page

from dynamo_wagtail import api
from dynamo_wagtail.kinds import get_kind

SAMPLES: dict[str, Any] = {
    "char": "x",
    "text": "hello",
    "slug": "a-b",
    "email": "a@example.com",
    "url": "https://example.com/",
    "ip": "127.0.0.1",
    "comma_separated_integer": "1,2",
    "integer": 7,
    "big_integer": 7,
    "small_integer": 7,
    "positive_integer": 7,
    "positive_small_integer": 7,
    "float": 1.5,
    "boolean": True,
    "null_boolean": True,
    "date": datetime.date(2020, 1, 2),
    "datetime": datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
    "time": datetime.time(3, 4, 5),
    "duration": datetime.timedelta(minutes=5),
    "json": {"a": [1, "b"]},
    "rich_text": "<p>hi</p>",
}


def default_locale() -> Locale:
    return Locale.objects.get_or_create(language_code="en")[0]


def root_page() -> Page:
    root = Page.get_first_root_node()
    return root or Page.add_root(title="Root", slug="root")


def static_target(model: type[models.Model], unique: bool) -> Any:
    label = model._meta.label_lower
    token = uuid.uuid4().hex[:12]
    if label == get_user_model()._meta.label_lower:
        return get_user_model().objects.create_user(f"u{token}", f"{token}@example.com", "pw")
    if label == "auth.group":
        return Group.objects.create(name=token)
    if label == "wagtailcore.page":
        root = root_page()
        return root.add_child(title=token, slug=token) if unique else root
    if label == "wagtailcore.locale":
        return default_locale()
    if label == "contenttypes.contenttype":
        return ContentType.objects.get_for_model(Group)
    if label == "wagtailimages.image":
        from wagtail.images.models import Image
        from wagtail.images.tests.utils import get_test_image_file

        return Image.objects.create(title=token, file=get_test_image_file())
    if label == "wagtaildocs.document":
        from wagtail.documents.models import Document

        return Document.objects.create(title=token, file=ContentFile(b"x", name=f"{token}.txt"))
    if label == "sessions.session":
        from django.contrib.sessions.models import Session

        return Session.objects.create(
            session_key=token, session_data="", expire_date=timezone.now()
        )
    return model._default_manager.first()


def sample(model: type[models.Model], spec: Any, depth: int = 0) -> Any:
    """A value every option of ``spec`` accepts; None where there is nothing to link."""
    field = model._meta.get_field(spec.name)
    kind = get_kind(spec.kind)
    if field.choices:
        first = field.choices[0][0]
        return [first] if spec.kind == "multiple_choice" else first
    if spec.kind in ("file", "image_file"):
        return "f" * min(field.max_length or 10, 10)
    if spec.kind == "uuid":
        return uuid.uuid4()
    if spec.kind == "ip" and spec.option("protocol") == "ipv6":
        return "::1"
    if spec.kind == "decimal":
        places = spec.option("decimal_places") or 0
        return Decimal("1") if places == 0 else Decimal("1.5")
    if spec.kind in SAMPLES:
        value = SAMPLES[spec.kind]
        if isinstance(value, str) and getattr(field, "max_length", None):
            value = value[: field.max_length]
        return value
    if kind.is_relation:
        target = field.related_model
        if target is model or getattr(target, "dynamo_spec", None) is not None:
            if target is model or depth > 2:
                return None
            return make_entry(target, depth + 1)
        return static_target(target, field.one_to_one or field.many_to_many)
    return None


def make_entry(model: type[models.Model], depth: int = 0) -> models.Model:
    """Save an entry with a value in every field (defaults where the field has one)."""
    spec = model.dynamo_spec
    entry = model()
    links: dict[str, Any] = {}
    for f in spec.active_fields:
        if not get_kind(f.kind).has_column:
            continue  # a group: its items are entries of their own type
        field = model._meta.get_field(f.name)
        if f.default and get_kind(f.kind).supports_default:
            continue
        value = sample(model, f, depth)
        if field.many_to_many:
            if value is not None:
                links[f.name] = [value]
        elif value is not None:
            setattr(entry, f.name, value)
    if spec.option("translation"):
        entry.locale = default_locale()
    entry.full_clean()
    entry.save()
    for name, values in links.items():
        getattr(entry, name).set(values)
    return entry


def _value(field: models.Field, obj: models.Model) -> Any:
    if field.many_to_many or field.one_to_many:  # links, tags, a group's items
        return sorted(o.pk for o in getattr(obj, field.name).all())
    value = field.value_from_object(obj)
    return value.name if isinstance(value, FieldFile) else value


def _status(client: Any, url: str) -> str:
    try:
        response = client.get(url)
    except Exception as exc:
        return f"GET {url}: {type(exc).__name__}: {str(exc)[:200]}"
    return "" if response.status_code == 200 else f"GET {url}: {response.status_code}"


def end_to_end(name: str, case: dict[str, Any], env: Any) -> list[str]:
    """Problems of the accepted type ``name``; empty when everything works."""
    problems: list[str] = []

    def attempt(what: str, check: Any) -> bool:
        try:
            result = check()
        except Exception as exc:
            problems.append(f"{what}: {type(exc).__name__}: {str(exc)[:240]}")
            return False
        if isinstance(result, str) and result:
            problems.append(f"{what}: {result}")
            return False
        return True

    holder: dict[str, Any] = {}
    if not attempt("model", lambda: holder.setdefault("model", api.get_model(name))):
        return problems
    model = holder["model"]
    spec = model.dynamo_spec
    if not attempt("entry saved", lambda: holder.setdefault("entry", make_entry(model))):
        return problems
    entry = holder["entry"]

    def read_back() -> str:
        fresh = model._default_manager.get(pk=entry.pk)
        for f in spec.active_fields:
            field = model._meta.get_field(f.name)
            if _value(field, fresh) != _value(field, entry):
                return f"{f.name}: saved {_value(field, entry)!r}, read {_value(field, fresh)!r}"
        holder["fresh"] = fresh
        return ""

    if not attempt("read back", read_back):
        return problems
    fresh = holder["fresh"]
    for field_name, values in (case.get("verify") or {}).get("choices", {}).items():
        got = [c[0] for c in model._meta.get_field(field_name).choices or ()]
        if got != values:
            problems.append(f"choices of {field_name}: {got!r}, expected {values!r}")
    attempt("manage.py check", lambda: call_command("check", stdout=io.StringIO()))
    if spec.admin:
        viewset = getattr(model, "snippet_viewset", None)
        if viewset is None:
            problems.append("no snippet viewset")
        else:
            for view, args in (("list", ()), ("add", ()), ("edit", (fresh.pk,))):
                attempt(
                    f"{view} page",
                    lambda v=view, a=args: _status(
                        env.client, reverse(viewset.get_url_name(v), args=a)
                    ),
                )
            if spec.option("search_index"):
                attempt(
                    "search",
                    lambda: _status(env.client, reverse(viewset.get_url_name("list")) + "?q=x"),
                )
    features(model, fresh, env, attempt)
    return problems


def features(model: type, entry: Any, env: Any, attempt: Any) -> None:
    """Revisions, publishing, locking, preview and workflows where switched on."""
    spec = model.dynamo_spec
    if spec.option("revisions"):
        holder: dict[str, Any] = {}
        if attempt(
            "save_revision", lambda: holder.setdefault("rev", entry.save_revision(user=env.user))
        ):
            attempt("revision as object", lambda: holder["rev"].as_object())
            if spec.option("drafts"):

                def publish() -> str:
                    holder["rev"].publish(user=env.user)
                    fresh = model._default_manager.get(pk=entry.pk)
                    return "" if fresh.live else "not live after publish"

                attempt("publish", publish)
    if spec.option("locking"):

        def lock() -> str:
            url = reverse(model.snippet_viewset.get_url_name("lock"), args=[entry.pk])
            response = env.client.post(url)
            fresh = model._default_manager.get(pk=entry.pk)
            return "" if response.status_code == 302 and fresh.locked else "lock failed"

        attempt("lock", lock)
    if spec.option("preview"):

        def preview() -> str:
            request = RequestFactory().get("/")
            request.user = env.user
            response = entry.serve_preview(request, entry.default_preview_mode)
            if hasattr(response, "render"):
                response.render()
            return "" if response.status_code == 200 else f"preview {response.status_code}"

        attempt("preview", preview)
    if spec.option("workflows"):
        attempt("workflow", lambda: entry.get_workflow() and "")
