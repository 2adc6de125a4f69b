"""The applier: the only module that runs DDL.

Every operation goes through Django's schema editor with physical classes (see
:mod:`dynamo_wagtail.factory`) for the state before and after it. Operations are
written to be safe to run again after a failure half-way (a table or column that
is already there, or already gone, is taken as done): that is how a rerun
finishes a plan on MariaDB/MySQL, where DDL commits itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import NotSupportedError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from .. import mixins
from ..factory import PlanApps, TargetLookup, build_model
from ..fields import clone_field, has_db_default
from ..kinds import get_kind
from ..spec import FieldSpec, ModelSpec
from . import operations as ops
from .impact import physical_model

#: Rows read and written per step of a conversion.
CHUNK = 5000


@dataclass
class Context:
    """Applied specs of the other types, for relation targets and link tables."""

    others: dict[str, ModelSpec] = field(default_factory=dict)

    def lookup(self, current: ModelSpec) -> TargetLookup:
        def find(uid: str) -> tuple[str, str]:
            spec = current if uid == current.uid else self.others[uid]
            return spec.name, spec.table

        return find

    def model(self, spec: ModelSpec) -> type[models.Model]:
        return physical_model(spec, self.lookup(spec))


@contextmanager
def atomic_editor(connection: BaseDatabaseWrapper) -> Iterator[BaseDatabaseSchemaEditor]:
    """A schema editor inside one transaction that always ends cleanly.

    Django's ``schema_editor(atomic=True)`` runs its deferred SQL (indexes, foreign
    keys, unique constraints) at exit, *inside* its atomic block but outside any
    error handling: when that SQL fails, the block is never left and the connection
    stays in a broken transaction. On SQLite its exit checks foreign keys first,
    which raises ``TransactionManagementError`` over the real error in a transaction
    marked for rollback, and again leaves the block open. Here the transaction is
    ours: the caller runs :func:`flush` before recording what was applied, and any
    error rolls everything back, leaves the atomic block and propagates unchanged.
    """
    sqlite = connection.vendor == "sqlite"
    if sqlite and not connection.disable_constraint_checking():
        raise NotSupportedError(
            "On SQLite, schema changes cannot run inside transaction.atomic(): "
            "SQLite cannot switch off foreign key checks in a transaction."
        )
    try:
        with transaction.atomic(using=connection.alias):
            editor = connection.schema_editor(atomic=False)
            editor.deferred_sql = []
            yield editor
            flush(editor)
            if sqlite:
                connection.check_constraints()
    finally:
        if sqlite:
            connection.enable_constraint_checking()


def flush(editor: BaseDatabaseSchemaEditor) -> None:
    """Run the SQL the schema editor deferred (indexes, foreign keys, unique) now."""
    while editor.deferred_sql:
        editor.execute(editor.deferred_sql.pop(0), None)


def _tables(editor: BaseDatabaseSchemaEditor) -> set[str]:
    with editor.connection.cursor() as cursor:
        return set(editor.connection.introspection.table_names(cursor))


def _columns(editor: BaseDatabaseSchemaEditor, table: str) -> set[str]:
    with editor.connection.cursor() as cursor:
        description = editor.connection.introspection.get_table_description(cursor, table)
    return {c.name for c in description}


def _field(model: type[models.Model], spec: FieldSpec) -> models.Field:
    field = model._meta.get_field(spec.column)
    assert isinstance(field, models.Field)  # a spec's column is a concrete field
    return field


def _link_model(field: models.Field) -> type[models.Model]:
    """The link model of a built many-to-many field (made when it joined its class)."""
    rel = field.remote_field
    assert isinstance(rel, models.ManyToManyRel) and rel.through is not None
    return rel.through


def apply_operation(
    editor: BaseDatabaseSchemaEditor,
    op: ops.Operation,
    before: ModelSpec | None,
    after: ModelSpec | None,
    context: Context,
) -> None:
    """Run the DDL (and data copy) of one operation."""
    handler: Callable[..., None] = HANDLERS.get(type(op), _no_ddl)
    handler(editor, op, before, after, context)


def _no_ddl(*args: Any) -> None:
    """Labels, options, renames of fields and the trash of types change no table."""


def _create_type(editor, op: ops.CreateType, before, after: ModelSpec, context) -> None:
    model = context.model(after)
    tables = _tables(editor)
    if model._meta.db_table not in tables:
        editor.create_model(model)
        return
    for m2m in model._meta.local_many_to_many:
        through = m2m.remote_field.through
        if through._meta.db_table not in tables:
            editor.create_model(through)


def _rename_link_columns(editor, model_before, model_after) -> None:
    """Link tables name their columns after the models: follow a type rename."""
    after_fields = {f.name: f for f in model_after._meta.local_many_to_many}
    for m2m in model_before._meta.local_many_to_many:
        through_before = m2m.remote_field.through
        through_after = after_fields[m2m.name].remote_field.through
        old_fks = [f for f in through_before._meta.local_fields if f.is_relation]
        new_fks = [f for f in through_after._meta.local_fields if f.is_relation]
        columns = [f.column for f in old_fks]
        for index, (old_fk, new_fk) in enumerate(zip(old_fks, new_fks, strict=True)):
            if old_fk.column == new_fk.column:
                continue
            # A self link renames both of its columns: the second rename starts from a
            # table that has the first one (SQLite rebuilds the table from this model).
            stage = _link_stage(through_before, columns)
            editor.alter_field(stage, stage._meta.get_field(old_fk.name), new_fk)
            columns[index] = new_fk.column


def _link_stage(through: type[models.Model], columns: list[str]) -> type[models.Model]:
    """The link model ``through`` with its two key columns named ``columns``."""
    fks = [f for f in through._meta.local_fields if f.is_relation]
    attrs: dict[str, Any] = {"__module__": through.__module__, "id": clone_field(through._meta.pk)}
    for fk, column in zip(fks, columns, strict=True):
        assert fk.remote_field is not None  # a relation
        attrs[fk.name] = models.ForeignKey(
            fk.remote_field.model, on_delete=models.CASCADE, db_column=column, related_name="+"
        )
    meta = through._meta
    attrs["Meta"] = type(
        "Meta",
        (),
        {
            "app_label": meta.app_label,
            "db_table": meta.db_table,
            "apps": meta.apps,
            "unique_together": [tuple(fk.name for fk in fks)],
        },
    )
    return type(f"{through.__name__}Stage{'_'.join(columns)}", (models.Model,), attrs)


def _rename_type(editor, op: ops.RenameType, before: ModelSpec, after: ModelSpec, context) -> None:
    _rename_link_columns(editor, context.model(before), context.model(after))
    for other in context.others.values():
        links = [
            f for f in other.fields if f.target_type_uid == before.uid and f.kind == "many_to_many"
        ]
        if not links:
            continue
        old_ctx = Context({**context.others, before.uid: before})
        new_ctx = Context({**context.others, after.uid: after})
        _rename_link_columns(editor, old_ctx.model(other), new_ctx.model(other))


def _delete_type(editor, op: ops.DeleteType, before: ModelSpec, after, context) -> None:
    if op.drop_table and before.table in _tables(editor):
        editor.delete_model(context.model(before))


def _add_field(editor, op: ops.AddField, before: ModelSpec, after: ModelSpec, context) -> None:
    new_field = _field(context.model(after), op.field)
    if new_field.many_to_many:
        if _link_model(new_field)._meta.db_table in _tables(editor):
            return
    elif op.field.column in _columns(editor, before.table):
        return
    editor.add_field(context.model(before), new_field)


def _empty_value(field: models.Field) -> Any:
    """What a NOT NULL column holds for "no value": its default, or "" for text."""
    if field.has_default():
        return field.get_default()
    if field.empty_strings_allowed and field.blank:
        return ""
    return None


def _check_now(model: type[models.Model]) -> None:
    """Run the foreign key checks that row updates have queued, now.

    PostgreSQL defers them to the commit (Django's foreign keys are DEFERRABLE INITIALLY
    DEFERRED) and refuses an ALTER TABLE of a table with checks pending. Django's own
    update-with-default ends the same way.
    """
    connection = connections[model._default_manager.db]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _fill_nulls(model: type[models.Model], old_field: models.Field, new_field: models.Field):
    """NULL → NOT NULL (a field back from the trash): give existing NULLs a value first."""
    if not old_field.null or new_field.null or new_field.many_to_many:
        return
    value = _empty_value(new_field)
    if value is not None:  # required fields without default were refused by the checks
        model._default_manager.filter(**{f"{old_field.name}__isnull": True}).update(
            **{old_field.name: value}
        )
        _check_now(model)


def _found(editor: BaseDatabaseSchemaEditor, field: models.Field) -> dict[str, bool]:
    """The index, unique and foreign key constraints the table really has on ``field``."""
    connection = editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, field.model._meta.db_table)
    single = [c for c in constraints.values() if c["columns"] == [field.column]]
    found = {
        "unique": any(c["unique"] and not c["primary_key"] for c in single),
        "db_index": any(c["index"] and not c["unique"] for c in single),
    }
    if field.is_relation and connection.features.supports_foreign_keys:
        found["db_constraint"] = any(c["foreign_key"] for c in single)
    return found


def _as_found(spec: ModelSpec, context: Context, field: models.Field, found: dict) -> Any:
    """The physical class of ``spec`` with ``field`` as the table has it."""
    kwargs = field.deconstruct()[3]
    kwargs.update(found)
    return _staged_model(spec, context, {field.name: field.__class__(**kwargs)})


def _alter_field(editor, op: ops.FieldOperation, before: ModelSpec, after: ModelSpec, context):
    old_model = context.model(before)
    old_field = old_model._meta.get_field(op.field.column)
    if not editor.connection.features.can_rollback_ddl and not old_field.many_to_many:
        # A rerun after a failure: start from the indexes the table has, not the spec's.
        old_model = _as_found(before, context, old_field, _found(editor, old_field))
        old_field = old_model._meta.get_field(op.field.column)
    new_field = _field(context.model(after), op.field)
    _fill_nulls(old_model, old_field, new_field)
    if (
        not editor.connection.features.can_rollback_ddl
        and has_db_default(old_field)
        and not has_db_default(new_field)
        and new_field.null
    ):
        # Each statement commits on its own here: accept NULL before the default goes,
        # so inserts that leave the column out never meet NOT NULL without a default.
        kwargs = new_field.deconstruct()[3]
        kwargs["db_default"] = old_field.db_default
        staged = _staged_model(after, context, {new_field.name: new_field.__class__(**kwargs)})
        middle = staged._meta.get_field(new_field.name)
        editor.alter_field(old_model, old_field, middle)
        old_model, old_field = staged, middle
    editor.alter_field(old_model, old_field, new_field)
    _replace_check(editor, old_model, old_field, new_field)


def _replace_check(editor, model, old_field: models.Field, new_field: models.Field) -> None:
    """A changed range rule changes the column's database check.

    Django's ``alter_field`` compares only the check a column type has of its own (a
    positive integer's ``>= 0``), not ``db_check()``; SQLite rebuilds the table from the
    new field, which has the new check already.
    """
    connection = editor.connection
    old_check, new_check = old_field.db_check(connection), new_field.db_check(connection)
    if old_check == new_check or connection.vendor == "sqlite":
        return
    table = model._meta.db_table
    if connection.vendor == "mysql":
        # MariaDB keeps a column's check with the column: restating the column replaces it
        # (its unique and index constraints are separate and stay).
        name, path, args, kwargs = new_field.deconstruct()
        kwargs.update(unique=False, db_index=False, primary_key=False)
        bare = new_field.__class__(*args, **kwargs)
        bare.set_attributes_from_name(new_field.name)
        definition, params = editor.column_sql(model, bare)
        quote = editor.quote_name
        editor.execute(
            f"ALTER TABLE {quote(table)} MODIFY {quote(new_field.column)} {definition}", params
        )
        return
    for name in editor._constraint_names(model, [old_field.column], check=True):
        editor.execute(editor._delete_check_sql(model, name))
    if new_check:
        name = editor._create_index_name(table, [new_field.column], suffix="_check")
        editor.execute(editor._create_check_sql(model, name, new_check))


def _remove_field(editor, op: ops.RemoveField, before: ModelSpec, after, context) -> None:
    if not op.drop_column:
        return
    model = context.model(before)
    old_field = _field(model, op.field)
    if old_field.many_to_many:
        if _link_model(old_field)._meta.db_table not in _tables(editor):
            return
    elif op.field.column not in _columns(editor, before.table):
        return
    editor.remove_field(model, old_field)


def _alter_unique_together(editor, op: ops.AlterUniqueTogether, before: ModelSpec, after, context):
    def columns(uids: tuple[str, ...]) -> list[tuple[str, ...]]:
        cols = tuple(f.column for f in before.fields if f.uid in uids)
        return [cols] if cols else []

    editor.alter_unique_together(context.model(before), columns(op.old_uids), columns(op.new_uids))


def _convert_field(editor, op: ops.ConvertField, before: ModelSpec, after: ModelSpec, context):
    """Add a column of the new kind, copy converted values, drop the old, rename."""
    old, new = op.old, op.field
    temp = replace(
        new,
        uid=f"{new.uid}-new",
        column=f"{old.column}_new",
        required=False,
        unique=False,
        indexed=False,
        unique_together=False,
        default="",
    )
    with_temp = replace(before, fields=(*before.fields, temp))
    columns = _columns(editor, before.table)
    if old.column in columns:
        if temp.column in columns:
            editor.remove_field(context.model(with_temp), _field(context.model(with_temp), temp))
        editor.add_field(context.model(before), _field(context.model(with_temp), temp))
        _copy_converted(context.model(with_temp), old, temp, get_kind(new.kind), new)
        model = context.model(with_temp)
        editor.remove_field(model, _field(model, old))
    only_temp = replace(with_temp, fields=tuple(f for f in with_temp.fields if f.uid != old.uid))
    mid_model = context.model(only_temp)
    editor.alter_field(mid_model, _field(mid_model, temp), _field(context.model(after), new))


def _copy_converted(model, old: FieldSpec, temp: FieldSpec, kind, new: FieldSpec) -> None:
    """Write each row's converted value into the new column, a chunk of rows at a time.

    One parametrised UPDATE per row, sent with ``executemany``: the ORM's bulk_update
    builds a CASE expression per row in Python and cost most of a conversion's time.
    Names are the generated table and column names, quoted by the backend.
    """
    connection = connections[model._default_manager.db]
    quote = connection.ops.quote_name
    target = model._meta.get_field(temp.column)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {quote(target.column)} = %s "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    rows = model._default_manager.exclude(**{f"{old.column}__isnull": True}).order_by("pk")
    last = None
    while True:
        chunk = rows if last is None else rows.filter(pk__gt=last)
        pairs = list(chunk.values_list("pk", old.column)[:CHUNK])
        if not pairs:
            _check_now(model)
            return
        params = [
            (target.get_db_prep_save(kind.convert(value, new), connection), pk)
            for pk, value in pairs
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
        last = pairs[-1][0]


def _staged_model(before: ModelSpec, context: Context, extra: dict[str, models.Field]):
    fields = {name: clone_field(field) for name, field in extra.items()}
    return build_model(
        before, context.lookup(before), physical=True, apps=PlanApps(), extra_attrs=fields
    )


def _fill(model: type[models.Model], name: str, final: models.Field) -> None:
    """Give existing rows the value a new feature column starts with."""
    manager = model._default_manager
    empty = manager.filter(**{f"{name}__isnull": True})
    if name == "translation_key":
        import uuid

        for pk in empty.values_list("pk", flat=True).iterator():
            manager.filter(pk=pk).update(translation_key=uuid.uuid4())
    elif name == "locale":
        from django.conf import settings as django_settings
        from wagtail.coreutils import get_supported_content_language_variant
        from wagtail.models import Locale

        language = get_supported_content_language_variant(django_settings.LANGUAGE_CODE)
        locale, _created = Locale.objects.get_or_create(language_code=language)
        empty.update(locale=locale.pk)
    elif final.has_default():
        empty.update(**{name: final.get_default()})
    _check_now(model)


def _without(spec: ModelSpec, key: str) -> ModelSpec:
    return replace(spec, options=tuple(o for o in spec.options if o[0] != key))


def _add_feature(editor, op: ops.AddFeature, before: ModelSpec, after: ModelSpec, context):
    """Nullable columns first, then existing rows filled, then the real constraints."""
    new_columns = mixins.columns(after, keys=(op.key,))
    existing = _columns(editor, before.table)
    staged: dict[str, models.Field] = {}
    for name, final in new_columns.items():
        kwargs = final.deconstruct()[3]
        kwargs["null"] = True
        kwargs.pop("default", None)
        previous = _staged_model(before, context, staged)
        staged[name] = final.__class__(**kwargs)
        field = _staged_model(before, context, staged)._meta.get_field(name)
        if field.column not in existing:
            editor.add_field(previous, field)
    current = _staged_model(before, context, staged)
    for name, final in new_columns.items():
        _fill(current, name, final)
    after_model = context.model(after)
    for name in new_columns:
        tight = after_model._meta.get_field(name)
        if not tight.null:
            current = _staged_model(before, context, staged)
            editor.alter_field(current, current._meta.get_field(name), tight)
            staged[name] = tight
    if op.key == "translation":
        current = _staged_model(before, context, staged)
        editor.alter_unique_together(current, [], mixins.unique_together(after))


def _remove_feature(editor, op: ops.RemoveFeature, before: ModelSpec, after, context):
    """Drop the feature's columns one at a time (SQLite rebuilds from the model)."""
    remaining = dict(mixins.columns(before, keys=(op.key,)))
    base = _without(before, op.key)
    model = _staged_model(base, context, remaining)
    if op.key == "translation":
        editor.alter_unique_together(model, mixins.unique_together(before), [])
    existing = _columns(editor, before.table)
    for name in list(remaining):
        field = model._meta.get_field(name)
        if field.column in existing:
            editor.remove_field(model, field)
        del remaining[name]
        model = _staged_model(base, context, remaining)


