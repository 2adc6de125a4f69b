"""Wagtail features switched on and off for a type that already has entries."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from wagtail.models import DraftStateMixin, LockableMixin, RevisionMixin, TranslatableMixin

from dynamo_wagtail import api
from dynamo_wagtail.pipeline import ConfirmationRequired, others
from dynamo_wagtail.schema.applier import Context
from dynamo_wagtail.schema.inspect import drift
from dynamo_wagtail.spec import ModelSpec

pytestmark = pytest.mark.usefixtures("dynamo")


def columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def no_drift(name: str) -> list[str]:
    spec = ModelSpec.from_json(api.get_type(name).applied_spec)
    return drift(spec, Context(others(spec.uid, "default")))


def test_switching_features_on_keeps_entries_and_adds_columns():
    meta = api.create_type("Event", [{"name": "title", "kind": "char", "required": True}])
    Event = api.get_model("Event")
    Event.objects.bulk_create([Event(title=f"e{i}") for i in range(3)])

    api.alter_type("Event", revisions=True, drafts=True, locking=True, translation=True)

    Event = api.get_model("Event")
    for mixin in (DraftStateMixin, RevisionMixin, LockableMixin, TranslatableMixin):
        assert issubclass(Event, mixin)
    assert {"live", "latest_revision_id", "locked", "translation_key", "locale_id"} <= columns(
        meta.table
    )
    entries = list(Event.objects.order_by("pk"))
    assert [e.title for e in entries] == ["e0", "e1", "e2"]
    assert all(e.live for e in entries)
    assert len({e.translation_key for e in entries}) == 3
    assert no_drift("Event") == []
    codenames = set(
        Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(Event)
        ).values_list("codename", flat=True)
    )
    assert codenames == {
        f"{action}_event"
        for action in ("add", "change", "delete", "view", "publish", "lock", "unlock")
    }

    with pytest.raises(ConfirmationRequired):
        api.alter_type("Event", drafts=False)
    api.alter_type("Event", drafts=False, confirm=True)
    assert "live" not in columns(meta.table)
    assert [e.title for e in api.get_model("Event").objects.order_by("pk")] == ["e0", "e1", "e2"]
    assert no_drift("Event") == []
