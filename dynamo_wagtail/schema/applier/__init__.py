"""The applier: the only package that runs DDL.

Every operation goes through Django's schema editor with physical classes (see
:mod:`dynamo_wagtail.factory`) for the state before and after it. Operations are
written to be safe to run again after a failure half-way (a table or column that
is already there, or already gone, is taken as done): that is how a rerun
finishes a plan on MariaDB/MySQL, where DDL commits itself.

Its steps sit in modules by what they change: :mod:`.types` (tables), :mod:`.columns`,
:mod:`.features`, :mod:`.rules` (constraints across fields); :mod:`.base` holds what they share.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import NotSupportedError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from ...kinds import get_kind
from ...spec import ModelSpec
from .. import operations as ops
from .base import CHUNK, Context, _as_found, _columns, _found, _tables, has_table
from .columns import (
    _add_field,
    _alter_field,
    _alter_unique_together,
    _convert_field,
    _remove_field,
)
from .features import _add_feature, _remove_feature
from .rules import _add_constraint, _remove_constraint, converge_rules
from .types import _create_type, _delete_type, _rename_type, create_owned_tables

__all__ = [
    "CHUNK",
    "HANDLERS",
    "Context",
    "apply_operation",
    "atomic_editor",
    "converge",
    "flush",
    "has_table",
]


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
            written = _written_tables(editor) if sqlite else set()
            yield editor
            flush(editor)
            if sqlite:
                # The tables the change wrote to, not every table of the database (a
                # check of all of them costs O(all rows of all types) per change).
                tables = _tables(editor)
                connection.check_constraints(table_names=sorted(t for t in written if t in tables))
    finally:
        if sqlite:
            connection.enable_constraint_checking()


#: The table a DDL or copy statement of Django's SQLite schema editor writes to.
_WRITES = re.compile(
    r'^\s*(?:CREATE TABLE|ALTER TABLE|INSERT INTO|UPDATE)\s+"((?:[^"]|"")+)"', re.I
)


def _written_tables(editor: BaseDatabaseSchemaEditor) -> set[str]:
    """Record the tables ``editor``'s statements write to, into the set returned."""
    written: set[str] = set()
    execute = editor.execute

    def recording(sql: Any, params: Any = ()) -> Any:
        found = _WRITES.match(str(sql))
        if found:
            written.add(found.group(1).replace('""', '"'))
        return execute(sql, params)

    editor.execute = recording  # type: ignore[method-assign]
    return written


def flush(editor: BaseDatabaseSchemaEditor) -> None:
    """Run the SQL the schema editor deferred (indexes, foreign keys, unique) now."""
    while editor.deferred_sql:
        editor.execute(editor.deferred_sql.pop(0), None)


def apply_operation(
    editor: BaseDatabaseSchemaEditor,
    op: ops.Operation,
    before: ModelSpec | None,
    after: ModelSpec | None,
    context: Context,
) -> None:
    """Run the DDL (and data copy) of one operation."""
    if isinstance(op, ops.FieldOperation) and not get_kind(op.field.kind).has_column:
        return  # a group: its items' table is a type of its own
    handler: Callable[..., None] = HANDLERS.get(type(op), _no_ddl)
    handler(editor, op, before, after, context)


def _no_ddl(*args: Any) -> None:
    """Labels, options, renames of fields and the trash of types change no table."""


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
    create_owned_tables(editor, model)
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
    converge_rules(editor, spec, context)


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
    ops.AddConstraint: _add_constraint,
    ops.RemoveConstraint: _remove_constraint,
}
