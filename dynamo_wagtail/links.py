"""Who links to whom among a set of specs, kept up to date spec by spec.

A change asks which types link to a type (its checks, what to rebuild, what a type
going away still has pointing at it), whose group items a type holds, and which type
has a name. Looking through every spec for that costs O(types × fields) per change;
these indexes answer in O(answer) and follow a change of k specs in O(k).
"""

from __future__ import annotations

from collections.abc import Iterable

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
    """Indexes of a set of specs (fields in any state count as links)."""

    __slots__ = ("by_name", "items", "link_names", "linkers")

    def __init__(self) -> None:
        #: A target (a type's uid, or a static model's label) -> uids of types linking to it.
        self.linkers: dict[str, frozenset[str]] = {}
        #: A type's uid -> uids of the types holding its group items.
        self.items: dict[str, frozenset[str]] = {}
        #: (app label, lower-cased name) -> uid.
        self.by_name: dict[tuple[str, str], str] = {}
        #: A link model's lower-cased name -> {uid: type name} of the types it belongs to.
        self.link_names: dict[str, dict[str, str]] = {}

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

    def _keys(self, spec: ModelSpec) -> list[tuple[dict[str, frozenset[str]], str]]:
        keys: list[tuple[dict[str, frozenset[str]], str]] = []
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
            index[key] = index.get(key, frozenset()) | {spec.uid}
        self.by_name[spec.app_label, spec.name.lower()] = spec.uid
        for name in link_model_names(spec):
            self.link_names[name] = {**self.link_names.get(name, {}), spec.uid: spec.name}

    def remove(self, spec: ModelSpec) -> None:
        for index, key in self._keys(spec):
            left = index.get(key, frozenset()) - {spec.uid}
            if left:
                index[key] = left
            else:
                index.pop(key, None)
        if self.by_name.get((spec.app_label, spec.name.lower())) == spec.uid:
            del self.by_name[spec.app_label, spec.name.lower()]
        for name in link_model_names(spec):
            left_names = {u: n for u, n in self.link_names.get(name, {}).items() if u != spec.uid}
            if left_names:
                self.link_names[name] = left_names
            else:
                self.link_names.pop(name, None)

    def linking(self, target: str) -> frozenset[str]:
        """uids of the types with a field (in any state) linking to ``target``."""
        return self.linkers.get(target, frozenset())

    def items_of(self, uid: str) -> frozenset[str]:
        return self.items.get(uid, frozenset())
