"""django-dynamo's twelve signals, sent for a plan before and after it runs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import signals
from .factory import PlanApps, build_model
from .models import MetaField, MetaModel
from .schema import applier, planner
from .schema import operations as ops


def _field_signals(plan: planner.Plan, meta_model: Any, phase: str, model: Any) -> None:
    rows = {str(f.uid): f for f in meta_model.fields.all()}

    def as_row(spec: Any) -> Any:
        return MetaField(
            uid=uuid.UUID(spec.uid),
            meta_model=meta_model,
            name=spec.name,
            type=spec.kind,
            column=spec.column,
            required=spec.required,
            unique=spec.unique,
        )

    for op in plan.operations:
        if isinstance(op, ops.AddField):
            getattr(signals, f"{phase}_field_creation").send(
                sender=model, new_field=rows.get(op.field.uid) or as_row(op.field)
            )
        elif isinstance(op, (ops.AlterField, ops.ConvertField, ops.RenameField, ops.RestoreField)):
            old = plan.old.field_by_uid(op.field.uid) if plan.old else None
            getattr(signals, f"{phase}_field_update").send(
                sender=model,
                old_field=as_row(old or op.field),
                new_field=rows.get(op.field.uid) or as_row(op.field),
            )
        elif isinstance(op, (ops.TrashField, ops.RemoveField)):
            getattr(signals, f"{phase}_field_delete").send(sender=model, old_field=as_row(op.field))


def send(plan: planner.Plan, meta_model: Any, phase: str, old_model: Any, new_model: Any) -> None:
    kinds = {type(op) for op in plan.operations}
    if ops.CreateType in kinds:
        getattr(signals, f"{phase}_model_creation").send(sender=MetaModel, new_model=new_model)
        return
    if kinds & {ops.DeleteType, ops.TrashType}:
        getattr(signals, f"{phase}_model_delete").send(sender=MetaModel, old_model=old_model)
        return
    getattr(signals, f"{phase}_model_update").send(
        sender=MetaModel, old_model=old_model, new_model=new_model
    )
    _field_signals(plan, meta_model, phase, new_model if phase == "post" else old_model)


@dataclass(frozen=True)
class Pending:
    """A plan that ran, whose post_* signals wait for the commit."""

    plan: planner.Plan
    meta_model: Any
    old_model: Any


def send_all(pending: list[Pending], current: Callable[[str], Any]) -> None:
    """Send the post_* signals of committed plans, every one even if a receiver fails.

    ``current`` gives the class now installed for a type uid. The change is
    committed by then: a failing receiver cannot undo it, so its error is raised
    after the other receivers ran, for the caller to see.
    """
    error: BaseException | None = None
    for item in pending:
        new_model = current(str(item.meta_model.uid))
        try:
            send(item.plan, item.meta_model, "post", item.old_model, new_model)
        except Exception as exc:
            error = error or exc
    if error is not None:
        raise error


def upcoming(plan: planner.Plan, context: applier.Context) -> Any:
    """The class the plan is about to install (not registered anywhere), for pre_ signals."""
    if plan.new is None:
        return None
    return build_model(plan.new, context.lookup(plan.new), apps=PlanApps())
