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
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .conf import settings
from .factory import build_model
from .links import Links
from .links import owner as links_owner
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
        #: Who links to whom among ``specs``, and lower-cased name -> uid.
        self.links = Links()
        self._names: dict[str, str] = {}

    # -- look-up ----------------------------------------------------------------

    def lookup(self, uid: str) -> tuple[str, str]:
        spec = self.specs[uid]
        return spec.name, spec.table

    def get(self, uid: str) -> type[models.Model] | None:
        return self.classes.get(uid)

    def by_name(self, name: str) -> type[models.Model] | None:
        uid = self._names.get(name.lower())
        return self.classes.get(uid) if uid is not None else None

    # -- changes ----------------------------------------------------------------

    def dependants(self, uids: set[str], specs: Mapping[str, ModelSpec] | None = None) -> set[str]:
        """Types with a relation to any of ``uids``, the items of a group of any of them
        and the types whose group items they are (transitively).

        The installed types are found through the indexes; ``specs`` (the specs about to
        be installed) count for the types of ``uids`` that are in it.
        """
        specs = specs or {}
        result = set(uids)
        frontier = list(uids)
        while frontier:
            uid = frontier.pop()
            spec = specs.get(uid) or self.specs.get(uid)
            reached = set(self.links.linking(uid) | self.links.items_of(uid))
            owner = links_owner(spec)
            if owner is not None:
                reached.add(owner)
            for other in reached - result:
                result.add(other)
                frontier.append(other)
        return result

    def sync(
        self, specs: Mapping[str, ModelSpec] | Iterable[ModelSpec], changed: set[str] | None = None
    ) -> None:
        """Make the installed classes exactly ``specs`` (uid -> spec, or specs); rebuild
        only what changed. ``changed`` narrows the comparison to those uids (None: all)."""
        if not isinstance(specs, Mapping):
            specs = {s.uid: s for s in specs}
        with self.lock:
            if self.building:
                return
            self.building = True
            try:
                self._sync(specs, changed)
            finally:
                self.building = False

    def _sync(self, wanted: Mapping[str, ModelSpec], hint: set[str] | None) -> None:
        def is_wanted(uid: str) -> bool:
            # The items of a group go with the type they belong to.
            spec = wanted.get(uid)
            return spec is not None and (links_owner(spec) is None or links_owner(spec) in wanted)

        if hint is None:
            candidates = set(self.specs) | set(wanted)
        else:
            candidates = set(hint)
            for uid in hint:
                candidates |= self.links.items_of(uid)
        gone = {uid for uid in candidates if uid in self.specs and not is_wanted(uid)}
        changed = {
            uid for uid in candidates if is_wanted(uid) and self.specs.get(uid) != wanted[uid]
        }
        if not gone and not changed:
            return
        rebuild = {u for u in self.dependants(changed | gone, wanted) - gone if is_wanted(u)}
        removed = [self.classes[uid] for uid in gone | rebuild if uid in self.classes]
        for uid in gone | rebuild:
            self._uninstall(uid)
        for uid in rebuild:
            self.specs[uid] = wanted[uid]
            self._index(uid, wanted[uid], add=True)
        added = []
        with RelationTrees(removed) as trees:
            for uid in sorted(rebuild, key=lambda u: wanted[u].name):
                added.append(self._build(wanted[uid]))
            trees.added(added)
        ContentType.objects.clear_cache()
        for listener in list(self.listeners):
            try:
                listener(added, removed)
            except Exception:
                # The classes are installed and the schema is applied; a listener (the
                # admin) that fails must not stop models from loading. Say so loudly.
                logger.exception("dynamo_wagtail: registry listener %r failed", listener)

    def _index(self, uid: str, spec: ModelSpec, *, add: bool) -> None:
        name = spec.name.lower()
        if add:
            self.links.add(spec)
            self._names[name] = uid
        else:
            self.links.remove(spec)
            if self._names.get(name) == uid:
                del self._names[name]

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
        if spec is not None:
            self._index(uid, spec, add=False)
        model = self.classes.pop(uid, None)
        if spec is None or model is None:
            return
        module = models_module()
        # object, not Any | None: comparing with that would widen model to Optional.
        installed: object = module.__dict__.get(model.__name__)
        if installed is model:
            delattr(module, model.__name__)
        # A kind's own models (a tags field's vocabulary and link) go with the class, and
        # so do its link tables.
        owned = [m for found in model.dynamo_owned_models.values() for m in found]  # type: ignore[attr-defined]
        for candidate in _brought(model):
            app_models = apps.all_models[candidate._meta.app_label]
            key = str(candidate._meta.model_name)
            if app_models.get(key) is candidate:
                del app_models[key]
        for each in (model, *owned):
            _remove_accessors(each)
        for target, name, original in reversed(self.shadowed.pop(uid, [])):
            if name not in vars(target):
                setattr(target, name, original)


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


