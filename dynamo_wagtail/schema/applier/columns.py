"""Columns: add, alter (with the database check of a range rule), remove, convert to
another kind through a new column, and the unique-together set."""

from __future__ import annotations

from dataclasses import replace

from django.db import connections, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import Value

from ...factory import owned_models
from ...fields import has_db_default
from ...kinds import get_kind
from ...spec import FieldSpec, ModelSpec
from .. import operations as ops
from .base import (
    CHUNK,
    _as_found,
    _check_now,
    _columns,
    _empty_value,
    _field,
    _found,
    _staged_model,
    _tables,
)


def _add_field(editor, op: ops.AddField, before: ModelSpec, after: ModelSpec, context) -> None:
    model = context.model(after)
    new_field = _field(model, op.field)
    if new_field.many_to_many:
        _create_owned(editor, model, new_field)
        return
    if op.field.column in _columns(editor, before.table):
        return
    add_column(editor, context.model(before), new_field)


def add_column(editor, model: type[models.Model], field: models.Field) -> None:
    """Django's ``add_field``; on SQLite, a NOT NULL column with a constant default is
    added in place (``ALTER TABLE … ADD COLUMN … NOT NULL DEFAULT …``).

    Django's SQLite editor copies the whole table for such a column (it cannot drop the
    default afterwards), and renaming the copy into place makes SQLite re-read every
    table's definition: O(rows) plus O(types). In place it costs neither; the column
    keeps its default in the schema, which changes nothing for the model (an insert
    writes every column) and goes with the next copy of the table. (A kind's constant
    ``db_default`` is the column's default in any case.)
    """
    if not _in_place(editor, field):
        editor.add_field(model, field)
        return
    editor.skip_default_on_alter = _keeps_default  # this call only (SQLite has no DROP DEFAULT)
    try:
        BaseDatabaseSchemaEditor.add_field(editor, model, field)
    finally:
        del editor.skip_default_on_alter


def _keeps_default(field: models.Field) -> bool:
    return True


def _in_place(editor, field: models.Field) -> bool:
    """Can SQLite add this column with ``ADD COLUMN`` where Django copies the table?"""
    if editor.connection.vendor != "sqlite":
        return False
    if field.primary_key or field.unique or field.null or field.remote_field is not None:
        return False  # (a nullable column without default Django adds in place itself)
    if field.db_type(editor.connection) is None:
        return False
    if has_db_default(field):  # a default the schema keeps anyway: in place if constant
        default = field.db_default
        return isinstance(default, Value) or not hasattr(default, "resolve_expression")
    try:
        default = editor.effective_default(field)
        return default is not None and bool(editor.prepare_default(default))
    except (TypeError, ValueError):
        return False  # a default SQLite cannot write as a literal: Django's copy


def _create_owned(editor, model: type[models.Model], field: models.Field) -> None:
    """The tables of a many-to-many field (a link, a tags field's vocabulary) it lacks."""
    tables = _tables(editor)
    for owned in owned_models(model, field):
        if owned._meta.db_table not in tables:
            editor.create_model(owned)


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
        _drop_owned(editor, model, old_field)
        return
    if op.field.column not in _columns(editor, before.table):
        return
    editor.remove_field(model, old_field)


def _drop_owned(editor, model: type[models.Model], field: models.Field) -> None:
    tables = _tables(editor)
    for owned in reversed(owned_models(model, field)):
        if owned._meta.db_table in tables:
            editor.delete_model(owned)


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
