"""PostgreSQL ``LISTEN``/``NOTIFY``: hearing of a schema change instead of asking for it.

An accelerator of :mod:`dynamo_wagtail.sync`, never the source of truth. Every applied
change sends a notification in the transaction that bumps the version, so it is delivered
when that commits. A database connection starts listening with its first version check
(``LISTEN`` travels in the same round trip as that ``SELECT``). From then on, as long as
nothing arrived on the connection, a check costs a non-blocking poll of its socket
instead of a query.

The version query still runs:

- on a connection that does not listen yet, and inside a transaction (a listening session
  receives notifications only between transactions);
- as soon as anything arrived on the connection: a notification, an error, end of file;
- at least every :data:`RECHECK` seconds anyway, in case listening was lost without a sign
  (``UNLISTEN``, a connection pooler that moved the session);
- when this process's registry moved on or was reset since the connection's last check.

Only psycopg 3 connections listen; ``DYNAMO_LISTEN = False`` turns it off, and so does a
database with ``DISABLE_SERVER_SIDE_CURSORS`` (the setting Django asks for behind PgBouncer
in transaction pooling mode, which does not keep a session's ``LISTEN``).
"""

from __future__ import annotations

import select
import threading
import time
import weakref
from typing import Any

from django.core.signals import setting_changed
from django.db.backends.base.base import BaseDatabaseWrapper

from .conf import settings

#: The notification channel (channels are per database).
CHANNEL = "dynamo_wagtail"
#: Seconds after which a listening connection checks the version anyway.
RECHECK = 10.0

_lock = threading.Lock()
#: A listening psycopg connection -> its Watch (forgotten with the connection).
_watches: weakref.WeakKeyDictionary[Any, Watch] = weakref.WeakKeyDictionary()
#: Bumped by forget(): every Watch checked before is stale.
_epoch = 0


class Watch:
    """What one listening connection heard since its last version check."""

    __slots__ = (
        "__weakref__",
        "checked_at",
        "confirmed",
        "epoch",
        "generation",
        "pgconn",
        "poller",
        "raw",
        "version",
    )

    def __init__(self, raw: Any) -> None:
        # Not the connection itself: _watches must not keep it alive.
        self.raw = weakref.ref(raw)
        self.pgconn = raw.pgconn
        self.poller = select.poll()
        self.poller.register(raw.fileno(), select.POLLIN)
        #: Bumped whenever something arrived; ``confirmed`` is the value a check saw.
        self.generation = 0
        self.confirmed = -1
        self.version: int | None = None
        self.checked_at = 0.0
        self.epoch = _epoch
        # Notifications that arrive with the answer to some other query.
        raw.add_notify_handler(self._notified)

    def _notified(self, notify: Any) -> None:
        self.generation += 1

    def heard(self) -> None:
        """Read whatever arrived on the socket, without blocking."""
        if not self.poller.poll(0):
            return
        self.generation += 1
        try:
            self.pgconn.consume_input()
            while self.pgconn.notifies() is not None:
                pass
        except Exception:  # noqa: BLE001, S110 - broken: the version query tells Django
            pass

    def quiet(self, version: int | None) -> bool:
        """Nothing can have changed since this connection's last check saw ``version``."""
        return (
            version is not None
            and self.version == version
            and self.epoch == _epoch
            and self.generation == self.confirmed
            and time.monotonic() - self.checked_at < RECHECK
        )

    def confirm(self, generation: int, version: int) -> None:
        """A version check that started at ``generation`` read ``version``."""
        self.confirmed, self.version, self.epoch = generation, version, _epoch
        self.checked_at = time.monotonic()


def enabled(connection: BaseDatabaseWrapper) -> bool:
    """May this connection listen, now? (Connected, PostgreSQL, psycopg 3, no transaction.)"""
    raw = connection.connection
    return (
        raw is not None
        and connection.vendor == "postgresql"
        and hasattr(raw, "pgconn")
        and hasattr(select, "poll")
        and bool(settings.DYNAMO_LISTEN)
        and not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
        and connection.get_autocommit()
        and not connection.in_atomic_block
    )


def watch(connection: BaseDatabaseWrapper) -> Watch | None:
    """The up-to-date Watch of a listening connection, or None (ask the database)."""
    raw = connection.connection
    if raw is None or not hasattr(raw, "pgconn"):
        return None
    found = _watches.get(raw)
    if found is None or not enabled(connection):
        return None
    found.heard()
    return found


def quiet_now(connection: BaseDatabaseWrapper, version: int | None) -> bool:
    """The check of a quiet listening connection, kept short: it runs on every read.

    What :func:`enabled` asks of the connection's settings was asked when it started
    listening (a changed setting calls :func:`forget`); only the transaction state is
    asked again.
    """
    found = connection.__dict__.get("_dynamo_watch")
    if (
        found is None
        or found.epoch != _epoch
        or found.raw() is not connection.connection
        or not connection.autocommit
        or connection.in_atomic_block
    ):
        return False
    found.heard()
    return found.quiet(version)


def listening_query(connection: BaseDatabaseWrapper, query: str) -> str:
    """``query`` preceded by ``LISTEN``, committed before it, for one round trip."""
    return f"LISTEN {connection.ops.quote_name(CHANNEL)}; COMMIT; {query}"


def started(connection: BaseDatabaseWrapper) -> Watch:
    """Record that the connection's session now listens."""
    raw = connection.connection
    with _lock:
        found = _watches.get(raw)
        if found is None:
            found = _watches[raw] = Watch(raw)
        connection.__dict__["_dynamo_watch"] = found
        return found


def announce(connection: BaseDatabaseWrapper) -> None:
    """Notify listeners when the current transaction commits (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"NOTIFY {connection.ops.quote_name(CHANNEL)}")


def forget() -> None:
    """Every connection checks the version again (a test flush, a migrate, a setting)."""
    global _epoch
    _epoch += 1


def _setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"DYNAMO_LISTEN", "DATABASES"}:
        forget()


setting_changed.connect(_setting_changed)