def _brought(model: type[models.Model]) -> set[type[models.Model]]:
    """``model`` with the models it brings: its link tables, a tags field's models."""
    own: set[type[models.Model]] = set()
    pending: list[Any] = [model]
    while pending:
        each = pending.pop()
        if each not in own:
            own.add(each)
            owned = getattr(each, "dynamo_owned_models", {})
            pending.extend(m for found in owned.values() for m in found)
            for f in each._meta.local_many_to_many:
                through: Any = f.remote_field.through
                if through is not None and through._meta.auto_created is each:
                    pending.append(through)
    return own


def _relations(models_: Iterable[type[models.Model]]) -> list[Any]:
    """The forward relation fields of ``models_``, as Django's relation graph takes them."""
    return [
        f
        for model in models_
        for f in model._meta._get_fields(reverse=False, include_parents=False)
        if f.is_relation
        and f.related_model is not None
        and not isinstance(getattr(f.remote_field, "model", None), str)
    ]


def _concrete(model: Any) -> Any:
    return model._meta.concrete_model


class RelationTrees:
    """Follow Django's relation graph through a batch of new and removed classes.

    Every new class goes through ``apps.register_model()``, whose ``clear_cache()``
    expires the ``_meta`` caches of *every* installed model; the next look at a
    model's reverse relations then walks every model's fields again. A class cost
    O(all models), a batch of n classes O(n × all models). Inside this block only the
    registry's own look-up caches are dropped. On the way out only the models the batch
    touches are expired (the classes, the models they bring, what they link to or
    inherit from, and proxies of those), and each one's relation tree is updated from
    the one it had: the removed classes' fields out, the new classes' in. The types
    that link to a rebuilt type are rebuilt with it (``Registry.dependants``), and no
    static model links to a generated one, so that is the whole change to the graph.
    Callers hold ``registry.lock``.
    """

    def __init__(self, removed: Iterable[type[models.Model]]) -> None:
        self.gone = set().union(*(_brought(m) for m in removed))
        self.new: set[type[models.Model]] = set()
        self.old_fields = _relations(self.gone)

    def added(self, classes: Iterable[type[models.Model]]) -> None:
        self.new = set().union(*(_brought(m) for m in classes))

    def __enter__(self) -> RelationTrees:
        self.own = apps.__dict__.get("clear_cache")
        apps.clear_cache = _clear_lookups  # type: ignore[method-assign]
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self.own is None:
            del apps.clear_cache
        else:
            apps.clear_cache = self.own  # type: ignore[method-assign]
        if exc_type is not None:
            apps.clear_cache()  # a batch built in part: Django works every graph out again
            return
        _clear_lookups()
        new_fields = _relations(self.new)
        targets = {_concrete(f.remote_field.model) for f in [*self.old_fields, *new_fields]}
        for model in self.new | self.gone:
            targets.update(_concrete(p) for p in model._meta.get_parent_list())
        incoming: dict[Any, list[Any]] = {}
        for f in new_fields:
            incoming.setdefault(_concrete(f.remote_field.model), []).append(f)
        for model in {*targets, *self.new, *self.gone, *_proxies_of(targets)}:
            opts = model._meta
            before = opts.__dict__.get("_relation_tree")
            opts._expire_cache()
            if model in self.gone:
                continue
            if model in self.new:
                tree = incoming.get(_concrete(model), [])
            elif before is not None:
                kept = [f for f in before if f.model not in self.gone]
                tree = kept + incoming.get(_concrete(model), [])
            else:
                continue  # never asked: Django works it out when it is
            opts.__dict__["_relation_tree"] = tree


def _clear_lookups() -> None:
    # Both are functools.cache'd in Django; django-stubs types them as plain methods.
    apps.get_swappable_settings_name.cache_clear()  # type: ignore[attr-defined]
    apps.get_models.cache_clear()  # type: ignore[attr-defined]


_proxies: dict[Any, list[Any]] | None = None


def _proxies_of(targets: Iterable[Any]) -> list[Any]:
    """Proxy models of ``targets`` (static models: generated types have none)."""
    global _proxies
    if _proxies is None:
        found: dict[Any, list[Any]] = {}
        for model in apps.get_models(include_auto_created=True):
            if model._meta.proxy:
                found.setdefault(_concrete(model), []).append(model)
        _proxies = found
    return [p for t in targets for p in _proxies.get(t, [])]


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
