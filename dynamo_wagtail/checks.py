"""Django's system checks on the classes a change would produce, before any DDL.

:func:`check_change` builds the changed type's runtime class, the types it links
to and the types that link to it (or to its targets) in a throw-away app registry,
with stand-ins for static models (so no real class gets a reverse accessor), then:

1. checks what each field adds to the class (``cat_id`` beside a link ``cat``,
   ``get_status_display`` beside a choice field ``status``) and every reverse
   accessor on both ends of each relation against the attributes of the class it
   lands on (``objects``, ``save``, ``User.password``, another type's field);
2. runs ``Model.check()`` (fields.E302–E309 reverse accessor and query name
   clashes, models.E006/E007 attribute and column clashes, …).

Any problem is a :class:`~dynamo_wagtail.definitions.DefinitionError` on the option
that causes it. Nothing here touches the database or the global app registry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core import checks as django_checks
from django.db import models
from django.db.migrations.state import AppConfigStub
from django.db.models import ForeignObjectRel

from .errors import DefinitionError
from .factory import build_model, target_reference
from .fields import clone_field
from .kinds import get_kind
from .kinds.group import parent_of
from .links import Links
from .registry import registry
from .spec import FieldSpec, ModelSpec
from .validation import class_attributes, model_api

Errors = dict[str, list[str]]

#: Django check ids → the definition option that causes them.
OPTION_OF_CHECK = {
    **{f"fields.E{n}": "related_model" for n in (300, 301, 307, 310, 311, 312, 331, 339)},
    **{f"fields.E{n}": "related_name" for n in (302, 303, 304, 305, 306, 308, 309)},
    **{f"fields.E{n}": "on_delete" for n in (320, 321)},
    **{f"fields.E{n:03d}": "choices" for n in (4, 5, 6, 9)},
    **{f"fields.E{n}": "max_length" for n in (120, 121, 122)},
    "fields.E130": "max_digits",
    "fields.E131": "decimal_places",
    "fields.E132": "max_digits",
    "fields.E133": "max_digits",
    "fields.E134": "decimal_places",
    "models.E012": "unique_together",
    "models.E013": "unique_together",
    "models.E015": "ordering",
    "models.E016": "unique_together",
}


class CheckApps(Apps):
    """A throw-away registry: the classes under check, stubs and stand-ins."""

    def __init__(self) -> None:
        super().__init__(installed_apps=[])

    def close(self) -> None:
        """Give every app label an app config, so ``get_models()`` sees its classes."""
        for label in self.all_models:
            if label not in self.app_configs:
                config = AppConfigStub(label)
                config.apps = self
                config.import_models()
                self.app_configs[label] = config
        self.clear_cache()

    def has(self, app_label: str, model_name: str) -> bool:
        return model_name in self.all_models.get(app_label, {})

    def add_stub(self, spec: ModelSpec) -> None:
        """A dynamic type outside the check: primary key and table only."""
        if self.has(spec.app_label, spec.name.lower()):
            return
        meta = type("Meta", (), {"app_label": spec.app_label, "db_table": spec.table, "apps": self})
        type(
            spec.name,
            (models.Model,),
            {"__module__": __name__, "Meta": meta, "id": models.BigAutoField(primary_key=True)},
        )

    def add_stand_in(self, real: type[models.Model]) -> type[models.Model]:
        """A copy of a static model: its fields by name, its generic foreign keys.

        Relations of the classes under check land on the copy, never on ``real``.
        """
        opts = real._meta
        attrs: dict[str, Any] = {
            "__module__": __name__,
            "Meta": type(
                "Meta", (), {"app_label": opts.app_label, "db_table": opts.db_table, "apps": self}
            ),
        }
        for f in opts.get_fields(include_hidden=True):
            if isinstance(f, ForeignObjectRel) or (f.auto_created and not f.concrete):
                continue  # reverse relations: checked against the real class's attributes
            if isinstance(f, GenericForeignKey):
                attrs[f.name] = GenericForeignKey(
                    f.ct_field, f.fk_field, for_concrete_model=f.for_concrete_model
                )
            elif f.primary_key:
                attrs[f.name] = (
                    models.BigAutoField(primary_key=True) if f.is_relation else clone_field(f)
                )
            elif f.name != "id":
                attrs[f.name] = models.IntegerField(null=True, db_column=f"c{len(attrs)}")
        return type(real.__name__, (models.Model,), attrs)


# -- what fields add to a class -------------------------------------------------


@cache
def _empty_attributes(app_label: str) -> frozenset[str]:
    return frozenset(vars(_scratch(app_label, {})))


def _scratch(app_label: str, attrs: dict[str, Any]) -> type:
    # Abstract: never registered anywhere, relations stay unresolved.
    meta = type("Meta", (), {"abstract": True, "app_label": app_label})
    return type("DynamoScratch", (models.Model,), {"__module__": __name__, "Meta": meta, **attrs})


def field_attributes(spec: ModelSpec, field: FieldSpec, target: Any) -> set[str]:
    """Every class attribute ``field`` adds (its name, ``<name>_id``, display methods…)."""
    return set(_attributes(field, spec.app_label, spec.table, target))


@lru_cache(maxsize=4096)
def _attributes(field: FieldSpec, app_label: str, table: str, target: str | None) -> frozenset:
    kind = get_kind(field.kind)
    kwargs: dict[str, Any] = {"related_name": "+"} if kind.is_relation else {}
    built = kind.build(field, target=target, table=table, **kwargs)
    cls = _scratch(app_label, {field.name: built})
    return frozenset(vars(cls)) - _empty_attributes(app_label)


def _own_attributes(
    spec: ModelSpec, lookup: Any
) -> tuple[dict[str, set[str]], dict[str, tuple[FieldSpec, str]]]:
    """Per field uid its attributes, and attribute → (field, attribute) of who adds it."""
    per_field: dict[str, set[str]] = {}
    owner: dict[str, tuple[FieldSpec, str]] = {}
    for f in spec.active_fields:
        target = target_reference(spec, f, lookup)[0] if get_kind(f.kind).is_relation else None
        added = field_attributes(spec, f, target)
        per_field[f.uid] = added
        for attr in sorted(added, key=lambda a: a != f.name):
            owner.setdefault(attr, (f, attr))
    return per_field, owner


def _field_clashes(spec: ModelSpec, lookup: Any, errors: dict[str, Errors]) -> None:
    reserved = model_api()
    seen: dict[str, FieldSpec] = {}
    for f in spec.active_fields:
        target = target_reference(spec, f, lookup)[0] if get_kind(f.kind).is_relation else None
        for attr in sorted(field_attributes(spec, f, target)):
            if attr in seen:
                other = seen[attr]
                what = f"'{attr}'" if attr != f.name else "this name"
                _add(
                    errors, f.uid, "name", f"{what} is also an attribute that '{other.name}' adds."
                )
            elif attr != f.name and attr in reserved:
                _add(errors, f.uid, "name", f"It would add '{attr}', which Django or Wagtail use.")
            seen.setdefault(attr, f)


def _add(errors: dict[str, Errors], uid: str, option: str, message: str) -> None:
    messages = errors.setdefault(uid, {}).setdefault(option, [])
    if message not in messages:
        messages.append(message)


# -- the check ------------------------------------------------------------------


def _link_signature(spec: ModelSpec) -> tuple[Any, ...]:
    """What of a type decides its reverse accessors on the types it links to."""
    relations = tuple(f for f in spec.active_fields if f.target)
    return (spec.name, spec.app_label, relations, parent_of(spec))


def _related(
    universe: dict[str, ModelSpec], new: ModelSpec, links: Links, old: ModelSpec | None
) -> set[str]:
    """Types whose classes the change touches: ``new``, its targets, who links there.

    Who else links to ``new``'s targets matters only for the reverse accessors ``new``
    puts on them: when those are as applied (no link, name or parent changed), only the
    types linking to ``new`` itself are built with it.
    """
    targets = {f.target_type_uid for f in new.active_fields if f.target_type_uid}
    statics = {f.target for f in new.active_fields if f.target and not f.target_type_uid}
    parent = parent_of(new)
    if parent is not None and parent["type"] in universe:
        targets.add(parent["type"])  # its items key on it: built whole (a ClusterableModel)
    result = {new.uid, *(t for t in targets if t in universe)}
    reached = targets | {new.uid}
    same = old is not None and old.is_active and _link_signature(old) == _link_signature(new)
    for key in {new.uid} if same else reached | statics:
        for uid in links.linking(key):
            spec = universe.get(uid)
            if spec is None or uid == new.uid:
                continue
            for f in spec.active_fields:
                if f.target_type_uid in reached or (
                    f.target in statics and f.option("related_name")
                ):
                    result.add(uid)
    return result


def _build(
    universe: dict[str, ModelSpec], uids: Iterable[str], apps: CheckApps, links: Links
) -> dict:
    def lookup(uid: str) -> tuple[str, str]:
        return universe[uid].name, universe[uid].table

    classes = {uid: build_model(universe[uid], lookup, apps=apps) for uid in sorted(uids)}
    stand_ins: dict[type, type] = {}
    while True:
        missing = [key for key in apps._pending_operations if not apps.has(*key)]
        added = False
        for app_label, model_name in missing:
            uid = links.by_name.get((app_label, model_name))
            if uid is not None and uid in universe:
                apps.add_stub(universe[uid])
                added = True
                continue
            try:
                real = global_apps.get_model(app_label, model_name)
            except LookupError:
                continue  # Django's check reports it (fields.E300)
            stand_ins[apps.add_stand_in(real)] = real
            added = True
        if not added:
            apps.close()
            return {"classes": classes, "stand_ins": stand_ins, "lookup": lookup}


def _dynamic_accessors(real: type[models.Model]) -> set[str]:
    """Accessors the installed generated classes put on a static model."""
    names: set[str] = set()
    for uid in registry.links.linking(real._meta.label_lower):
        model = registry.classes.get(uid)
        for f in model._meta.get_fields() if model is not None else ():
            remote = getattr(f, "remote_field", None)
            if f.auto_created or remote is None or remote.hidden:
                continue
            if remote.model is real:
                names.add(remote.get_accessor_name())
    return names


def _taken_on(target: type, built: dict, universe: dict[str, ModelSpec]) -> set[str]:
    """Names a reverse accessor may not take on ``target`` (a built class or stand-in)."""
    real = built["stand_ins"].get(target)
    if real is not None:
        return class_attributes(real) - _dynamic_accessors(real)
    for uid, model in built["classes"].items():
        if model is target:
            spec = universe[uid]
            names = set(model_api())
            for f in spec.active_fields:
                names |= _target_fields(spec, f, built["lookup"])
            return names
    return class_attributes(target)


def _target_fields(spec: ModelSpec, f: FieldSpec, lookup: Any) -> set[str]:
    target = target_reference(spec, f, lookup)[0] if get_kind(f.kind).is_relation else None
    return field_attributes(spec, f, target)


def _reverse_clashes(
    new: ModelSpec, universe: dict[str, ModelSpec], built: dict, errors: dict[str, Errors]
) -> None:
    own_class = built["classes"][new.uid]
    _per_field, owner = _own_attributes(new, built["lookup"])
    targets = {*built["classes"].values(), *built["stand_ins"]}
    for target in targets:
        taken: set[str] | None = None
        for rel in target._meta.related_objects:
            accessor = None if rel.hidden else rel.get_accessor_name()
            query = rel.field.related_query_name()
            source = rel.field.model
            if source is own_class and rel.field.name in {f.name for f in new.active_fields}:
                if taken is None:
                    taken = _taken_on(target, built, universe)
                uid = new.field_by_name(rel.field.name).uid  # type: ignore[union-attr]
                where = target._meta.object_name
                if accessor and accessor in taken:
                    _add(
                        errors,
                        uid,
                        "related_name",
                        f"The way back '{accessor}' would replace {where}.{accessor}: "
                        "choose another reverse name.",
                    )
                elif query in taken and not rel.hidden:
                    _add(
                        errors,
                        uid,
                        "related_name",
                        f"The reverse query name '{query}' is a field of {where}: "
                        "choose another reverse name.",
                    )
            elif target is own_class and source is not own_class:
                for name in (accessor, None if rel.hidden else query):
                    if name and name in owner:
                        f, _attr = owner[name]
                        _add(
                            errors,
                            f.uid,
                            "name",
                            f"'{name}' is the way back from "
                            f"{source._meta.object_name}.{rel.field.name} (a link to this "
                            "type): choose another name.",
                        )


def _link_names(links: Links, new: ModelSpec, errors: Errors) -> None:
    """Link models are named ``<Type>_<column>``: no type may be called like one."""
    owners = {u: n for u, n in links.link_names.get(new.name.lower(), {}).items() if u != new.uid}
    if owners:
        errors.setdefault("name", []).append(
            f"'{new.name}' is the name of a link model of {sorted(owners.values())[0]}."
        )


def _django_errors(
    new: ModelSpec, built: dict, errors: dict[str, Errors], type_errors: Errors
) -> None:
    own_class = built["classes"][new.uid]
    label = f"{new.app_label}.{new.name}".lower()
    names = {f.name: f for f in new.active_fields}
    for model in built["classes"].values():
        for message in model.check():
            if message.level < django_checks.ERROR:
                continue
            if message.id == "modelcluster.E001" and parent_of(new):
                # The items' key to their entry: its type is a ClusterableModel whenever
                # the group field is active, which the change applies first.
                continue
            text = f"{message.msg} ({message.id})"
            obj = message.obj
            field_name = getattr(obj, "name", None) if isinstance(obj, models.Field) else None
            if model is own_class and field_name in names:
                option = OPTION_OF_CHECK.get(message.id or "", "name")
                _add(errors, names[field_name].uid, option, text)
                continue
            quoted = re.findall(r"'([\w.]+)'", message.msg)
            if model is own_class and OPTION_OF_CHECK.get(message.id or "") == "unique_together":
                # A field's own "unique together" flag put it in the set.
                flagged = [names[n] for n in quoted if n in names and names[n].unique_together]
                if flagged:
                    _add(errors, flagged[0].uid, "unique_together", text)
                    continue
            mentioned = [
                n
                for n in quoted
                if n.lower().startswith(f"{label}.") or n.lower().startswith(f"{new.name}.".lower())
            ]
            fields = [names[n.split(".")[-1]] for n in mentioned if n.split(".")[-1] in names]
            if fields:
                _add(errors, fields[0].uid, "name", text)
            elif model is own_class or label in message.msg.lower():
                option = OPTION_OF_CHECK.get(message.id or "", "name")
                type_errors.setdefault(option, []).append(text)


def check_change(
    new: ModelSpec | None,
    others: dict[str, ModelSpec],
    links: Links | None = None,
    old: ModelSpec | None = None,
) -> None:
    """Refuse ``new`` (the desired spec of a type) if its class would break a class.

    ``others`` are the applied specs of the other types, ``links`` their indexes (made
    from ``others`` if not given; may hold ``new``'s applied spec too), ``old`` the
    type's applied spec if ``others`` lacks it. Raises DefinitionError.
    """
    if new is None or not new.is_active:
        return
    universe = dict(others)  # copied at C speed; a comprehension walked every type
    universe[new.uid] = new
    links = links.copy() if links is not None else Links.of(others.values())
    old = others.get(new.uid, old)
    if old is not None:
        links.remove(old)
    links.add(new)
    field_errors: dict[str, Errors] = {}
    type_errors: Errors = {}
    _link_names(links, new, type_errors)
    apps = CheckApps()
    built = _build(universe, _related(universe, new, links, old), apps, links)
    _field_clashes(new, built["lookup"], field_errors)
    _reverse_clashes(new, universe, built, field_errors)
    if not field_errors and not type_errors:
        _django_errors(new, built, field_errors, type_errors)
    if field_errors or type_errors:
        raise DefinitionError(type_errors, field_errors, {f.uid: f.name for f in new.fields})
