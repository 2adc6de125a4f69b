"""Spec → model class, with ``type()``. Pure: no database access.

Two shapes of class come out of a spec:

* the **runtime** class people use: attributes named as the editor named the
  fields, only active fields, registered in Django's app registry;
* the **physical** class the applier hands to the schema editor: every column the
  table has (fields in the trash and retired ones too), attributes named after the
  stable column names, built in a private :class:`PlanApps` registry so it never
  touches the global one.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.expressions import DatabaseDefault
from wagtail.api.conf import APIField

from . import conditions, constraints, mixins
from .conf import settings
from .kinds import get_kind
from .kinds.group import SORT_ORDER, parent_key, parent_of, revision_attrs
from .presentation import detail_context
from .spec import FieldSpec, ModelSpec

logger = logging.getLogger("dynamo_wagtail.templates")

#: Resolves a dynamic target uid to (class name, table) as the database has it.
TargetLookup = Callable[[str], tuple[str, str]]


class PlanApps(Apps):
    """A throw-away registry for physical classes.

    Static models are made visible under their own labels so relation fields
    resolve; dynamic targets get a stub (primary key and table only).
    """

    def __init__(self) -> None:
        super().__init__(installed_apps=[])
        for label in mixins.static_targets():
            self.add_static(label)

    def add_static(self, label_lower: str) -> None:
        model = global_apps.get_model(label_lower)
        self.all_models[model._meta.app_label][model._meta.model_name] = model

    def add_stub(self, app_label: str, name: str, table: str) -> None:
        if name.lower() in self.all_models[app_label]:
            return
        meta = type("Meta", (), {"app_label": app_label, "db_table": table, "apps": self})
        type(
            name,
            (models.Model,),
            {
                "__module__": settings.DYNAMO_DEFAULT_MODULE,
                "Meta": meta,
                "id": models.BigAutoField(primary_key=True),
            },
        )


def _str(self: models.Model) -> str:
    title = self.dynamo_spec.option("title_field")  # type: ignore[attr-defined]
    if title:
        value = getattr(self, title, None)
        if value not in (None, ""):
            return str(value)
    return f"{self._meta.verbose_name} {self.pk}"


def _preview_template(self: models.Model, request: Any, mode_name: str) -> list[str]:
    name = self._meta.model_name
    return [
        f"dynamo/{name}/preview.html",
        f"dynamo/{name}/detail.html",
        "dynamo/detail.html",
        "dynamo_wagtail/preview.html",
    ]


def _searchable_manager() -> models.Manager:
    """A manager whose querysets have ``.search()``, as Wagtail's pages do."""
    from wagtail.search.queryset import SearchableQuerySetMixin

    queryset = type("SearchableQuerySet", (SearchableQuerySetMixin, models.QuerySet), {})
    return models.Manager.from_queryset(queryset)()


def _index_entries() -> Any:
    """The relation to the database search backend's index rows (deleted with the entry)."""
    from modelsearch.abstract_models import TextIDGenericRelation
    from modelsearch.conf import get_app_config

    return TextIDGenericRelation(get_app_config().get_model("IndexEntry"))


def _preview_context(self: models.Model, request: Any, mode_name: str) -> dict[str, Any]:
    # A preview may use the detail templates: give them what {% dynamo_render %} gives.
    return {"object": self, "request": request, **detail_context(self, request)}


def _value(entry: models.Model, name: str) -> Any:
    """An entry's value; None for a column the database fills (a new entry's db_default)."""
    value = getattr(entry, name, None)
    return None if isinstance(value, DatabaseDefault) else value


def _clean_conditions(self: models.Model) -> None:
    """A required field shown on a condition must have a value while the condition holds."""
    models.Model.clean(self)  # the bases (Wagtail's mixins) define no clean() of their own
    errors: dict[str, list[str]] = {}
    for f in self.dynamo_spec.active_fields:  # type: ignore[attr-defined]
        condition = f.option(conditions.OPTION)
        if not condition or not f.required:
            continue
        shown = conditions.holds(condition, _value(self, condition["field"]))
        if shown and _value(self, f.name) in (None, "", [], ()):
            errors[f.name] = [str(models.Field.default_error_messages["blank"])]
    if errors:
        raise ValidationError(errors)


