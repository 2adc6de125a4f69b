"""The per-process registry of generated model classes.

Installs runtime classes into Django's app registry and takes old ones out
completely (``apps.all_models``, auto-created link models, reverse accessors on
static models, caches), so a rebuild warns about nothing and leaks no class.
Listeners (the admin) are told after each change.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import ModuleType

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .conf import settings
from .factory import build_model
from .kinds.group import parent_of
from .spec import ModelSpec

#: Called after every change with (classes installed, classes taken out). A rebuilt
#: type appears in both: its old class taken out, its new class installed.
logger = logging.getLogger(__name__)

Listener = Callable[[list[type[models.Model]], list[type[models.Model]]], None]


class Registry:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.specs: dict[str, ModelSpec] = {}
        self.classes: dict[str, type[models.Model]] = {}
        #: Type uid -> (target class, accessor, what the target had there before).
        self.shadowed: dict[str, list[tuple[type, str, object]]] = {}
        #: Global schema version these classes were built from (None: not loaded).
        self.version: int | None = None
        self.listeners: list[Listener] = []
        #: True while classes are being built (building calls back into get_models()).
        self.building = False

    # -- look-up ----------------------------------------------------------------

    def lookup(self, uid: str) -> tuple[str, str]:
        spec = self.specs[uid]
        return spec.name, spec.table

    def get(self, uid: str) -> type[models.Model] | None:
        return self.classes.get(uid)

    def by_name(self, name: str) -> type[models.Model] | None:
        for uid, spec in self.specs.items():
            if spec.name.lower() == name.lower():
                return self.classes.get(uid)
        return None

    # -- changes ----------------------------------------------------------------

    def dependants(self, uids: set[str], specs: dict[str, ModelSpec] | None = None) -> set[str]:
        """Types (installed, or ``specs``) with a relation to any of ``uids``, the items of a
        group of any of them and the types whose group items they are (transitively)."""
        specs = {**self.specs, **(specs or {})}
        result = set(uids)
        changed = True
        while changed:
            changed = False
            for uid, spec in specs.items():
                if uid in result:
                    continue
                parent = parent_of(spec)
                if (
                    any(f.target_type_uid in result for f in spec.fields)
                    or (parent is not None and parent["type"] in result)
                    or any(_owner(specs.get(item)) == uid for item in result)
                ):
                    result.add(uid)
                    changed = True
        return result

    def sync(self, specs: Iterable[ModelSpec]) -> None:
        """Make the installed classes exactly ``specs``; rebuild only what changed."""
        wanted = {s.uid: s for s in specs}
        with self.lock:
            if self.building:
                return
            self.building = True
            try:
                self._sync(wanted)
            finally:
                self.building = False

    def _sync(self, wanted: dict[str, ModelSpec]) -> None:
        # The items of a group go with the type they belong to.
        wanted = {u: s for u, s in wanted.items() if _owner(s) is None or _owner(s) in wanted}
        gone = set(self.specs) - set(wanted)
        changed = {uid for uid, s in wanted.items() if self.specs.get(uid) != s}
        if not gone and not changed:
            return
        rebuild = (self.dependants(changed | gone, wanted) - gone) & set(wanted)
        removed = [self.classes[uid] for uid in gone | rebuild if uid in self.classes]
        for uid in gone | rebuild:
            self._uninstall(uid)
        for uid in rebuild:
            self.specs[uid] = wanted[uid]
        added = []
        with deferred_cache_clearing():
            for uid in sorted(rebuild, key=lambda u: wanted[u].name):
                added.append(self._build(wanted[uid]))
        ContentType.objects.clear_cache()
        for listener in list(self.listeners):
            try:
                listener(added, removed)
            except Exception:
                # The classes are installed and the schema is applied; a listener (the
                # admin) that fails must not stop models from loading. Say so loudly.
                logger.exception("dynamo_wagtail: registry listener %r failed", listener)

    def _targets(self, spec: ModelSpec) -> list[type[models.Model]]:
        """Classes the relations of ``spec`` point to (their reverse accessors go there)."""
        result = []
        for f in spec.active_fields:
            uid = f.target_type_uid
            target = self.classes.get(uid) if uid else None
            if target is None and f.target and not uid:
                try:
                    target = apps.get_model(f.target)
                except (LookupError, ValueError):
                    target = None
            if target is not None:
                result.append(target)
        return result

    def _build(self, spec: ModelSpec) -> type[models.Model]:
        before = {target: dict(vars(target)) for target in self._targets(spec)}
        model = build_model(spec, self.lookup)
        self.classes[spec.uid] = model
        # What the new reverse accessors replaced, put back when the class goes.
        self.shadowed[spec.uid] = [
            (target, name, original)
            for target, attrs in before.items()
            for name, original in attrs.items()
            if vars(target).get(name) is not original and not _generated_accessor(original)
        ]
        setattr(models_module(), model.__name__, model)
        return model

    def _uninstall(self, uid: str) -> None:
        spec = self.specs.pop(uid, None)
        model = self.classes.pop(uid, None)
        if spec is None or model is None:
            return
        module = models_module()
        # object, not Any | None: comparing with that would widen model to Optional.
        installed: object = module.__dict__.get(model.__name__)
        if installed is model:
            delattr(module, model.__name__)
        label = spec.app_label
        app_models = apps.all_models[label]
        # A kind's own models (a tags field's vocabulary and link) go with the class.
        owned = [m for found in model.dynamo_owned_models.values() for m in found]  # type: ignore[attr-defined]
        for key, candidate in list(app_models.items()):
            if candidate is model or candidate._meta.auto_created is model or candidate in owned:
                del app_models[key]
        for each in (model, *owned):
            _remove_accessors(each)
        for target, name, original in reversed(self.shadowed.pop(uid, [])):
            if name not in vars(target):
                setattr(target, name, original)


def _owner(spec: ModelSpec | None) -> str | None:
    """The uid of the type whose group items ``spec`` holds."""
    parent = parent_of(spec) if spec is not None else None
    return parent["type"] if parent else None


def _remove_accessors(model: type[models.Model]) -> None:
    """Take the reverse accessors of ``model``'s relations off their targets."""
    opts = model._meta
    for field in [*opts.local_fields, *opts.local_many_to_many, *opts.private_fields]:
        remote = getattr(field, "remote_field", None)
        if remote is None or remote.hidden:
            continue
        target = remote.model
        if not isinstance(target, type):
            continue
        accessor = remote.get_accessor_name()
        descriptor = target.__dict__.get(accessor) if accessor else None
        if descriptor is not None and remote in (
            getattr(descriptor, "rel", None),
            getattr(descriptor, "related", None),
        ):
            delattr(target, accessor)


