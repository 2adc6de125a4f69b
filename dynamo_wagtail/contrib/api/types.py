"""Which generated types the API serves, and their place in Wagtail's content type
registry (``GET /api/v3/schema/`` and ``/schema/<type>/``).

:func:`follow` listens to the registry of generated classes: each rebuilt class that is
served gets a :class:`Served` and a registration in Wagtail's registry under its label,
and each class taken out is taken out of Wagtail's registry too (a trashed type, a
renamed one under its old label, a type switched out of the API). Every process does
this when it syncs, so its next request serves the types of the database's current
schema version.

Nothing is built there: a type's pydantic schemas are made the first time a request
needs them (its endpoints, its ``/schema/<type>/``, the OpenAPI document) and kept while
its class is installed. A process that never answers an API request for a type never
pays for it, and a change rebuilds only the types the registry rebuilt.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from types import MappingProxyType

from django.db import models
from ninja.orm.factory import factory as ninja_schemas
from pydantic import BaseModel
from wagtail.api.v3.registry import ContentTypeRegistration
from wagtail.api.v3.registry import registry as wagtail_types
from wagtail.api.v3.schemas.generators.write import create_generator

from ...kinds.group import parent_of
from ...spec import ACTIVE
from . import query, schemas

logger = logging.getLogger(__name__)


class Served:
    """A class the API serves; its schemas are built on first use, once."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.label: str = model._meta.label
        self._schemas: schemas.TypeSchemas | None = None
        self._failed = False
        self._lock = threading.Lock()

    def schemas(self) -> schemas.TypeSchemas | None:
        """The type's schemas (None when they cannot be built: the error is logged once,
        and the type answers as not served rather than taking the others down)."""
        built = self._schemas
        if built is not None or self._failed:
            return built
        with self._lock:
            if self._schemas is None and not self._failed:
                try:
                    filters = query.filter_schema(self.model, query.filters_of(self.model))
                    self._schemas = schemas.build(self.model, filters)
                except Exception:
                    logger.exception("dynamo_wagtail: no API for %s", self.label)
                    self._failed = True
        return self._schemas

    @property
    def built(self) -> bool:
        return self._schemas is not None


class Registration(ContentTypeRegistration):
    """Wagtail's registration of a served type, whose schemas are made when read."""

    def __init__(self, served: Served) -> None:
        self.name = served.label
        self.label = str(served.model._meta.verbose_name)
        self.served = served

    def _schema(self, direction: str) -> type[BaseModel] | None:
        built = self.served.schemas()
        return getattr(built, direction) if built is not None else None

    @property
    def read_schema(self) -> type[BaseModel] | None:
        return self._schema("document")

    @property
    def create_schema(self) -> type[BaseModel] | None:
        return self._schema("create")

    @property
    def patch_schema(self) -> type[BaseModel] | None:
        return self._schema("patch")


_lock = threading.RLock()
#: Type uid → its served class.
_served: dict[str, Served] = {}
#: Label → model of every generated class installed (served or not).
_installed: dict[str, type[models.Model]] = {}
#: (generation, label → served) as of the last change; replaced, never changed, so a
#: request reads it without a lock. A build of the API is current while it matches.
_current: tuple[int, Mapping[str, Served]] = (0, MappingProxyType({}))
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


def current() -> tuple[int, Mapping[str, Served]]:
    """(generation, label → served) of every type served now."""
    return _current


def known(label: str) -> bool:
    """True for the label of any generated class installed (served or not)."""
    return label in _installed


def _replace_entries(entries: dict[str, ContentTypeRegistration]) -> None:
    """Give Wagtail's registry a new mapping instead of changing the one it has: a
    ``/schema/`` request of another thread may be looping over it right now. (Wagtail's
    registry has no way to take a type out: its mapping is the registry.)"""
    wagtail_types._registry = entries


def _forget(model: type[models.Model]) -> Served | None:
    if _installed.get(model._meta.label) is model:
        del _installed[model._meta.label]
    uid = getattr(model, "dynamo_spec", None) and model.dynamo_spec.uid  # type: ignore[attr-defined]
    old = _served.pop(uid, None) if uid else None
    # Wagtail's write generator caches schemas of child models (a group's items) by class,
    # django-ninja every schema it made from a model: the old class must not stay alive.
    create_generator._child_relation_schema_cache.pop(model, None)
    for key in [key for key in ninja_schemas.schemas if key[0] is model]:
        ninja_schemas.schema_names.discard(ninja_schemas.schemas.pop(key).__name__)
    return old if old is not None and old.model is model else None


def follow(added: list[type[models.Model]], removed: list[type[models.Model]]) -> None:
    """Registry listener: keep the served types and Wagtail's registry in step."""
    global _current
    with _lock:
        entries = dict(wagtail_types._registry)
        for model in removed:
            old = _forget(model)
            entry = entries.get(model._meta.label)
            if old is not None and getattr(entry, "served", None) is old:
                del entries[model._meta.label]
        for model in added:
            _installed[model._meta.label] = model
            if served(model):
                new = _served[model.dynamo_spec.uid] = Served(model)  # type: ignore[attr-defined]
                entries[new.label] = Registration(new)
        _replace_entries(entries)
        generation = _current[0] + 1
        _current = (generation, MappingProxyType({s.label: s for s in _served.values()}))
    for callback in list(changed):
        callback()


def reset() -> None:
    """Forget every served type (tests)."""
    follow([], [s.model for s in list(_served.values())])