def _validate_constraints(self: models.Model, exclude: Any = None) -> None:
    """Django's check of the constraints, with a rule's message on its field's input (Django
    puts a rule over several fields on the form as a whole)."""
    try:
        models.Model.validate_constraints(self, exclude=exclude)
    except ValidationError as exc:
        on_field = type(self).dynamo_constraint_fields  # type: ignore[attr-defined]
        errors: dict[str, list[Any]] = {}
        for key, found in exc.error_dict.items():
            for error in found:
                name = on_field.get(error.code, key) if key == "__all__" else key
                errors.setdefault(name, []).append(error)
        raise ValidationError(errors) from None


def _search_fields(spec: ModelSpec) -> list[Any]:
    from wagtail.search import index

    names = spec.option("search_fields") or [
        f.name
        for f in spec.active_fields
        if get_kind(f.kind).is_string or get_kind(f.kind).searchable_text
    ]
    tagged = {f.name for f in spec.active_fields if get_kind(f.kind).owns_tables}
    result: list[Any] = []
    for name in names:
        if name in tagged:  # found by a tag's name
            result.append(index.RelatedFields(name, [index.SearchField("name")]))
            continue
        result += [index.SearchField(name), index.AutocompleteField(name)]
    return result


def _alias(type_name: str, old: str, new: str) -> property:
    """``entry.<old>`` after a rename: the value of ``new``, with a warning once."""
    warned: list[bool] = []

    def get(self: models.Model) -> Any:
        if not warned:
            warned.append(True)
            logger.warning(
                "%s.%s was renamed to %s: update templates and code that still use %r.",
                type_name,
                old,
                new,
                old,
            )
        return getattr(self, new)

    return property(get, doc=f"Former name of {new} (renamed).")


def aliases(spec: ModelSpec) -> dict[str, property]:
    """Former field names that no current field or attribute uses."""
    taken = {f.name for f in spec.active_fields}
    result: dict[str, property] = {}
    for f in spec.active_fields:
        for old in f.former_names:
            if old not in taken and old.isidentifier() and not hasattr(models.Model, old):
                result[old] = _alias(spec.name, old, f.name)
    return result


def target_reference(spec: ModelSpec, field: FieldSpec, lookup: TargetLookup) -> tuple[str, bool]:
    """("app_label.Model", is_dynamic) for a relation field."""
    uid = field.target_type_uid
    if uid is None:
        return field.target, False
    if uid == spec.uid:
        return f"{spec.app_label}.{spec.name}", True
    name, _table = lookup(uid)
    return f"{spec.app_label}.{name}", True


def reverse_names(spec: ModelSpec) -> dict[str, dict[str, str | None]]:
    """Reverse names toward dynamic targets, as Django names them.

    One link to a target keeps Django's defaults (``book_set`` / ``book``); several
    links to the same target are told apart by field (``match_home_set`` /
    ``match_home``).
    """
    targets = Counter(f.target for f in spec.active_fields if f.target_type_uid)
    base = spec.name.lower()
    names: dict[str, dict[str, str | None]] = {}
    for f in spec.active_fields:
        if not f.target_type_uid:
            continue
        if targets[f.target] == 1:
            names[f.uid] = {"related_name": None}
        else:
            query = f"{base}_{f.name}"
            accessor = query if f.kind == "one_to_one" else f"{query}_set"
            names[f.uid] = {"related_name": accessor, "related_query_name": query}
    return names


