"""Feature switches: a mixin's columns added (nullable, filled, then tightened) or dropped."""

from __future__ import annotations

import uuid
from dataclasses import replace

from django.conf import settings as django_settings
from django.db import models
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale

from ... import mixins
from ...spec import ModelSpec
from .. import operations as ops
from .base import _check_now, _columns, _staged_model


def _fill(model: type[models.Model], name: str, final: models.Field) -> None:
    """Give existing rows the value a new feature column starts with."""
    manager = model._default_manager
    empty = manager.filter(**{f"{name}__isnull": True})
    if name == "translation_key":
        for pk in empty.values_list("pk", flat=True).iterator():
            manager.filter(pk=pk).update(translation_key=uuid.uuid4())
    elif name == "locale":
        language = get_supported_content_language_variant(django_settings.LANGUAGE_CODE)
        locale, _created = Locale.objects.get_or_create(language_code=language)
        empty.update(locale=locale.pk)
    elif final.has_default():
        empty.update(**{name: final.get_default()})
    _check_now(model)


def _without(spec: ModelSpec, key: str) -> ModelSpec:
    return replace(spec, options=tuple(o for o in spec.options if o[0] != key))


def _add_feature(editor, op: ops.AddFeature, before: ModelSpec, after: ModelSpec, context):
    """Nullable columns first, then existing rows filled, then the real constraints."""
    new_columns = mixins.columns(after, keys=(op.key,))
    existing = _columns(editor, before.table)
    staged: dict[str, models.Field] = {}
    for name, final in new_columns.items():
        kwargs = final.deconstruct()[3]
        kwargs["null"] = True
        kwargs.pop("default", None)
        previous = _staged_model(before, context, staged)
        staged[name] = final.__class__(**kwargs)
        field = _staged_model(before, context, staged)._meta.get_field(name)
        if field.column not in existing:
            editor.add_field(previous, field)
    current = _staged_model(before, context, staged)
    for name, final in new_columns.items():
        _fill(current, name, final)
    after_model = context.model(after)
    for name in new_columns:
        tight = after_model._meta.get_field(name)
        if not tight.null:
            current = _staged_model(before, context, staged)
            editor.alter_field(current, current._meta.get_field(name), tight)
            staged[name] = tight
    if op.key == "translation":
        current = _staged_model(before, context, staged)
        editor.alter_unique_together(current, [], mixins.unique_together(after))


def _remove_feature(editor, op: ops.RemoveFeature, before: ModelSpec, after, context):
    """Drop the feature's columns one at a time (SQLite rebuilds from the model)."""
    remaining = dict(mixins.columns(before, keys=(op.key,)))
    base = _without(before, op.key)
    model = _staged_model(base, context, remaining)
    if op.key == "translation":
        editor.alter_unique_together(model, mixins.unique_together(before), [])
    existing = _columns(editor, before.table)
    for name in list(remaining):
        field = model._meta.get_field(name)
        if field.column in existing:
            editor.remove_field(model, field)
        del remaining[name]
        model = _staged_model(base, context, remaining)
