"""Keeping every process's classes in step with the database.

Each applied change bumps one global version in the same transaction. A process
compares it with the version it built from (one single-row query) and rebuilds
the types whose applied spec changed. The middleware does it per request; the
runtime app's ``get_model(s)`` do it on first use, so commands, the shell,
``publish_scheduled``, task workers and unpickling see current models too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse

from .registry import registry
from .spec import RETIRED, ModelSpec

logger = logging.getLogger(__name__)

_state = threading.local()


def _tables_ready(using: str) -> bool:
    from .models import MetaModel, SchemaState

    if getattr(_state, "tables_ready", False):
        return True
    connection = connections[using]
    names = set(connection.introspection.table_names())
    ready = {MetaModel._meta.db_table, SchemaState._meta.db_table} <= names
    _state.tables_ready = ready
    return ready


def forget_tables() -> None:
    """Check for the definition tables again (after migrate or a test flush)."""
    _state.tables_ready = False


def read_version(using: str = DEFAULT_DB_ALIAS) -> int:
    """The global schema version: one single-row SELECT."""
    from .models import SchemaState

    connection = connections[using]
    table = connection.ops.quote_name(SchemaState._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else 0


def applied_specs(using: str = DEFAULT_DB_ALIAS) -> list[ModelSpec]:
    from .models import MetaModel

    rows = MetaModel.objects.using(using).filter(applied_spec__isnull=False)
    specs = (ModelSpec.from_json(spec) for spec in rows.values_list("applied_spec", flat=True))
    return [spec for spec in specs if spec.state != RETIRED]


def refresh_after_apply(using: str = DEFAULT_DB_ALIAS) -> None:
    """Install this process's classes right after its own change (same transaction)."""
    with registry.lock:
        registry.sync(applied_specs(using))
        registry.version = read_version(using)


def ensure_current(using: str = DEFAULT_DB_ALIAS, *, force: bool = False) -> bool:
    """Rebuild what changed since this process last looked. True if anything did."""
    if not apps.ready or getattr(_state, "busy", False) or registry.building:
        return False
    _state.busy = True
    try:
        if not _tables_ready(using):
            return False
        version = read_version(using)
        if version == registry.version and not force:
            return False
        with registry.lock:
            if version == registry.version and not force:
                return False
            registry.sync(applied_specs(using))
            registry.version = version
        return True
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
        ensure_current()
        return self.get_response(request)