def build_model(
    spec: ModelSpec,
    lookup: TargetLookup,
    *,
    physical: bool = False,
    apps: Apps | None = None,
    bases: tuple[type, ...] | None = None,
    extra_attrs: dict[str, Any] | None = None,
) -> type[models.Model]:
    """The model class for ``spec`` (see the module docstring for the two shapes).

    Runtime classes inherit the Wagtail mixins the type switches on; physical
    classes get plain copies of the mixins' columns instead.
    """
    fields = spec.physical_fields if physical else spec.active_fields
    if bases is None:
        clustered = any(get_kind(f.kind).needs_cluster for f in spec.active_fields)
        bases = (models.Model,) if physical else mixins.bases(spec, clustered=clustered)
    meta_attrs: dict[str, Any] = {
        "app_label": spec.app_label,
        "db_table": spec.table,
        "verbose_name": spec.verbose_name or spec.name,
    }
    if spec.verbose_name_plural:
        meta_attrs["verbose_name_plural"] = spec.verbose_name_plural
    if apps is not None:
        meta_attrs["apps"] = apps
    together = mixins.unique_together(spec)
    if physical:
        together += [spec.unique_together] if spec.unique_together else []
    else:
        names = tuple(f.name for f in fields if f.unique_together)
        together += [names] if names else []
    if together:
        meta_attrs["unique_together"] = together
    parent = parent_of(spec)
    if parent:
        meta_attrs["ordering"] = [SORT_ORDER]  # the items of a group, in their order
    elif not physical and spec.option("ordering"):
        meta_attrs["ordering"] = spec.option("ordering")
    rules = constraints.build(spec, physical=physical)
    if rules:
        meta_attrs["constraints"] = rules

    attrs: dict[str, Any] = {
        "__module__": settings.DYNAMO_DEFAULT_MODULE,
        "Meta": type("Meta", (), meta_attrs),
        "id": models.BigAutoField(primary_key=True),
        "dynamo_spec": spec,
        "__str__": _str,
    }
    if parent:
        owner_name, owner_table = lookup(parent["type"])
        owner = f"{spec.app_label}.{owner_name}"
        if physical and isinstance(apps, PlanApps):
            apps.add_stub(spec.app_label, owner_name, owner_table)
        attrs.update(parent_key(spec, owner, physical=physical))
    if physical:
        attrs.update(mixins.columns(spec))
    else:
        attrs.update(aliases(spec))
        # Wagtail's API convention: every active field is read and written through it.
        attrs["api_fields"] = [APIField(f.name, writable=True) for f in spec.active_fields]
        if spec.option("preview"):
            attrs["get_preview_template"] = _preview_template
            attrs["get_preview_context"] = _preview_context
        attrs.update(revision_attrs([f.name for f in spec.active_fields if f.kind == "group"]))
        if any(f.required and not f.db_required for f in spec.active_fields):
            attrs["clean"] = _clean_conditions
        if rules:
            attrs["dynamo_constraint_fields"] = constraints.field_of(spec)
            attrs["validate_constraints"] = _validate_constraints
        if spec.option("search_index"):
            attrs["search_fields"] = _search_fields(spec)
            attrs["objects"] = _searchable_manager()
            attrs["index_entries"] = _index_entries()
    reverse = reverse_names(spec)
    owned: dict[str, list[type[models.Model]]] = {}
    for f in fields:
        kind = get_kind(f.kind)
        target: Any = None
        kwargs: dict[str, Any] = {}
        if not kind.has_column:
            continue  # a group: its items' table keys on this one
        if kind.owns_tables:
            # Its own models first (a tags field's vocabulary and link): the field goes
            # through the last of them.
            name = f.column if physical else f.name
            owned[name] = kind.companions(spec, f, apps=apps, physical=physical)
            target = owned[name][-1]
        elif kind.is_relation:
            target, dynamic = target_reference(spec, f, lookup)
            if physical and dynamic and apps is not None and isinstance(apps, PlanApps):
                uid = f.target_type_uid
                if uid != spec.uid:
                    name, table = lookup(uid)  # type: ignore[arg-type]
                    apps.add_stub(spec.app_label, name, table)
            elif physical and isinstance(apps, PlanApps):
                apps.add_static(target)
            kwargs.update(reverse.get(f.uid, {"related_name": "+"}))
        attrs[f.column if physical else f.name] = kind.build(
            f, target=target, physical=physical, table=spec.table, **kwargs
        )
    attrs["dynamo_owned_models"] = owned
    if extra_attrs:
        attrs.update(extra_attrs)
    return type(spec.name, bases, attrs)


def owned_models(model: type[models.Model], field: models.Field) -> list[type[models.Model]]:
    """The tables a many-to-many field of a built class owns, in creation order: a plain
    link's auto-created model, or the models of a kind with tables of its own."""
    own = getattr(model, "dynamo_owned_models", {}).get(field.name)
    if own:
        return list(own)
    through = field.remote_field.through  # type: ignore[union-attr]
    return [through] if through is not None and through._meta.auto_created else []
