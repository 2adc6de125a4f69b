"""Field kinds: one class per kind, found through ``DYNAMO_FIELD_TYPES``."""

from .base import INTEGER, PICKER_GROUPS, RELATION, STANDARD, STRING, FieldKind
from .registry import all_kinds, get_kind, in_group

__all__ = [
    "INTEGER",
    "PICKER_GROUPS",
    "RELATION",
    "STANDARD",
    "STRING",
    "FieldKind",
    "all_kinds",
    "get_kind",
    "in_group",
]
