"""Who links to whom among a set of specs, kept up to date spec by spec.

A change asks which types link to a type (its checks, what to rebuild, what a type
going away still has pointing at it), whose group items a type holds, and which type
has a name. Looking through every spec for that costs O(types × fields) per change;
these indexes answer in O(answer) and follow a change of k specs in O(k).
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from typing import Any

from django.db.models import ManyToManyField

from .kinds import get_kind
from .kinds.group import parent_of
from .spec import ModelSpec


def owner(spec: ModelSpec | None) -> str | None:
    """The uid of the type whose group items ``spec`` holds."""
    parent = parent_of(spec) if spec is not None else None
    return parent["type"] if parent else None


def link_model_names(spec: ModelSpec) -> list[str]:
    """Lower-cased names of the link models (``<Type>_<column>``) of ``spec``'s m2m fields."""
    return [
        f"{spec.name}_{f.column}".lower()
        for f in spec.active_fields
        if issubclass(get_kind(f.kind).django_field, ManyToManyField)
    ]


class Links:
    """Indexes of a set of specs (fields in any state count as links).

    :meth:`copy` is cheap: the copy shares the sets of the original and copies one only
    when it first changes it, so following a change of k specs costs O(k) set copies. The
    original must not change once copied (the kept specs of a version never do).
    """

    __slots__ = ("_own", "by_name", "items", "link_names", "linkers")

    def __init__(self) -> None:
        #: A target (a type's uid, or a static model's label) -> uids of types linking to it.
        self.linkers: dict[str, set[str]] = {}
        #: A type's uid -> uids of the types holding its group items.
        self.items: dict[str, set[str]] = {}
        #: (app label, lower-cased name) -> uid.
        self.by_name: dict[tuple[str, str], str] = {}
        #: A link model's lower-cased name -> {uid: type name} of the types it belongs to.
        self.link_names: dict[str, dict[str, str]] = {}
        #: ids of the sets and dicts this instance made (it may change those in place).
        self._own: set[int] = set()

    def copy(self) -> Links:
        """A copy that :meth:`add` and :meth:`remove` change without changing this one."""
        other = Links()
        other.linkers = dict(self.linkers)
        other.items = dict(self.items)
        other.by_name = dict(self.by_name)
        other.link_names = dict(self.link_names)
        return other

    @staticmethod
    def of(specs: Iterable[ModelSpec]) -> Links:
        links = Links()
        for spec in specs:
            links.add(spec)
        return links

    def _mine(self, index: dict[str, Any], key: str, empty: Any) -> Any:
        """``index[key]``, made this instance's own first (copied, or new)."""
        found = index.get(key)
        if found is None or id(found) not in self._own:
            found = type(empty)(found or empty)
            index[key] = found
            self._own.add(id(found))
        return found

    def _keys(self, spec: ModelSpec) -> list[tuple[dict[str, set[str]], str]]:
        keys: list[tuple[dict[str, set[str]], str]] = []
        for f in spec.fields:
            target = f.target_type_uid or f.target
            if target:
                keys.append((self.linkers, target))
        parent = owner(spec)
        if parent is not None:
            keys.append((self.items, parent))
        return keys

    def add(self, spec: ModelSpec) -> None:
        for index, key in self._keys(spec):
            self._mine(index, key, set()).add(spec.uid)
        self.by_name[spec.app_label, spec.name.lower()] = spec.uid
        for name in link_model_names(spec):
            self._mine(self.link_names, name, {})[spec.uid] = spec.name

    def remove(self, spec: ModelSpec) -> None:
        for index, key in self._keys(spec):
            if key in index:
                found = self._mine(index, key, set())
                found.discard(spec.uid)
                if not found:
                    self._forget(index, key)
        if self.by_name.get((spec.app_label, spec.name.lower())) == spec.uid:
            del self.by_name[spec.app_label, spec.name.lower()]
        for name in link_model_names(spec):
            if name in self.link_names:
                names = self._mine(self.link_names, name, {})
                names.pop(spec.uid, None)
                if not names:
                    self._forget(self.link_names, name)

    def _forget(self, index: dict[str, Any], key: str) -> None:
        self._own.discard(id(index.pop(key)))

    def linking(self, target: str) -> Set[str]:
        """uids of the types with a field (in any state) linking to ``target``."""
        return self.linkers.get(target, _NONE)

    def items_of(self, uid: str) -> Set[str]:
        return self.items.get(uid, _NONE)


_NONE: frozenset[str] = frozenset()
