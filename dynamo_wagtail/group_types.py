"""The item types of group fields, kept in step with their fields (definition rows only).

A group field's items are a content type of their own (:mod:`dynamo_wagtail.kinds.group`).
The pipeline asks here, while it closes a change, which item types follow the types it
touched: trashed with their field or type, restored with them, emptied from the trash when
their field is gone; and, once a change committed, which group fields still need one.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .kinds.group import GroupKind, item_type_name
from .models import MetaField, MetaModel

KIND = GroupKind.name
#: The item types: ``group_field IS NOT NULL`` as a range, which SQLite too answers from
#: the column's index (every uuid is at least the nil uuid).
ITEM_TYPES = Q(group_field__gte=uuid.UUID(int=0))


def follow(touched: list[MetaModel], purged: set[int], using: str) -> list[tuple[MetaModel, bool]]:
    """(item type, purge) for every item type the touched types take along: the trash state
    of each follows its field and type (its field's name may have changed: it is touched)."""
    result: list[tuple[MetaModel, bool]] = []
    for owner in touched:
        if owner.group_field:
            continue  # an item type itself
        owner_purged = owner.pk in purged
        # The row as saved (a type moved to the trash by an update is stale in memory).
        owner_trashed = (
            MetaModel.objects.using(using).filter(pk=owner.pk, trashed_at__isnull=False).exists()
        )
        fields = {
            str(f.uid): f
            for f in MetaField.objects.using(using).filter(meta_model=owner, type=KIND)
        }
        items = MetaModel.objects.using(using).filter(group_field__in=list(fields))
        for item in items if fields else ():
            field = fields[str(item.group_field)]
            trashed = owner_trashed or field.trashed_at is not None
            if trashed != (item.trashed_at is not None):
                stamp = timezone.now() if trashed else None
                MetaModel.objects.using(using).filter(pk=item.pk).update(trashed_at=stamp)
                item.trashed_at = stamp
            result.append((item, owner_purged))
    # Items whose group field is gone for good (emptied from the trash).
    # (NOT EXISTS, not NOT IN: an anti-join on the indexed uid, not a scan of every field.)
    field_rows = MetaField.objects.using(using).filter(uid=OuterRef("group_field"))
    orphans = MetaModel.objects.using(using).filter(ITEM_TYPES, ~Exists(field_rows))
    for item in orphans:
        if item.trashed_at is None:
            MetaModel.objects.using(using).filter(pk=item.pk).update(trashed_at=timezone.now())
            item.refresh_from_db()
        result.append((item, True))
    return result


def missing(using: str) -> list[MetaField]:
    """Active group fields of active types that have no item type yet."""
    made = MetaModel.objects.using(using).filter(group_field=OuterRef("uid"))
    return list(
        MetaField.objects.using(using)
        .filter(type=KIND, trashed_at__isnull=True, meta_model__trashed_at__isnull=True)
        .filter(~Exists(made))
        .select_related("meta_model")
    )


def new_item_type(field: MetaField, using: str) -> MetaModel:
    """The (unsaved) item type of the group ``field``, named after its type and itself."""
    owner = field.meta_model
    base = item_type_name(owner.name, field.name)[:60]
    rows = MetaModel.objects.using(using)
    name, number = base, 1
    while rows.filter(name_key=name.lower()).exists():
        number += 1
        name = f"{base}{number}"
    label: Any = field.verbose_name or field.name.replace("_", " ")
    return MetaModel(
        name=name,
        app=owner.app,
        admin=False,
        group_field=field.uid,
        verbose_name=f"{label} item",
        verbose_name_plural=f"{label} items",
        icon="list-ol",
    )
