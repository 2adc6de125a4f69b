"""Rules across fields: their database constraints, added and dropped by name."""

from __future__ import annotations

from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from ... import constraints
from ...spec import ModelSpec
from .. import operations as ops
from .base import Context


def _constraint_names(editor: BaseDatabaseSchemaEditor, table: str) -> set[str]:
    with editor.connection.cursor() as cursor:
        return set(editor.connection.introspection.get_constraints(cursor, table))


def _constraint(editor: BaseDatabaseSchemaEditor, spec: ModelSpec, rule: dict):
    # MariaDB/MySQL index no expressions; their default collation ignores case anyway.
    expressions = editor.connection.features.supports_expression_indexes
    (built,) = constraints.build(spec, physical=True, expressions=expressions, only=[rule])
    return built


def _add_constraint(
    editor: BaseDatabaseSchemaEditor,
    op: ops.AddConstraint,
    before: ModelSpec,
    after: ModelSpec,
    context: Context,
) -> None:
    if constraints.constraint_name(after, op.rule) in _constraint_names(editor, after.table):
        return  # a rerun after a failure further on
    # SQLite rebuilds the table from the class it is given: the one with the rule.
    editor.add_constraint(context.model(after), _constraint(editor, after, op.rule))


def _remove_constraint(
    editor: BaseDatabaseSchemaEditor,
    op: ops.RemoveConstraint,
    before: ModelSpec,
    after: ModelSpec,
    context: Context,
) -> None:
    if constraints.constraint_name(before, op.rule) not in _constraint_names(editor, before.table):
        return
    editor.remove_constraint(context.model(after), _constraint(editor, before, op.rule))


def converge_rules(editor: BaseDatabaseSchemaEditor, spec: ModelSpec, context: Context) -> None:
    """The spec's rules the table lacks (a step that failed where DDL commits itself)."""
    found = _constraint_names(editor, spec.table)
    for rule in constraints.rules_of(spec):
        if constraints.constraint_name(spec, rule) not in found:
            editor.add_constraint(context.model(spec), _constraint(editor, spec, rule))
