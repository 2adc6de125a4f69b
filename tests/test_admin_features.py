"""Per-type Wagtail features in the admin: publishing, revisions, locking, workflows,
preview, search and translation, switched on for a type that already has entries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Revision, Workflow, WorkflowContentType, WorkflowState

from dynamo_wagtail import api

pytestmark = pytest.mark.usefixtures("dynamo")


def url(model: type, name: str, *args: Any) -> str:
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


def make_event(**features: bool) -> type:
    api.create_type(
        "Event",
        [
            {"name": "title", "kind": "char", "required": True},
            {"name": "venue", "kind": "char"},
        ],
        title_field="title",
        search_fields=["title", "venue"],
    )
    Event = api.get_model("Event")
    Event.objects.create(title="Existing", venue="Hall")
    if features:
        api.alter_type("Event", **features)
    return api.get_model("Event")


def test_drafts_publishing_and_scheduling(admin_client: Any) -> None:
    Event = make_event(revisions=True, drafts=True)
    existing = Event.objects.get()
    assert existing.live  # entries kept and live when drafts are switched on

    response = admin_client.post(url(Event, "add"), {"title": "Draft one", "venue": "A"})
    assert response.status_code == 302
    draft = Event.objects.get(title="Draft one")
    assert not draft.live and draft.latest_revision is not None

    response = admin_client.post(
        url(Event, "edit", draft.pk),
        {"title": "Draft one", "venue": "B", "action-publish": "action-publish"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.live and draft.venue == "B"

    go_live = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    response = admin_client.post(
        url(Event, "edit", draft.pk),
        {"title": "Later", "venue": "C", "go_live_at": go_live, "action-publish": "1"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Draft one"  # the scheduled change is not live yet
    assert Revision.objects.for_instance(draft).filter(approved_go_live_at__isnull=False).exists()


def test_revisions_compare_and_revert(admin_client: Any) -> None:
    Event = make_event(revisions=True)
    entry = Event.objects.get()
    for venue in ("Ballroom", "Terrace"):
        response = admin_client.post(
            url(Event, "edit", entry.pk), {"title": "Existing", "venue": venue}
        )
        assert response.status_code == 302
    revisions = list(Revision.objects.for_instance(entry).order_by("pk"))
    assert len(revisions) == 2
    compare = url(Event, "revisions_compare", entry.pk, revisions[0].pk, revisions[1].pk)
    compare = compare.replace("%2E", ".")
    page = admin_client.get(compare)
    assert page.status_code == 200
    assert "Ballroom" in page.content.decode() and "Terrace" in page.content.decode()
    revert = admin_client.get(url(Event, "revisions_revert", entry.pk, revisions[0].pk))
    assert revert.status_code == 200
    assert 'value="Ballroom"' in revert.content.decode()


def test_locking(admin_client: Any) -> None:
    Event = make_event(revisions=True, locking=True)
    entry = Event.objects.get()
    response = admin_client.post(url(Event, "lock", entry.pk))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.locked and entry.locked_by == admin_client.user
    admin_client.post(url(Event, "unlock", entry.pk))
    entry.refresh_from_db()
    assert not entry.locked


def test_workflow_moderation(admin_client: Any) -> None:
    Event = make_event(revisions=True, drafts=True, workflows=True)
    from django.contrib.contenttypes.models import ContentType

    workflow = Workflow.objects.create(name="Review events")
    WorkflowContentType.objects.create(
        workflow=workflow, content_type=ContentType.objects.get_for_model(Event)
    )
    from wagtail.models import GroupApprovalTask, WorkflowTask

    task = GroupApprovalTask.objects.create(name="Approve")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    entry = Event.objects.get()
    response = admin_client.post(
        url(Event, "edit", entry.pk),
        {"title": "Existing", "venue": "Moderated", "action-submit": "1"},
    )
    assert response.status_code == 302
    state = WorkflowState.objects.for_instance(entry).get()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow == workflow


def test_preview_uses_the_fallback_template(admin_client: Any) -> None:
    Event = make_event(preview=True)
    entry = Event.objects.get()
    preview = url(Event, "preview_on_edit", entry.pk)
    response = admin_client.post(preview, {"title": "Previewed", "venue": "Garden"})
    assert response.status_code == 200 and response.json()["is_valid"]
    page = admin_client.get(preview)
    assert page.status_code == 200
    assert "Previewed" in page.content.decode() and "Garden" in page.content.decode()


def test_admin_search_and_site_search(admin_client: Any) -> None:
    Event = make_event(search_index=True)
    Event.objects.create(title="Jazz night", venue="Cellar")
    listing = admin_client.get(url(Event, "list"), {"q": "jazz"})
    assert listing.status_code == 200
    content = listing.content.decode()
    assert "Jazz night" in content and "Existing" not in content
    assert [e.title for e in Event.objects.search("cellar")] == ["Jazz night"]


def test_translation_keeps_entries_in_the_default_locale(admin_client: Any) -> None:
    Event = make_event(translation=True)
    entry = Event.objects.get()
    assert entry.locale.language_code == "en"
    response = admin_client.post(
        url(Event, "add") + f"?locale={entry.locale.language_code}",
        {"title": "New", "venue": "X"},
    )
    assert response.status_code == 302
    created = Event.objects.get(title="New")
    assert created.locale == entry.locale and created.translation_key != entry.translation_key
