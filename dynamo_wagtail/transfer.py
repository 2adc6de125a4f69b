"""Export and import of definitions as JSON with stable ids.

Types and fields are matched by their stable ids, so an import into a database
that already has them updates in place (renames stay renames), and importing the
same data twice changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import DEFAULT_DB_ALIAS

from . import pipeline
from .models import MetaField, MetaModel
from .schema.planner import Plan

FORMAT = "dynamo_wagtail/1"

TYPE_ATTRS = (
    "name",
    "verbose_name",
    "verbose_name_plural",
    "description",
    "app",
    "admin",
    "api",
    "api_public",
    "icon",
    "add_to_admin_menu",
    "menu_order",
    "listing_columns",
    "search_fields",
    "ordering",
    "title_field",
    "layout",
    "constraints",
    "drafts",
    "revisions",
    "locking",
    "workflows",
    "preview",
    "search_index",
    "translation",
)
FIELD_ATTRS = (
    "name",
    "verbose_name",
    "type",
    "related_model",
    "description",
    "order",
    "unique_together",
    "unique",
    "help",
    "choices",
    "default",
    "required",
    "indexed",
    "options",
)


def export_schema(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    types = []
    for meta_model in MetaModel.objects.using(using).filter(trashed_at__isnull=True):
        if meta_model.applied_spec and meta_model.applied_spec.get("state") == "retired":
            continue
        fields = [
            {"uid": str(f.uid), **{k: getattr(f, k) for k in FIELD_ATTRS}}
            for f in meta_model.fields.filter(trashed_at__isnull=True)
        ]
        item = {"uid": str(meta_model.uid), **{k: getattr(meta_model, k) for k in TYPE_ATTRS}}
        if meta_model.group_field:  # the items of a group field (by the field's id)
            item["group_field"] = str(meta_model.group_field)
        types.append({**item, "fields": fields})
    return {"format": FORMAT, "types": types}


def import_schema(
    data: dict[str, Any],
    *,
    dry_run: bool = False,
    confirm: bool = False,
    using: str = DEFAULT_DB_ALIAS,
) -> list[Plan]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"Not a {FORMAT} export.")
    entries = list(data.get("types", []))
    # The item types of groups key on the types they belong to: a change of their own once
    # those have their tables (a dry run plans those whose types have them already).
    items = [e for e in entries if isinstance(e, dict) and e.get("group_field")]
    if dry_run:
        made = {str(u) for u in MetaModel.objects.using(using).values_list("uid", flat=True)}
        items = [e for e in items if _owner_uid(e, entries) in made]
    plans: list[Plan] = []
    for batch in ([e for e in entries if e not in items], items):
        if not batch and plans:
            continue
        first = batch is not items
        with pipeline.change(
            using=using, confirm=confirm, dry_run=dry_run, make_item_types=not (first and items)
        ) as session:
            for entry in batch:
                _import_type(entry, session, using)
        plans += session.plans
    return plans


def _owner_uid(item: dict[str, Any], entries: list[dict[str, Any]]) -> str | None:
    """The uid of the type whose group field's items ``item`` holds (in the export)."""
    for entry in entries:
        if any(f.get("uid") == item["group_field"] for f in entry.get("fields", [])):
            return str(entry.get("uid"))
    return None


def _import_type(entry: dict[str, Any], session: pipeline.Session, using: str) -> None:
    uid = uuid.UUID(entry["uid"])
    meta_model = MetaModel.objects.using(using).filter(uid=uid).first() or MetaModel(uid=uid)
    changed = meta_model.pk is None
    for key in TYPE_ATTRS:
        if key in entry and getattr(meta_model, key) != entry[key]:
            setattr(meta_model, key, entry[key])
            changed = True
    group_field = uuid.UUID(entry["group_field"]) if entry.get("group_field") else None
    if meta_model.pk is None and group_field:
        meta_model.group_field = group_field
    if changed:
        meta_model.save(using=using)
    seen = set()
    for item in entry.get("fields", []):
        field_uid = uuid.UUID(item["uid"])
        seen.add(field_uid)
        field = MetaField.objects.using(using).filter(uid=field_uid).first()
        if field is None:
            field = MetaField(uid=field_uid, meta_model=meta_model)
        dirty = field.pk is None or field.trashed_at is not None
        field.trashed_at = None
        for key in FIELD_ATTRS:
            if key in item and getattr(field, key) != item[key]:
                setattr(field, key, item[key])
                dirty = True
        if dirty:
            field.save(using=using)
    gone = meta_model.fields.filter(trashed_at__isnull=True).exclude(uid__in=seen)
    if gone.exists():
        from django.utils import timezone

        gone.update(trashed_at=timezone.now())
    session.touch(meta_model)
