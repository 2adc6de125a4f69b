"""Keeping every process's classes in step with the database.

Each applied change bumps one global version in the same transaction. A process
compares it with the version it built from (one single-row query) and rebuilds
the types whose applied spec changed. The middleware does it per request; the
runtime app's ``get_model(s)`` do it on first use, so commands, the shell,
``publish_scheduled``, task workers and unpickling see current models too. On
PostgreSQL, read requests may skip the query while their connection heard no
notification (:mod:`dynamo_wagtail.listen`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.utils import DatabaseError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from . import applied, listen, stamp
from .models import MetaModel, SchemaChange, SchemaState
from .registry import registry
from .schema.applier import has_table
from .spec import ModelSpec

logger = logging.getLogger(__name__)

_state = threading.local()

#: Requests that read: they may learn of a change by notification (see ensure_current).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: What an editor sees when a schema change broke their write (nothing was saved).
SCHEMA_CHANGED = (
    "The content type was changed by a schema change that ran while this was being saved; "
    "nothing was saved. Please try again."
)


def _tables_ready(using: str) -> bool:
    if getattr(_state, "tables_ready", False):
        return True
    connection = connections[using]
    # Each asked by name: a list of every table grows with the number of types.
    ready = all(
        has_table(connection, m._meta.db_table) for m in (MetaModel, SchemaState, SchemaChange)
    )
    _state.tables_ready = ready
    return ready


def _thread_connection(using: str) -> Any:
    """``connections[using]``, kept per thread for the quiet check.

    In a thread without a running event loop, Django's handler keeps one connection object
    per thread (asgiref's thread-critical local), so this thread's is the same object each
    time, and asking the handler for it costs more than the rest of the quiet check. In an
    event loop's thread, where it keeps one per async context, it is asked each time.
    """
    if asyncio._get_running_loop() is not None:
        return connections[using]
    kept: tuple[int, dict[str, Any]] | None = getattr(_state, "connections", None)
    if kept is None or kept[0] != _handler_epoch:
        kept = _state.connections = (_handler_epoch, {})
    found = kept[1].get(using)
    if found is None:
        found = kept[1][using] = connections[using]
    return found


#: Bumped when the databases' settings change: every thread asks the handler again.
_handler_epoch = 0


@receiver(setting_changed)
def _databases_changed(*, setting: str, **kwargs: Any) -> None:
    global _handler_epoch
    if setting == "DATABASES":
        _handler_epoch += 1


def forget_tables() -> None:
    """Check for the definition tables again (after migrate or a test flush)."""
    global _handler_epoch
    _handler_epoch += 1
    _state.tables_ready = False
    listen.forget()
    stamp.forget()
    applied.forget()


def read_version(using: str = DEFAULT_DB_ALIAS) -> int:
    """The global schema version: one single-row SELECT."""
    return _read_version(connections[using], listen_too=False)


def _read_version(connection: Any, *, listen_too: bool) -> int:
    table = connection.ops.quote_name(SchemaState._meta.db_table)
    query = f"SELECT version FROM {table} WHERE id = 1"  # noqa: S608
    if listen_too:
        query = listen.listening_query(connection, query)
    with connection.cursor() as cursor:
        cursor.execute(query)
        while cursor.description is None and cursor.nextset():
            pass  # LISTEN and COMMIT answer first
        row = cursor.fetchone()
    if listen_too:
        listen.started(connection)
    return row[0] if row else 0


def applied_specs(using: str = DEFAULT_DB_ALIAS) -> list[ModelSpec]:
    """The applied specs of the types with a table (parsed once per type version)."""
    return list(applied.current(using).specs.values())


def applied_spec_of(uid: str, using: str = DEFAULT_DB_ALIAS) -> ModelSpec | None:
    """The applied spec of one type as the database has it now (not the kept one)."""
    rows = MetaModel.objects.using(using).filter(uid=uid).values_list("applied_spec", flat=True)
    data = next(iter(rows), None)
    return ModelSpec.from_json(data) if data else None


_pausers = 0
_resume = False
_pause_lock = threading.Lock()
#: Objects left unscanned by a pause above which its end collects them at once (a start-up
#: of a few hundred types; one type rebuilt makes a few hundred).
COLLECT_AFTER = 100_000


@contextmanager
def _collection_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while classes are built, then as it was.

    A build makes objects that live as long as their class (fields, options, managers,
    panels): the collector's full passes would scan the whole heap again and again for
    nothing to free, and the heap grows with every class. At start-up that was about 40 %
    of building 200 types, and more for each type at 2,000. What a large build left
    unscanned is collected when it ends (about a tenth of its time at 2,000 types), not by
    whichever request allocates next; after a small one, by the next pass as usual.
    """
    global _pausers, _resume
    with _pause_lock:
        if not _pausers:
            _resume = gc.isenabled()
            gc.disable()
        _pausers += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pausers -= 1
            if not _pausers and _resume:
                gc.enable()
                if gc.get_count()[0] > COLLECT_AFTER:
                    gc.collect()


def _install(using: str, version: int | None, *, force: bool = False) -> None:
    """Install the classes of ``version`` (None: read it), comparing only the types the
    versions since the installed one changed. Callers hold ``registry.lock``."""
    with _collection_paused():
        _install_classes(using, version, force=force)


def _install_classes(using: str, version: int | None, *, force: bool) -> None:
    known = registry.version
    current = applied.current(using, version, full=force)
    changed = None
    if not force and known is not None and current.version is not None:
        changed = (
            applied.changed_since(using, known, current.version)
            if current.version > known
            else None
        )
    registry.sync(current.specs, changed)
    registry.version = current.version


def refresh_after_apply(using: str = DEFAULT_DB_ALIAS) -> None:
    """Install this process's classes right after its own change (same transaction)."""
    with registry.lock:
        _install(using, None)


def ensure_current(
    using: str = DEFAULT_DB_ALIAS, *, force: bool = False, listening: bool = False
) -> bool:
    """Rebuild what changed since this process last looked. True if anything did.

    Costs one single-row query. With ``listening`` (for reads), it costs no query while
    nothing moved: on SQLite a ``pread`` of the change stamp (:mod:`dynamo_wagtail.stamp`),
    on a PostgreSQL connection that listens and heard nothing a poll of its socket
    (:mod:`dynamo_wagtail.listen`), where a change committed a moment ago may show a
    moment later. Within a request, after the middleware's check, it costs
    nothing: a request works with the classes current when it started.
    """
    if not apps.ready or getattr(_state, "busy", False) or registry.building:
        return False
    if not force and getattr(_state, "in_request", False):
        return False
    quiet = listening and not force and registry.version is not None
    if quiet and getattr(_state, "tables_ready", False):
        # The common case, kept short: nothing moved since the last version check.
        connection = _thread_connection(using)
        if stamp.quiet(connection) or listen.quiet_now(connection, registry.version):
            return False
    _state.busy = True
    try:
        if not _tables_ready(using):
            return False
        connection = connections[using]
        connection.ensure_connection()
        watch = listen.watch(connection)
        if quiet and watch is not None and watch.quiet(registry.version):
            return False
        heard = watch.generation if watch is not None else 0
        key = stamp.before_check(connection)
        version = _read_version(connection, listen_too=watch is None and listen.enabled(connection))
        stamp.checked(connection, key, version)
        changed = False
        if version != registry.version or force:
            with registry.lock:
                if version != registry.version or force:
                    _install(using, version, force=force)
                    changed = True
        if watch is None:
            watch = listen.watch(connection)
        if watch is not None:
            watch.confirm(heard, version)
        return changed
    except DatabaseError:
        # The database is not there (yet): the next request or command tries again.
        logger.debug("dynamo_wagtail: schema sync skipped", exc_info=True)
        return False
    finally:
        _state.busy = False


class SyncMiddleware:
    """Brings this process's generated models up to date before each request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        # A write always asks the database, so it never meets a class older than a change
        # committed before it; a read may rely on PostgreSQL's notification.
        ensure_current(listening=request.method in SAFE_METHODS)
        # The rest of the request works with these classes: no second check.
        request.dynamo_schema_version = registry.version  # type: ignore[attr-defined]
        _state.in_request = True
        try:
            return self.get_response(request)
        finally:
            _state.in_request = False

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        """A write a schema change broke while this request ran: a message, not a 500."""
        seen = getattr(request, "dynamo_schema_version", None)
        connection = connections[DEFAULT_DB_ALIAS]
        if not isinstance(exception, DatabaseError) or seen is None:
            return None
        if connection.in_atomic_block or read_version() == seen:
            return None
        messages.error(request, SCHEMA_CHANGED, fail_silently=True)
        # The same page again, built with the classes of the new schema.
        return HttpResponseRedirect(request.get_full_path())


def get_model_for(meta_model: MetaModel) -> type[models.Model]:
    """The class of a MetaModel as the database has it now (loads the registry first)."""
    ensure_current()
    model = registry.get(str(meta_model.uid))
    if model is None:
        raise LookupError(f"{meta_model} has no table yet.")
    return model
