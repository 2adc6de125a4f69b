"""Which generated types the API serves, and their place in Wagtail's content type
registry (``GET /api/v3/schema/`` and ``/schema/<type>/``).

:func:`follow` listens to the registry of generated classes: each rebuilt class gets
its schemas built and registered under its label, and each class taken out is taken
out of Wagtail's registry too (a trashed type, a renamed one under its old label, a type
switched out of the API). Every process does this when it syncs, so its next request
serves the schemas of the database's current schema version.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import models
from ninja.orm.factory import factory as ninja_schemas
from wagtail.api.v3.registry import ContentTypeRegistration
from wagtail.api.v3.registry import registry as wagtail_types
from wagtail.api.v3.schemas.generators.write import create_generator

from ...kinds.group import parent_of
from ...registry import registry
from ...spec import ACTIVE
from . import query, schemas

logger = logging.getLogger(__name__)

_lock = threading.RLock()
#: Type uid → the schemas of its installed class, for served types only.
_served: dict[str, schemas.TypeSchemas] = {}
#: Counts the changes of ``_served``: a build of the API is current while it matches.
_generation = 0
#: Called after each change (the API's build lets go of the old classes).
changed: list[Callable[[], None]] = []


def served(model: type[models.Model]) -> bool:
    """True for an active type switched into the API (the items of a group are served
    inside their entries, never alone)."""
    spec = getattr(model, "dynamo_spec", None)
    if spec is None or spec.state != ACTIVE or parent_of(spec) is not None:
        return False
    return spec.option("api", True) is not False


def public(model: type[models.Model]) -> bool:
    return bool(model.dynamo_spec.option("api_public", False))  # type: ignore[attr-defined]


def current() -> tuple[int, dict[str, schemas.TypeSchemas]]:
    """(generation, label → schemas) of every type served now."""
    with _lock:
        return _generation, {s.model._meta.label: s for s in _served.values()}


def known(label: str) -> bool:
    """True for the label of any generated class installed (served or not)."""
    return any(model._meta.label == label for model in list(registry.classes.values()))


def _register(model: type[models.Model]) -> None:
    filters = query.filters_of(model)
    built = schemas.build(model, query.filter_schema(model, filters))
    _served[model.dynamo_spec.uid] = built  # type: ignore[attr-defined]
    registration = ContentTypeRegistration(
        name=model._meta.label,
        label=str(model._meta.verbose_name),
        read_schema=built.document,
        create_schema=built.create,
        patch_schema=built.patch,
    )
    _replace_entries({**wagtail_types._registry, registration.name: registration})


def _replace_entries(entries: dict[str, ContentTypeRegistration]) -> None:
    """Give Wagtail's registry a new mapping instead of changing the one it has: a
    ``/schema/`` request of another thread may be looping over it right now. (Wagtail's
    registry has no way to take a type out: its mapping is the registry.)"""
    wagtail_types._registry = entries


def _unregister(model: type[models.Model]) -> None:
    uid = getattr(model, "dynamo_spec", None) and model.dynamo_spec.uid  # type: ignore[attr-defined]
    old = _served.pop(uid, None) if uid else None
    if old is not None:
        # Wagtail's registry has no way to take a type out: its mapping is the registry.
        entries = wagtail_types._registry
        if (
            entries.get(model._meta.label) is not None
            and entries[model._meta.label].read_schema is old.document
        ):
            del entries[model._meta.label]
    # Wagtail's write generator caches schemas of child models (a group's items) by class,
    # django-ninja every schema it made from a model: the old class must not stay alive.
    create_generator._child_relation_schema_cache.pop(model, None)
    for key in [key for key in ninja_schemas.schemas if key[0] is model]:
        ninja_schemas.schema_names.discard(ninja_schemas.schemas.pop(key).__name__)


def follow(added: list[type[models.Model]], removed: list[type[models.Model]]) -> None:
    """Registry listener: keep the served types and Wagtail's registry in step."""
    global _generation
    with _lock:
        _generation += 1
        for model in removed:
            _unregister(model)
        for model in added:
            if not served(model):
                continue
            try:
                _register(model)
            except Exception:
                # One type whose schema cannot be built must not take the others down.
                logger.exception("dynamo_wagtail: no API for %s", model._meta.label)
    for callback in list(changed):
        callback()


def reset() -> None:
    """Forget every served type (tests)."""
    with _lock:
        for built in list(_served.values()):
            _unregister(built.model)
