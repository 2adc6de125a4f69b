"""Immutable specs: the one shape every source of a definition is turned into.

The admin, the Python API, the ORM and imported JSON all end in a
:class:`ModelSpec`; the planner only ever compares two specs. Specs are frozen,
hashable and round-trip through JSON (that is how the applied state is stored).
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from functools import cached_property
from typing import Any

ACTIVE = "active"
TRASHED = "trashed"
RETIRED = "retired"

#: Model options that change no table (labels, admin settings).
#: Type options that name fields of the type: they follow a field's rename and drop a
#: removed field (``references.follow_fields``).
FIELD_OPTION_KEYS = ("title_field", "listing_columns", "search_fields", "ordering", "layout")

TYPE_OPTION_KEYS = (
    "api",
    "api_public",
    "icon",
    "add_to_admin_menu",
    "menu_order",
    "listing_columns",
    "search_fields",
    "ordering",
    "title_field",
    "layout",
    "constraints",
    "drafts",
    "revisions",
    "locking",
    "workflows",
    "preview",
    "search_index",
    "translation",
)


class _Pairs(tuple):
    """A frozen dict: sorted (key, value) pairs."""


def _freeze(value: Any) -> Any:
    """Lists and dicts as tuples, so specs are hashable and compare by value."""
    if isinstance(value, dict):
        return _Pairs(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw_pairs(pairs: tuple) -> dict[str, Any]:
    return {k: _thaw(v) for k, v in pairs}


def _thaw(value: Any) -> Any:
    if isinstance(value, _Pairs):
        return _thaw_pairs(value)
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


def _interned(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(map(sys.intern, names))


@dataclass(frozen=True)
class FieldSpec:
    uid: str
    name: str
    kind: str
    column: str
    verbose_name: str = ""
    help_text: str = ""
    description: str = ""
    required: bool = False
    unique: bool = False
    indexed: bool = False
    unique_together: bool = False
    default: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    #: Relation target: "type:<uid>" for a dynamic type, "app_label.model" otherwise.
    target: str = ""
    options: tuple[tuple[str, Any], ...] = ()
    order: int = 0
    state: str = ACTIVE
    #: Names the field had before, oldest first (aliases for templates).
    former_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Names read from the database or JSON are new string objects, while a static
        # model's names are interned by the compiler. CPython's attribute cache matches
        # names by identity, so Model.__init__'s setattr(self, field.attname, ...) would
        # miss it on every field of every instance: about 5 % of a bulk load.
        object.__setattr__(self, "name", sys.intern(self.name))
        object.__setattr__(self, "former_names", _interned(self.former_names))

    def option(self, key: str, default: Any = None) -> Any:
        for k, v in self.options:
            if k == key:
                return _thaw(v)
        return default

    def with_option(self, key: str, value: Any) -> FieldSpec:
        """This field with option ``key`` set to ``value`` (None: left out)."""
        options = {k: self.option(k) for k, _v in self.options}
        options[key] = value
        return replace(self, options=freeze_options(options))

    @property
    def db_required(self) -> bool:
        """Required in the database too: a field shown on a condition is required only
        while the condition holds, which the model's ``clean()`` checks."""
        return self.required and not self.option("show_when")

    @property
    def is_active(self) -> bool:
        return self.state == ACTIVE

    @property
    def target_type_uid(self) -> str | None:
        return self.target[5:] if self.target.startswith("type:") else None

    def physical(self) -> tuple:
        """What decides the column: two fields with equal physical() need no DDL."""
        return (
            self.kind,
            self.column,
            self.required,
            self.unique,
            self.indexed,
            self.default,
            self.target,
            self.options,
            self.state != ACTIVE,
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["choices"] = [list(c) for c in self.choices]
        data["options"] = _thaw_pairs(self.options)
        data["former_names"] = list(self.former_names)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FieldSpec:
        values = {**_FIELD_DEFAULTS, **data}
        values["choices"] = tuple(tuple(c) for c in values["choices"] or ())
        values["options"] = _freeze(values["options"] or {})
        values["former_names"] = tuple(values["former_names"] or ())
        if values.keys() != _FIELD_NAMES:
            return cls(**values)  # a key missing or unknown: the dataclass says which
        # What __init__ and __post_init__ do, without a setattr per attribute: a start
        # parses every field of every type.
        values["name"] = sys.intern(values["name"])
        values["former_names"] = _interned(values["former_names"])
        spec = object.__new__(cls)
        spec.__dict__.update(values)
        return spec


#: FieldSpec's attributes, and the defaults of those that have one.
_FIELD_NAMES = frozenset(f.name for f in fields(FieldSpec))
_FIELD_DEFAULTS = {f.name: f.default for f in fields(FieldSpec) if f.default is not MISSING}


@dataclass(frozen=True)
class ModelSpec:
    uid: str
    name: str
    app_label: str
    table: str
    verbose_name: str = ""
    verbose_name_plural: str = ""
    description: str = ""
    admin: bool = True
    options: tuple[tuple[str, Any], ...] = ()
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)
    state: str = ACTIVE

    def option(self, key: str, default: Any = None) -> Any:
        for k, v in self.options:
            if k == key:
                return _thaw(v)
        return default

    @property
    def is_active(self) -> bool:
        return self.state == ACTIVE

    @cached_property
    def active_fields(self) -> tuple[FieldSpec, ...]:
        # Kept on the (frozen) instance: it is asked per field of every class built.
        return tuple(f for f in self.fields if f.state == ACTIVE)

    @property
    def physical_fields(self) -> tuple[FieldSpec, ...]:
        """Every field with a column or table in the database (trashed and retired too)."""
        return self.fields

    def field_by_uid(self, uid: str) -> FieldSpec | None:
        for f in self.fields:
            if f.uid == uid:
                return f
        return None

    def field_by_name(self, name: str) -> FieldSpec | None:
        for f in self.active_fields:
            if f.name == name:
                return f
        return None

    def renamed(self, name: str) -> FieldSpec | None:
        """The active field that was called ``name`` before (and no field is now)."""
        if self.field_by_name(name) is not None:
            return None
        for f in self.active_fields:
            if name in f.former_names:
                return f
        return None

    def with_field(self, new: FieldSpec) -> ModelSpec:
        """This spec with ``new`` replacing the field of the same uid (or added)."""
        fields = [f for f in self.fields if f.uid != new.uid]
        old = self.field_by_uid(new.uid)
        if old is None:
            fields.append(new)
        else:
            fields.insert(self.fields.index(old), new)
        return replace(self, fields=tuple(fields))

    def without_field(self, uid: str) -> ModelSpec:
        return replace(self, fields=tuple(f for f in self.fields if f.uid != uid))

    @property
    def unique_together(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.active_fields if f.unique_together)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["options"] = _thaw_pairs(self.options)
        data["fields"] = [f.to_json() for f in self.fields]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelSpec:
        data = dict(data)
        data["options"] = _freeze(data.get("options") or {})
        data["fields"] = tuple(FieldSpec.from_json(f) for f in data.get("fields", ()))
        return cls(**data)

    def fingerprint(self) -> str:
        """Stable hash of the whole spec (django-dynamo's change detection)."""
        raw = json.dumps(self.to_json(), sort_keys=True, default=str)
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


def freeze_options(options: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return _freeze({k: v for k, v in options.items() if v not in (None, "", [], {})})
