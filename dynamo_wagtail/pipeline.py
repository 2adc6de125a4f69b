"""definition → spec → plan → impact → apply → class → registry, in one place.

:func:`change` opens a schema change: definition rows saved inside it are applied
when it closes. On PostgreSQL and SQLite rows, DDL, the applied spec and the
version commit or roll back together. On MariaDB/MySQL, where DDL commits itself,
rows and checks commit first, then each operation runs and the applied spec is
recorded after it, so running apply again finishes an interrupted plan.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F

from . import applied, checks, constraints, contenttypes, group_types, listen, notify, sync
from .definitions import build_spec
from .errors import LOCK_TIMEOUT, ConfirmationRequired, Conflict, DefinitionError
from .links import Links
from .models import MetaField, MetaModel
from .registry import registry
from .schema import applier, impact, planner
from .schema import operations as ops
from .spec import FIELD_OPTION_KEYS, RETIRED, TRASHED, ModelSpec

_local = threading.local()


@dataclass
class Session:
    using: str
    touched: dict[int, Any] = field(default_factory=dict)
    confirm: bool = False
    dry_run: bool = False
    #: Ask for confirmation of plans that hide data too (the admin's review page).
    review: bool = False
    plans: list[planner.Plan] = field(default_factory=list)
    editor: Any = None
    pending: list[tuple[Any, planner.Plan]] = field(default_factory=list)
    #: Types whose trash is being emptied: their desired state is "gone".
    purge: set[int] = field(default_factory=set)
    #: post_* signals to send once the change committed.
    signals: list[notify.Pending] = field(default_factory=list)

    def touch(self, meta_model: Any, *, purge: bool = False) -> None:
        self.touched[meta_model.pk] = meta_model
        if purge:
            self.purge.add(meta_model.pk)


def active_session() -> Session | None:
    return getattr(_local, "session", None)


@contextmanager
def definition_change(meta_model: Any) -> Iterator[None]:
    """Wraps an ORM save of definition rows (django-dynamo's way of working)."""
    session = active_session()
    if session is not None:
        yield
        session.touch(meta_model)
        return
    connection = connections[meta_model._state.db or DEFAULT_DB_ALIAS]
    if connection.in_atomic_block and (
        connection.vendor == "sqlite" or not connection.features.can_rollback_ddl
    ):
        # DDL cannot join the caller's transaction here: apply once it commits.
        yield
        transaction.on_commit(lambda: apply(meta_model.pk), using=connection.alias)
        return
    with change(using=connection.alias) as session:
        yield
        session.touch(meta_model)


@contextmanager
def change(
    *,
    using: str = DEFAULT_DB_ALIAS,
    confirm: bool = False,
    dry_run: bool = False,
    review: bool = False,
    make_item_types: bool = True,
) -> Iterator[Session]:
    """A schema change: definition rows saved inside are planned and applied at exit.

    New group fields get their item types in a change right after (``make_item_types``;
    an import that brings them leaves it to its own next change)."""
    if active_session() is not None:
        raise RuntimeError("Schema changes do not nest.")
    connection = connections[using]
    if not connection.in_atomic_block:
        # What committed so far, kept: the change then reads only its own rows again.
        applied.current(using)
    session = Session(using=using, confirm=confirm, dry_run=dry_run, review=review)
    _local.session = session
    try:
        if connection.features.can_rollback_ddl:
            if connection.in_atomic_block and connection.vendor == "sqlite":
                raise transaction.TransactionManagementError(
                    "On SQLite, schema changes cannot run inside transaction.atomic(): "
                    "SQLite cannot switch off foreign key checks in a transaction."
                )
            with applier.atomic_editor(connection) as editor:
                session.editor = editor
                yield session
                _close(session)
                if dry_run:
                    raise _DryRun
        else:
            with _named_lock(connection):
                with transaction.atomic(using=using):
                    yield session
                    _close(session)
                    if dry_run:
                        raise _DryRun
                for meta_model, plan in session.pending:
                    _execute_stepwise(session, meta_model, plan)
    except _DryRun:
        pass
    except BaseException:
        _local.session = None
        _recover(using)
        raise
    finally:
        _local.session = None
    # post_* signals: once everything committed (at the caller's commit when
    # a PostgreSQL caller holds a transaction of its own).
    transaction.on_commit(lambda: notify.send_all(session.signals, registry.get), using=using)
    if make_item_types and not dry_run and any(_has_groups(p.new) for p in session.plans):
        _make_item_types(using)


def _has_groups(spec: ModelSpec | None) -> bool:
    return spec is not None and any(f.kind == "group" for f in spec.active_fields)


def _make_item_types(using: str) -> None:
    """A new group field's items get their type once the field's type has its table (the
    items key on it): a change of its own, right after."""
    fields = group_types.missing(using)
    if fields:
        with change(using=using):
            for field in fields:
                group_types.new_item_type(field, using).save(using=using)


def _recover(using: str) -> None:
    """After a failed change: this process's classes follow the database again."""
    try:
        sync.ensure_current(using, force=True)
    except Exception:
        # The connection is unusable (it was lost): rebuild on the next check; the
        # error of the change itself is what the caller must see.
        registry.version = None


class _DryRun(Exception):
    pass


@contextmanager
def _named_lock(connection: Any) -> Iterator[None]:
    """MariaDB/MySQL: serialize schema changes across processes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT GET_LOCK(%s, %s)", ["dynamo_wagtail_schema", LOCK_TIMEOUT])
        (granted,) = cursor.fetchone()
    if granted != 1:
        raise Conflict.busy()
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT RELEASE_LOCK(%s)", ["dynamo_wagtail_schema"])


def _ordered(session: Session) -> list[Any]:
    """Touched types, link targets before the types that link to them."""
    items = list(session.touched.values())
    by_name = {m.name.lower(): m for m in items}
    by_field = {str(f.uid): m.pk for m in items for f in m.fields.filter(type="group")}
    needs = {
        m.pk: {
            by_name[name].pk
            for name in (t.lower() for t in m.fields.values_list("related_model", flat=True))
            if name in by_name and name != m.name.lower()
        }
        | ({by_field[str(m.group_field)]} if str(m.group_field) in by_field else set())
        for m in items
    }
    ordered: list[Any] = []
    done: set[int] = set()
    while len(ordered) < len(items):
        ready = [m for m in items if m.pk not in done and needs[m.pk] <= done]
        ready = ready or [m for m in items if m.pk not in done][:1]  # a cycle: take one
        for m in ready:
            ordered.append(m)
            done.add(m.pk)
    # Tables emptied from the trash go last, once the columns linking to them went; the
    # items of a group before the type they key on.
    return sorted(
        ordered, key=lambda m: (m.pk in session.purge, m.pk in session.purge and not m.group_field)
    )


def _purge_links(session: Session) -> None:
    """Emptying a type from the trash empties the trashed fields that link to it.

    Their columns point at the table that goes: left behind they would break the
    foreign key checks (SQLite) and every later change of their own type.
    """
    current = applied.current(session.using)
    for pk in list(session.purge):
        target = session.touched[pk]
        linked = f"type:{target.uid}"
        linking = [current.specs[uid] for uid in current.links.linking(str(target.uid))]
        for spec in [*linking, *current.retired.values()]:
            uids = [f.uid for f in spec.fields if f.target == linked and f.state == TRASHED]
            if uids and spec.uid != str(target.uid):
                MetaField.objects.using(session.using).filter(uid__in=uids).remove_rows()
                session.touch(MetaModel.objects.using(session.using).get(uid=spec.uid))


def _follow_fields(session: Session, meta_model: Any, desired: ModelSpec) -> None:
    """Store the type options that name fields as the spec has them (renames followed)."""
    empty = {key: "" if key == "title_field" else [] for key in FIELD_OPTION_KEYS}
    wanted = {key: desired.option(key) or empty[key] for key in FIELD_OPTION_KEYS}
    wanted[constraints.OPTION] = constraints.unresolve(constraints.rules_of(desired), desired)
    changed = {key: v for key, v in wanted.items() if v != getattr(meta_model, key)}
    if changed:
        MetaModel.objects.using(session.using).filter(pk=meta_model.pk).engine_update(**changed)
        for key, value in changed.items():
            setattr(meta_model, key, value)


def _close(session: Session) -> None:
    _purge_links(session)
    touched = list(session.touched.values())
    for item, purge in group_types.follow(touched, session.purge, session.using):
        session.touch(item, purge=purge)
    for meta_model in _ordered(session):
        plan = prepare(session, meta_model)
        session.plans.append(plan)
        if plan.new is not None and not session.dry_run:
            _follow_fields(session, meta_model, plan.new)
        if session.dry_run or (plan.is_empty and session.editor is not None):
            continue
        if session.editor is not None:
            _execute_atomic(session, meta_model, plan)
        else:
            session.pending.append((meta_model, plan))


def _locked(meta_model: Any, using: str) -> Any:
    return MetaModel.objects.using(using).select_for_update().get(pk=meta_model.pk)


def desired_spec(meta_model: Any, applied: ModelSpec | None) -> ModelSpec | None:
    """The definition as a spec, keeping the retired columns the database still has."""
    spec = build_spec(meta_model)
    if applied is not None:
        known = {f.uid for f in spec.fields}
        retired = tuple(f for f in applied.fields if f.state == RETIRED and f.uid not in known)
        spec = replace(spec, fields=spec.fields + retired)
    return spec


def others(exclude_uid: str, using: str) -> dict[str, ModelSpec]:
    """The applied specs of the types other than ``exclude_uid`` (kept parsed per version)."""
    return _context(exclude_uid, applied.current(using)).others


def _context(exclude_uid: str, now: applied.Applied) -> applier.Context:
    """The applied specs of the types other than ``exclude_uid`` with their link indexes."""
    specs = dict(now.specs)
    specs.pop(exclude_uid, None)
    return applier.Context(specs, now.links)


def prepare(session: Session, meta_model: Any) -> planner.Plan:
    """Build, diff and assess: everything but the DDL. Raises on bad input."""
    current = _locked(meta_model, session.using)
    old = ModelSpec.from_json(current.applied_spec) if current.applied_spec else None
    desired = None if current.pk in session.purge else desired_spec(current, old)
    plan = planner.diff(old, desired)
    if plan.is_empty:
        return plan
    now = applied.current(session.using)
    context = _context(str(current.uid), now)
    _check_links(plan, context, now.links)
    checks.check_change(plan.new, context.others, now.links, old=plan.old)
    state = old or desired
    assert state is not None  # a plan with operations has an applied or a desired spec
    plan = impact.assess(plan, context.lookup(state))
    asks = plan.needs_review if session.review else plan.is_destructive
    if asks and not session.confirm and not session.dry_run:
        raise ConfirmationRequired(plan)
    return plan


def _check_links(plan: planner.Plan, context: applier.Context, links: Links) -> None:
    if plan.new is not None:
        for f in plan.new.active_fields:
            uid = f.target_type_uid
            if uid and uid != plan.new.uid and uid not in context.others:
                raise DefinitionError(
                    {},
                    {
                        f.uid: {
                            "related_model": [
                                f"{f.target} has no table yet: create it before linking to it."
                            ]
                        }
                    },
                    {f.uid: f.name},
                )
    spec = plan.old or plan.new
    leaving = any(isinstance(op, (ops.TrashType, ops.DeleteType)) for op in plan.operations)
    if not leaving or spec is None:
        return
    # A type going for good must have no link left, not even from a type in the trash.
    purged = any(isinstance(op, ops.DeleteType) for op in plan.operations)
    linking = (context.others.get(uid) for uid in links.linking(spec.uid))
    users = sorted(
        o.name
        for o in linking
        if o is not None
        and (o.is_active or purged)
        and any(f.target_type_uid == spec.uid and f.is_active for f in o.fields)
    )
    if users:
        raise DefinitionError(
            {"name": [f"{', '.join(users)} link(s) to {spec.name}; remove those fields first."]},
            {},
            {},
        )


def _execute_atomic(session: Session, meta_model: Any, plan: planner.Plan) -> None:
    old_model = registry.get(str(meta_model.uid))
    context = _context(str(meta_model.uid), applied.current(session.using))
    notify.send(plan, meta_model, "pre", old_model, notify.upcoming(plan, context))
    state = plan.old
    for op in plan.operations:
        after = op.state_forwards(state)
        applier.apply_operation(session.editor, op, state, after, context)
        state = after
    # Indexes, foreign keys and unique constraints now, so their failure rolls back
    # before anything is recorded.
    applier.flush(session.editor)
    _record(session, meta_model, plan, _final(plan), final=True)
    session.signals.append(notify.Pending(plan, meta_model, old_model))


def _execute_stepwise(session: Session, meta_model: Any, plan: planner.Plan) -> None:
    connection = connections[session.using]
    old_model = registry.get(str(meta_model.uid))
    context = _context(str(meta_model.uid), applied.current(session.using))
    if plan.is_empty:
        # Nothing left to plan: finish indexes and constraints a failure left out.
        with connection.schema_editor(atomic=False) as editor:
            applier.converge(editor, plan.old, context)
        return
    notify.send(plan, meta_model, "pre", old_model, notify.upcoming(plan, context))
    state = plan.old
    for index, op in enumerate(plan.operations):
        after = op.state_forwards(state)
        with connection.schema_editor(atomic=False) as editor:
            applier.apply_operation(editor, op, state, after, context)
            applier.flush(editor)
            # What an earlier run's failed deferred SQL left out (indexes, constraints).
            applier.converge(editor, after, context)
        state = after
        last = index == len(plan.operations) - 1
        _record(session, meta_model, plan, _final(plan) if last else state, final=last)
    session.signals.append(notify.Pending(plan, meta_model, old_model))


def _final(plan: planner.Plan) -> ModelSpec | None:
    """The applied spec once ``plan`` ran: the desired spec, or the retired one."""
    final = planner.final_state(plan)
    if plan.new is None:
        return final
    assert final is not None  # only deleting the type leaves no spec, and then new is None
    # Columns kept on purpose (DYNAMO_DELETE_COLUMNS=False) stay in the applied spec.
    retired = tuple(
        f for f in final.fields if f.state == RETIRED and plan.new.field_by_uid(f.uid) is None
    )
    return replace(plan.new, fields=plan.new.fields + retired)


def _record(
    session: Session, meta_model: Any, plan: planner.Plan, state: ModelSpec | None, final: bool
) -> None:
    """Store the applied spec, bump the versions, follow with content types and classes."""
    with transaction.atomic(using=session.using):
        MetaModel.objects.using(session.using).filter(pk=meta_model.pk).update(
            applied_spec=state.to_json() if state is not None else None,
            schema_version=F("schema_version") + 1,
        )
        applied.record(session.using, str(meta_model.uid))
    # Delivered to listening processes when this transaction commits.
    listen.announce(connections[session.using])
    if not final:
        return
    contenttypes.follow(plan.old, state, session.using)
    if state is None:
        # Emptied from the trash and dropped: the definition goes too.
        MetaModel.objects.using(session.using).filter(pk=meta_model.pk).remove_rows()
    sync.refresh_after_apply(session.using)


def apply(
    meta_model: Any,
    *,
    confirm: bool = False,
    dry_run: bool = False,
    using: str = DEFAULT_DB_ALIAS,
) -> planner.Plan:
    """Plan and apply whatever differs between the definition and the database."""
    if not isinstance(meta_model, MetaModel):
        meta_model = MetaModel.objects.using(using).get(pk=meta_model)
    with change(using=using, confirm=confirm, dry_run=dry_run) as session:
        session.touch(meta_model)
    return session.plans[-1] if session.plans else planner.Plan(None, None)
