"""What the applier's steps share: the physical classes of a spec, the table as it is, and
the foreign key checks queued by row updates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from ...factory import PlanApps, TargetLookup, build_model
from ...fields import clone_field
from ...links import Links
from ...spec import FieldSpec, ModelSpec
from ..impact import physical_model

#: Rows read and written per step of a conversion.
CHUNK = 5000


@dataclass
class Context:
    """Applied specs of the other types, for relation targets and link tables."""

    others: dict[str, ModelSpec] = field(default_factory=dict)
    #: The link indexes of ``others`` (None: :meth:`linking` looks through all of them).
    links: Links | None = None

    def linking(self, uid: str) -> Iterator[ModelSpec]:
        """The other types with a field linking to the type ``uid``."""
        if self.links is None:
            yield from (o for o in self.others.values() if o.uid != uid)
            return
        for other in sorted(self.links.linking(uid)):
            spec = self.others.get(other)
            if spec is not None and other != uid:
                yield spec

    def lookup(self, current: ModelSpec) -> TargetLookup:
        def find(uid: str) -> tuple[str, str]:
            spec = current if uid == current.uid else self.others[uid]
            return spec.name, spec.table

        return find

    def model(self, spec: ModelSpec) -> type[models.Model]:
        return physical_model(spec, self.lookup(spec))


#: Whether a table exists, per backend: one indexed catalogue look-up, not a list of all
#: tables (which costs O(tables) on a site with thousands of types).
_HAS_TABLE = {
    # (sqlite_master has no index on names; the table_info pragma finds a table by name.)
    "sqlite": "SELECT 1 FROM pragma_table_info(%s) LIMIT 1",
    "postgresql": (
        "SELECT 1 FROM pg_catalog.pg_class c WHERE c.relname = %s "
        "AND c.relkind IN ('r', 'p') AND pg_catalog.pg_table_is_visible(c.oid)"
    ),
    "mysql": (
        "SELECT 1 FROM information_schema.tables "
        "WHERE table_schema = DATABASE() AND table_name = %s"
    ),
}


def has_table(connection: Any, name: str) -> bool:
    """Whether ``connection``'s database has the table ``name`` (one indexed look-up)."""
    query = _HAS_TABLE.get(connection.vendor)
    with connection.cursor() as cursor:
        if query is None:
            return name in connection.introspection.table_names(cursor)
        cursor.execute(query, [name])
        return cursor.fetchone() is not None


class _Tables:
    """The database's tables, asked one name at a time (``name in _tables(editor)``)."""

    def __init__(self, editor: BaseDatabaseSchemaEditor) -> None:
        self.connection = editor.connection

    def __contains__(self, name: object) -> bool:
        return has_table(self.connection, str(name))


def _tables(editor: BaseDatabaseSchemaEditor) -> _Tables:
    return _Tables(editor)


def _columns(editor: BaseDatabaseSchemaEditor, table: str) -> set[str]:
    """The table's column names (on SQLite its pragma alone: Django's description also
    reads the whole schema table for its JSON columns)."""
    with editor.connection.cursor() as cursor:
        if editor.connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM pragma_table_info(%s)", [table])
            return {row[0] for row in cursor.fetchall()}
        description = editor.connection.introspection.get_table_description(cursor, table)
    return {c.name for c in description}


def _field(model: type[models.Model], spec: FieldSpec) -> models.Field:
    field = model._meta.get_field(spec.column)
    assert isinstance(field, models.Field)  # a spec's column is a concrete field
    return field


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


def _staged_model(before: ModelSpec, context: Context, extra: dict[str, models.Field]):
    fields = {name: clone_field(field) for name, field in extra.items()}
    return build_model(
        before, context.lookup(before), physical=True, apps=PlanApps(), extra_attrs=fields
    )


def _as_found(spec: ModelSpec, context: Context, field: models.Field, found: dict) -> Any:
    """The physical class of ``spec`` with ``field`` as the table has it."""
    kwargs = field.deconstruct()[3]
    kwargs.update(found)
    return _staged_model(spec, context, {field.name: field.__class__(**kwargs)})
