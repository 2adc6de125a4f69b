"""The Python API: define, change, inspect and move content types from code.

Every function runs the same pipeline as the admin and ORM saves. Functions that
change a definition take ``confirm`` (needed for destructive plans),
``dry_run`` (plan only, nothing written) and ``expected_version`` (refuse with
:class:`~dynamo_wagtail.pipeline.Conflict` if the type changed meanwhile), and
return the :class:`~dynamo_wagtail.schema.planner.Plan` they ran.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, overload

from django.db import DEFAULT_DB_ALIAS, models
from django.utils import timezone

from . import pipeline, sync
from .errors import ConfirmationRequired, Conflict, DefinitionError
from .kinds import RELATION, all_kinds
from .models import MetaField, MetaModel
from .registry import registry
from .schema.planner import Plan
from .transfer import export_schema as _export
from .transfer import import_schema as _import

__all__ = [
    "ConfirmationRequired",
    "Conflict",
    "DefinitionError",
    "Plan",
    "add_field",
    "alter_field",
    "alter_type",
    "apply",
    "create_type",
    "delete_type",
    "empty_trash",
    "export_schema",
    "get_model",
    "get_type",
    "import_schema",
    "plan",
    "remove_field",
    "rename_field",
    "rename_type",
    "restore_field",
    "restore_type",
]

TypeRef = MetaModel | str | uuid.UUID

FIELD_ATTRS = (
    "verbose_name",
    "related_model",
    "description",
    "order",
    "unique_together",
    "unique",
    "help",
    "choices",
    "default",
    "required",
    "indexed",
    "options",
)


def get_type(ref: TypeRef, *, using: str = DEFAULT_DB_ALIAS) -> MetaModel:
    """A MetaModel by instance, name (case-insensitive) or stable id."""
    if isinstance(ref, MetaModel):
        return MetaModel.objects.using(using).get(pk=ref.pk)
    qs = MetaModel.objects.using(using)
    if isinstance(ref, uuid.UUID):
        return qs.get(uid=ref)
    try:
        return qs.get(uid=uuid.UUID(str(ref)))
    except (ValueError, MetaModel.DoesNotExist):
        return qs.get(name_key=str(ref).lower())


def get_model(name: str, *, using: str = DEFAULT_DB_ALIAS) -> type[models.Model]:
    """The generated model class of a type, current in this process."""
    sync.ensure_current(using)
    model = registry.by_name(name)
    if model is None and sync.ensure_current(using, force=True):
        model = registry.by_name(name)
    if model is None:
        raise LookupError(f"There is no content type called {name!r}.")
    return model


@contextmanager
def _changing(
    meta_model: MetaModel | None,
    *,
    confirm: bool = False,
    dry_run: bool = False,
    expected_version: int | None = None,
    using: str = DEFAULT_DB_ALIAS,
    user: Any = None,
) -> Iterator[tuple[pipeline.Session, Any]]:
    """The change options every changing function takes; an unknown one is a TypeError.

    Yields the session and the type's row read under its lock: changes are made to
    that row, so two calls without ``expected_version`` run one after the other and
    both apply; with it, the later one is a :class:`Conflict`.
    """
    with pipeline.change(using=using, confirm=confirm, dry_run=dry_run) as session:
        current = None
        if meta_model is not None:
            current = MetaModel.objects.using(using).select_for_update().get(pk=meta_model.pk)
            if expected_version is not None and current.schema_version != expected_version:
                raise Conflict(current)
            if user is not None:
                MetaModel.objects.using(using).filter(pk=meta_model.pk).update(
                    updated_by=user, updated_at=timezone.now()
                )
                current.updated_by, current.updated_at = user, timezone.now()
        yield session, current


def _result(session: pipeline.Session) -> Plan:
    return session.plans[-1] if session.plans else Plan(None, None)


def _new_field(meta_model: MetaModel, name: str, kind: str, attrs: dict[str, Any]) -> MetaField:
    unknown = set(attrs) - set(FIELD_ATTRS) - {"uid"}
    if unknown:
        raise TypeError(f"Unknown field attributes: {', '.join(sorted(unknown))}")
    field = MetaField(meta_model=meta_model, name=name, type=kind, **attrs)
    if "order" not in attrs:
        last = meta_model.fields.aggregate(models.Max("order"))["order__max"]
        field.order = 0 if last is None else last + 1
    return field


def create_type(
    name: str,
    fields: Iterable[dict[str, Any]] = (),
    *,
    dry_run: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    user: Any = None,
    **options: Any,
) -> MetaModel:
    """Define a new type with its fields and create its table.

    ``fields`` are dicts with ``name``, ``kind`` (or django-dynamo's ``type``) and
    any MetaField attribute; ``options`` are MetaModel attributes.
    """
    with pipeline.change(using=using, dry_run=dry_run):
        meta_model = MetaModel(name=name, updated_by=user, **options)
        meta_model.save(using=using)
        for order, spec in enumerate(fields):
            spec = dict(spec)
            field_name = spec.pop("name")
            if "kind" not in spec and "type" not in spec:
                raise TypeError(f"Field {field_name!r} needs a 'kind'.")
            kind = spec.pop("kind") if "kind" in spec else spec.pop("type")
            spec.setdefault("order", order)
            _new_field(meta_model, field_name, kind, spec).save(using=using)
    return meta_model


def alter_type(
    ref: TypeRef,
    *,
    confirm: bool = False,
    dry_run: bool = False,
    expected_version: int | None = None,
    using: str = DEFAULT_DB_ALIAS,
    user: Any = None,
    **options: Any,
) -> Plan:
    """Change options of a type (labels, admin options, switches)."""
    meta_model = get_type(ref, using=using)
    with _changing(
        meta_model,
        confirm=confirm,
        dry_run=dry_run,
        expected_version=expected_version,
        using=using,
        user=user,
    ) as (session, meta_model):
        for key, value in options.items():
            if key in (
                "uid",
                "table",
                "applied_spec",
                "schema_version",
                "revision",
                "trashed_at",
            ) or not hasattr(meta_model, key):
                raise TypeError(f"Unknown type option {key!r}")
            setattr(meta_model, key, value)
        meta_model.save(using=using)
    return _result(session)


def _relation_kinds() -> list[str]:
    return [kind.name for kind in all_kinds() if kind.in_group(RELATION)]


def rename_type(ref: TypeRef, new_name: str, **kwargs: Any) -> Plan:
    """Rename a type: same table, same content type row, every entry kept.

    ``kwargs`` are the change options (confirm, dry_run, expected_version, using, user).
    """
    using = kwargs.get("using", DEFAULT_DB_ALIAS)
    old = get_type(ref, using=using)
    old_name = old.name
    with _changing(old, **kwargs) as (session, old):
        old.name = new_name
        old.save(using=using)
        # Relation fields name their target: follow the rename.
        # (The relation kinds first: the kind is indexed, a target's name is not.)
        relations = MetaField.objects.using(using).filter(type__in=_relation_kinds())
        for field in relations.filter(related_model__iexact=old_name):
            field.related_model = new_name
            field.save(using=using)
    return _result(session)


def _field(meta_model: MetaModel, name: str, *, trashed: bool = False) -> MetaField:
    qs = meta_model.fields.filter(trashed_at__isnull=not trashed)
    try:
        return qs.get(name=name)
    except MetaField.DoesNotExist:
        try:
            return qs.get(uid=uuid.UUID(str(name)))
        except (ValueError, MetaField.DoesNotExist):
            where = "in the trash of" if trashed else "on"
            raise LookupError(f"There is no field {name!r} {where} {meta_model.name}.") from None


def add_field(
    ref: TypeRef,
    name: str,
    kind: str,
    *,
    confirm: bool = False,
    dry_run: bool = False,
    expected_version: int | None = None,
    using: str = DEFAULT_DB_ALIAS,
    user: Any = None,
    **attrs: Any,
) -> Plan:
    """Add a field (``kind`` is a kind name such as "char" or "integer")."""
    meta_model = get_type(ref, using=using)
    with _changing(
        meta_model,
        confirm=confirm,
        dry_run=dry_run,
        expected_version=expected_version,
        using=using,
        user=user,
    ) as (session, meta_model):
        _new_field(meta_model, name, kind, attrs).save(using=using)
    return _result(session)


def alter_field(
    ref: TypeRef,
    field_name: str,
    /,
    *,
    confirm: bool = False,
    dry_run: bool = False,
    expected_version: int | None = None,
    using: str = DEFAULT_DB_ALIAS,
    user: Any = None,
    **changes: Any,
) -> Plan:
    """Change a field: its kind (``kind=``/``type=``), name or any option."""
    meta_model = get_type(ref, using=using)
    with _changing(
        meta_model,
        confirm=confirm,
        dry_run=dry_run,
        expected_version=expected_version,
        using=using,
        user=user,
    ) as (session, meta_model):
        field = _field(meta_model, field_name)
        if "kind" in changes:
            changes["type"] = changes.pop("kind")
        for key, value in changes.items():
            if key not in (*FIELD_ATTRS, "name", "type"):
                raise TypeError(f"Unknown field attribute {key!r}")
            setattr(field, key, value)
        field.save(using=using)
    return _result(session)


def rename_field(ref: TypeRef, old_name: str, new_name: str, **kwargs: Any) -> Plan:
    """Rename a field; its column and every value stay."""
    return alter_field(ref, old_name, name=new_name, **kwargs)


def _set_trashed(ref: TypeRef, name: str | None, trashed: bool, **kwargs: Any) -> Plan:
    using = kwargs.get("using", DEFAULT_DB_ALIAS)
    meta_model = get_type(ref, using=using)
    with _changing(meta_model, **kwargs) as (session, meta_model):
        stamp = timezone.now() if trashed else None
        if name is None:
            MetaModel.objects.using(using).filter(pk=meta_model.pk).update(trashed_at=stamp)
        else:
            field = _field(meta_model, name, trashed=not trashed)
            MetaField.objects.using(using).filter(pk=field.pk).update(trashed_at=stamp)
        session.touch(meta_model)
    return _result(session)


def remove_field(ref: TypeRef, name: str, **kwargs: Any) -> Plan:
    """Move a field to the trash: hidden everywhere, its values kept, restorable."""
    return _set_trashed(ref, name, True, **kwargs)


def restore_field(ref: TypeRef, name: str, **kwargs: Any) -> Plan:
    """Bring a field back from the trash with its values."""
    return _set_trashed(ref, name, False, **kwargs)


def delete_type(ref: TypeRef, **kwargs: Any) -> Plan:
    """Move a type to the trash: hidden from the admin, its table and entries kept."""
    return _set_trashed(ref, None, True, **kwargs)


def restore_type(ref: TypeRef, **kwargs: Any) -> Plan:
    """Bring a type back from the trash."""
    return _set_trashed(ref, None, False, **kwargs)


def empty_trash(
    ref: TypeRef,
    *,
    confirm: bool = False,
    dry_run: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    user: Any = None,
) -> Plan:
    """Delete for good what ``ref`` has in the trash (the type itself if trashed).

    Columns and tables are dropped where ``DYNAMO_DELETE_COLUMNS`` /
    ``DYNAMO_DELETE_TABLES`` allow; otherwise they are kept and reported retired.
    This loses data: it needs ``confirm=True``.
    """
    meta_model = get_type(ref, using=using)
    with _changing(
        meta_model, confirm=confirm, dry_run=dry_run, expected_version=None, using=using, user=user
    ) as (session, meta_model):
        if meta_model.trashed_at is not None:
            session.touch(meta_model, purge=True)
        else:
            MetaField.objects.using(using).filter(
                meta_model=meta_model, trashed_at__isnull=False
            ).remove_rows()
            session.touch(meta_model)
    return _result(session)


def apply(ref: TypeRef, *, confirm: bool = False, using: str = DEFAULT_DB_ALIAS) -> Plan:
    """Apply whatever the definition and the database differ in (finishes an interrupted
    change on MariaDB/MySQL)."""
    return pipeline.apply(get_type(ref, using=using), confirm=confirm, using=using)


@overload
def plan(ref: None = None, *, using: str = DEFAULT_DB_ALIAS) -> list[Plan]: ...


@overload
def plan(ref: TypeRef, *, using: str = DEFAULT_DB_ALIAS) -> Plan: ...


def plan(ref: TypeRef | None = None, *, using: str = DEFAULT_DB_ALIAS) -> Plan | list[Plan]:
    """Dry run: what applying would do now (for one type, or a list for all)."""
    if ref is None:
        return [
            plan(m, using=using) for m in MetaModel.objects.using(using).all() if not _is_retired(m)
        ]
    return pipeline.apply(get_type(ref, using=using), dry_run=True, using=using)


def _is_retired(meta_model: MetaModel) -> bool:
    spec = meta_model.applied_spec
    if not spec:
        return False
    return spec.get("state") == "retired"


def export_schema(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Every definition as JSON-ready data with stable ids."""
    return _export(using=using)


def import_schema(
    data: dict[str, Any],
    *,
    dry_run: bool = False,
    confirm: bool = False,
    using: str = DEFAULT_DB_ALIAS,
) -> list[Plan]:
    """Create or update types from exported data; importing twice changes nothing."""
    return _import(data, dry_run=dry_run, confirm=confirm, using=using)