def converge(editor: BaseDatabaseSchemaEditor, spec: ModelSpec | None, context: Context) -> None:
    """Create what ``spec`` has and the table lacks: link tables, indexes, unique and
    foreign key constraints.

    Where DDL commits itself (MariaDB/MySQL), a failure in SQL the schema editor
    deferred leaves a column without its index or constraint; the operation that
    made it is done by the time it runs again, so only this brings them back.
    """
    if spec is None or spec.table not in _tables(editor):
        return
    model = context.model(spec)
    tables = _tables(editor)
    for m2m in model._meta.local_many_to_many:
        through = m2m.remote_field.through
        assert through is not None  # made when the field joined its class
        if through._meta.db_table not in tables:
            editor.create_model(through)
    with editor.connection.cursor() as cursor:
        constraints = editor.connection.introspection.get_constraints(cursor, spec.table)
    columns = _columns(editor, spec.table)
    for wanted in model._meta.local_concrete_fields:
        if wanted.primary_key or wanted.column not in columns:
            continue
        found = {k: v and getattr(wanted, k) for k, v in _found(editor, wanted).items()}
        if all(found[k] == getattr(wanted, k) for k in found):
            continue
        staged = _as_found(spec, context, wanted, found)
        editor.alter_field(staged, staged._meta.get_field(wanted.name), wanted)
    if spec.unique_together and not any(
        c["unique"] and sorted(c["columns"]) == sorted(spec.unique_together)
        for c in constraints.values()
    ):
        editor.alter_unique_together(model, [], [tuple(spec.unique_together)])


HANDLERS: dict[type, Callable[..., None]] = {
    ops.CreateType: _create_type,
    ops.RenameType: _rename_type,
    ops.DeleteType: _delete_type,
    ops.AddField: _add_field,
    ops.AlterField: _alter_field,
    ops.TrashField: _alter_field,
    ops.RestoreField: _alter_field,
    ops.RemoveField: _remove_field,
    ops.AlterUniqueTogether: _alter_unique_together,
    ops.ConvertField: _convert_field,
    ops.AddFeature: _add_feature,
    ops.RemoveFeature: _remove_feature,
}
