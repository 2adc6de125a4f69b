"""Tables: create, rename (with the columns of link tables named after the type), drop."""

from __future__ import annotations

from typing import Any

from django.db import models

from ...factory import owned_models
from ...fields import clone_field
from ...spec import ModelSpec
from .. import operations as ops
from .base import Context, _tables


def _create_type(editor, op: ops.CreateType, before, after: ModelSpec, context) -> None:
    model = context.model(after)
    if model._meta.db_table not in _tables(editor):
        editor.create_model(model)  # with its auto-created link tables
    create_owned_tables(editor, model)


def create_owned_tables(editor, model: type[models.Model]) -> None:
    """The tables of many-to-many fields (links, tags' vocabularies) the database lacks."""
    tables = _tables(editor)
    for m2m in model._meta.local_many_to_many:
        for owned in owned_models(model, m2m):
            if owned._meta.db_table not in tables:
                editor.create_model(owned)


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
    for other in context.linking(before.uid):
        links = [
            f for f in other.fields if f.target_type_uid == before.uid and f.kind == "many_to_many"
        ]
        if not links:
            continue
        old_ctx = Context({**context.others, before.uid: before}, context.links)
        new_ctx = Context({**context.others, after.uid: after}, context.links)
        _rename_link_columns(editor, old_ctx.model(other), new_ctx.model(other))


def _delete_type(editor, op: ops.DeleteType, before: ModelSpec, after, context) -> None:
    if not op.drop_table:
        return
    model = context.model(before)
    tables = _tables(editor)
    for m2m in model._meta.local_many_to_many:
        for owned in reversed(owned_models(model, m2m)):
            # Auto-created links go with the table; a kind's own tables first (they key on it).
            if not owned._meta.auto_created and owned._meta.db_table in tables:
                editor.delete_model(owned)
    if before.table in tables:
        editor.delete_model(model)
