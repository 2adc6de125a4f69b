"""The ``group`` kind: an ordered list of child items, each with fields of its own.

A group field has no column. Its items are entries of a content type of their own, made by
the engine with the field and named after it (``Event.programme`` → ``EventProgramme``): a
real table with a ``ParentalKey`` to the entry and a ``sort_order``, whose fields are defined
in the builder like any type's, so they get the whole pipeline (stable ids, renames that
keep data, conversions with impact, trash, drift checks, export, sync). The item type
follows the field: trashed, restored and emptied from the trash with it.

On the entry, ``entry.programme`` is modelcluster's child relation: the entry's form edits
the items inline (Wagtail's ``InlinePanel``: add, remove, reorder), and drafts and revisions
hold them. ``Event.objects.filter(programme__speaker="Ada")`` queries across.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from ..mixins import FEATURE_KEYS
from ..spec import FieldSpec, ModelSpec
from .base import Errors, FieldKind

#: The column of an item's key to its entry, and of its place in the list.
ENTRY_COLUMN = "entry_id"
ENTRY_KEY = "entry"
SORT_ORDER = "sort_order"
#: The type option that makes a type the items of a group field.
PARENT = "parent"

#: Type options an item type cannot switch on: its items live in the entry's revisions.
ITEM_REFUSED_OPTIONS = ("admin", "add_to_admin_menu", *FEATURE_KEYS)


def item_type_name(owner: str, field: str) -> str:
    """``Event`` + ``programme`` → ``EventProgramme``; ``my_items`` → ``MyItems``."""
    words = [w for w in re.split(r"_+", field) if w]
    return owner + "".join(w[:1].upper() + w[1:] for w in words)


def parent_of(spec: ModelSpec) -> dict[str, str] | None:
    """``{"type": uid, "field": uid, "name": field name}`` for an item type, else None."""
    parent = spec.option(PARENT)
    return parent if isinstance(parent, dict) else None


class GroupKind(FieldKind):
    name = "group"
    label = "Repeatable group"
    picker_group = "structure"
    description = "A list of items (e.g. a programme of sessions), each with its own fields."
    values = "group"
    icon = "list-ol"
    supports_required = False
    supports_unique = False
    supports_index = False
    supports_default = False
    single_value = False
    convertible = False
    needs_cluster = True
    #: No column: the items' table keys on the entry.
    has_column = False
    option_defaults: ClassVar[dict[str, Any]] = {"min_num": 0, "max_num": 0}

    def parse_option(self, key: str, value: Any) -> Any:
        value = super().parse_option(key, value)
        if value < 0:
            raise ValueError(f"'{key}' must be 0 or more.")
        return value

    def option_blocks(self) -> list[tuple[str, Any]]:
        from wagtail import blocks

        return [
            (
                "min_num",
                blocks.IntegerBlock(required=False, min_value=0, label="Fewest items"),
            ),
            (
                "max_num",
                blocks.IntegerBlock(
                    required=False, min_value=0, label="Most items", help_text="0: no limit."
                ),
            ),
        ]

    def validate(self, spec: FieldSpec, errors: Errors) -> None:
        if spec.required:
            errors.setdefault("required", []).append(
                "A group cannot be required: give it a fewest number of items instead."
            )
        low, high = spec.option("min_num") or 0, spec.option("max_num") or 0
        if high and low > high:
            errors.setdefault("max_num", []).append(
                "The most items must be at least the fewest items."
            )
        super().validate(spec, errors)

    def build(
        self, spec: FieldSpec, *, target: Any = None, physical: bool = False, **kwargs: Any
    ) -> Any:
        """Nothing: the items' ``ParentalKey`` gives the entry its ``<name>`` relation."""
        return None

    def fits(self, value: Any, new: FieldSpec) -> bool:
        return True


def parent_key(spec: ModelSpec, owner: str, *, physical: bool) -> dict[str, models.Field]:
    """The columns an item type adds to its table: the key to its entry (``owner``, an
    "app_label.Model") and the place in the list."""
    parent = parent_of(spec)
    assert parent is not None
    if physical:
        key: models.Field = models.ForeignKey(
            owner, on_delete=models.CASCADE, related_name="+", db_column=ENTRY_COLUMN
        )
    else:
        # Items in the trash (with their field or type) give the entry no way to them.
        related_name = parent["name"] if spec.is_active else "+"
        key = ParentalKey(
            owner, on_delete=models.CASCADE, related_name=related_name, db_column=ENTRY_COLUMN
        )
    if not physical:
        return {ENTRY_KEY: key}  # the place in the list: Wagtail's Orderable, a base
    return {ENTRY_KEY: key, SORT_ORDER: models.IntegerField(null=True, blank=True)}


def check(
    meta_model: Any,
    parent: dict[str, str] | None,
    fields: list[FieldSpec],
    errors: Errors,
    field_errors: dict[str, Errors],
) -> None:
    """What a type with groups, or the items of one, cannot be: messages on the options and
    fields concerned. Groups do not nest, and items live in their entry's revisions."""
    if parent is None:
        return
    for option in ITEM_REFUSED_OPTIONS:
        if getattr(meta_model, option, False):
            errors.setdefault(option, []).append(
                "The items of a group are saved with their entry: they take no "
                f"'{option}' of their own."
            )
    for f in fields:
        if not f.is_active:
            continue
        if f.kind == GroupKind.name:
            field_errors.setdefault(f.uid, {}).setdefault("type", []).append(
                "Groups do not nest: the items of a group cannot hold a group."
            )
        if f.name in (ENTRY_KEY, SORT_ORDER):
            field_errors.setdefault(f.uid, {}).setdefault("name", []).append(
                f"'{f.name}' is taken by the items' key to their entry and their place."
            )


def _from_serializable_data(
    cls: Any, data: Any, check_fks: bool = True, strict_fks: bool = False
) -> Any:
    """An entry as a revision holds it, with the items deleted since given no id: the
    editing form takes them as new items (a form of an id that is gone is refused), so
    reverting brings them back."""
    entry = ClusterableModel.from_serializable_data.__func__(cls, data, check_fks, strict_fks)
    for name in cls.dynamo_group_names:
        items = [item for item in getattr(entry, name).all() if item.pk is not None]
        if not items:
            continue
        model = type(items[0])
        kept = set(
            model._default_manager.filter(pk__in=[i.pk for i in items]).values_list("pk", flat=True)
        )
        for item in items:
            if item.pk not in kept:
                item.pk = None
    return entry


def revision_attrs(names: list[str]) -> dict[str, Any]:
    """What the class of a type with groups ``names`` adds for its revisions."""
    if not names:
        return {}
    return {
        "dynamo_group_names": tuple(names),
        "from_serializable_data": classmethod(_from_serializable_data),
    }
