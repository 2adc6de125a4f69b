"""Look-up of field kinds by name, built from ``DYNAMO_FIELD_TYPES``.

The table is rebuilt when a setting it reads changes, so ``override_settings``
works in tests.
"""

from __future__ import annotations

from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from ..conf import settings
from .base import FieldKind, in_group

__all__ = ["all_kinds", "get_kind", "in_group", "offered_kinds"]


@cache
def _kinds() -> dict[str, FieldKind]:
    kinds: dict[str, FieldKind] = {}
    for path in settings.DYNAMO_FIELD_TYPES:
        try:
            cls = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"DYNAMO_FIELD_TYPES: cannot import {path!r}: {exc}"
            ) from exc
        if not (isinstance(cls, type) and issubclass(cls, FieldKind)) or not cls.name:
            raise ImproperlyConfigured(f"DYNAMO_FIELD_TYPES: {path!r} is not a named FieldKind.")
        if cls.name in kinds:
            raise ImproperlyConfigured(f"DYNAMO_FIELD_TYPES: two kinds are named {cls.name!r}.")
        kinds[cls.name] = cls()
    return kinds


def all_kinds() -> list[FieldKind]:
    """Every configured kind, in the order of ``DYNAMO_FIELD_TYPES``."""
    return list(_kinds().values())


def get_kind(name: str) -> FieldKind:
    """The kind called ``name`` (django-dynamo's Django class names work too)."""
    kinds = _kinds()
    if name in kinds:
        return kinds[name]
    for kind in kinds.values():
        if kind.legacy_name and kind.legacy_name == name:
            return kind
    raise LookupError(f"Unknown field kind {name!r}.")


def offered_kinds() -> list[FieldKind]:
    """Kinds a definition may use: django-dynamo's standard and relation groups."""
    return [k for k in all_kinds() if in_group(k, "standard") or in_group(k, "relation")]


def _reset(*, setting: str, **kwargs: object) -> None:
    if setting == "DYNAMO_FIELD_TYPES":
        _kinds.cache_clear()


setting_changed.connect(_reset)