def _generated_accessor(value: object) -> bool:
    """Whether ``value`` is a reverse accessor that a generated class put there."""
    rel = getattr(value, "rel", None) or getattr(value, "related", None)
    field = getattr(rel, "field", None)
    return getattr(getattr(field, "model", None), "dynamo_spec", None) is not None


@contextmanager
def deferred_cache_clearing() -> Iterator[None]:
    """Clear the app registry's caches once, after building a batch of classes.

    Every new class goes through ``apps.register_model()``, whose ``clear_cache()``
    expires the ``_meta`` caches of *every* installed model: building n classes cost
    O(n × all models), quadratic in the number of types. Inside this block it only
    drops the registry's own look-up caches; the full clear runs once on the way out.
    Callers hold ``registry.lock``.
    """
    own = apps.__dict__.get("clear_cache")

    def clear_lookups() -> None:
        # Both are functools.cache'd in Django; django-stubs types them as plain methods.
        apps.get_swappable_settings_name.cache_clear()  # type: ignore[attr-defined]
        apps.get_models.cache_clear()  # type: ignore[attr-defined]

    apps.clear_cache = clear_lookups  # type: ignore[method-assign]
    try:
        yield
    finally:
        if own is None:
            del apps.clear_cache
        else:
            apps.clear_cache = own  # type: ignore[method-assign]
        apps.clear_cache()


def models_module() -> ModuleType:
    """``DYNAMO_DEFAULT_MODULE``, holding the classes by name (pickle finds them there).

    A real module of that name is used as it is; otherwise an empty one is made.
    """
    name = settings.DYNAMO_DEFAULT_MODULE
    module = sys.modules.get(name)
    if module is not None:
        return module
    parts = name.split(".")
    if importlib.util.find_spec(parts[0]) is not None:
        return importlib.import_module(name)
    for index in range(1, len(parts) + 1):
        sub = ".".join(parts[:index])
        if sub not in sys.modules:
            sys.modules[sub] = ModuleType(sub, "Generated models of dynamo_wagtail.")
    return sys.modules[name]


registry = Registry()
