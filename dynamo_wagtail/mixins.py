"""Wagtail features a type switches on: which mixin, in which order, with which columns.

Switching a feature on is a schema change (its columns are added, existing entries
keep their values and get the mixin's defaults); switching it off drops them.
"""

from __future__ import annotations

from django.db import models
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from .spec import ModelSpec

#: Option name → mixin, in the MRO order Wagtail documents for snippets.
FEATURES: tuple[tuple[str, str], ...] = (
    ("workflows", "wagtail.models.WorkflowMixin"),
    ("drafts", "wagtail.models.DraftStateMixin"),
    ("locking", "wagtail.models.LockableMixin"),
    ("revisions", "wagtail.models.RevisionMixin"),
    ("preview", "wagtail.models.PreviewableMixin"),
    ("translation", "wagtail.models.TranslatableMixin"),
    ("search_index", "wagtail.search.index.Indexed"),
)
FEATURE_KEYS = tuple(key for key, _path in FEATURES)


def _mixin(path: str) -> type:
    from django.utils.module_loading import import_string

    return import_string(path)


def bases(
    spec: ModelSpec, preview_base: type | None = None, *, clustered: bool = False
) -> tuple[type, ...]:
    """Base classes of the runtime class for ``spec``: the mixins, then Wagtail's
    ``Orderable`` for the items of a group, ``ClusterableModel`` when ``clustered`` (a field
    keeps child rows in the entry's revisions: tags, groups), else ``Model``."""
    result: list[type] = []
    for key, path in FEATURES:
        if spec.option(key):
            mixin = _mixin(path)
            if key == "preview" and preview_base is not None:
                mixin = preview_base
            result.append(mixin)
    if spec.option("parent"):
        return (*result, Orderable)  # the items of a group: their place in the list
    return (*result, ClusterableModel if clustered else models.Model)


def columns(spec: ModelSpec, *, keys: tuple[str, ...] | None = None) -> dict[str, models.Field]:
    """The concrete fields the enabled mixins add to the table, as fresh copies.

    Relations are hidden (``related_name="+"``): these copies only describe the table.
    """
    fields: dict[str, models.Field] = {}
    for key, path in FEATURES:
        if not spec.option(key) or (keys is not None and key not in keys):
            continue
        mixin = _mixin(path)
        opts = getattr(mixin, "_meta", None)
        if opts is None:
            continue
        for field in opts.local_fields:
            if not field.concrete:
                continue
            name, _path, args, kwargs = field.deconstruct()
            if field.is_relation:
                kwargs["related_name"] = "+"
            fields[field.name] = field.__class__(*args, **kwargs)
    return fields


def static_targets() -> list[str]:
    """Models any mixin column points to ("app_label.model")."""
    from django.conf import settings as django_settings

    return [
        "wagtailcore.revision",
        "wagtailcore.locale",
        "taggit.tag",  # the shared vocabulary of tags fields
        django_settings.AUTH_USER_MODEL,
    ]


def unique_together(spec: ModelSpec) -> list[tuple[str, ...]]:
    if spec.option("translation"):
        return [("translation_key", "locale")]
    return []
