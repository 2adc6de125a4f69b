"""SQLite: a change stamp beside the database file, read with one ``stat``.

An accelerator of :mod:`dynamo_wagtail.sync`, never the source of truth. When a
schema change commits, the process that made it replaces the file
``<database>-dynamo-schema`` (a new file each time: a new inode and mtime). Another
process compares what ``os.stat`` says of it with what it saw at its last version
query: while nothing moved, a read request skips the query.

The version query still runs:

- when the stamp cannot be read (an in-memory database, a missing or unreadable
  file: a change made while the stamp could not be written);
- when the stamp moved, and at least every :data:`RECHECK` seconds anyway (a process
  that committed a change and died before it replaced the stamp, a change written by
  other means);
- for writes, as on every backend.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper

#: Seconds after which a quiet stamp is checked against the version anyway.
RECHECK = 10.0
SUFFIX = "-dynamo-schema"

#: What ``stat`` said of a stamp: (inode, mtime in ns, size).
Key = tuple[int, int, int]

_paths: dict[str, str | None] = {}
_seen = threading.local()


def path(connection: BaseDatabaseWrapper) -> str | None:
    """The stamp file of ``connection``'s database (None: not SQLite, or in memory)."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict.get("NAME") or "")
    if name not in _paths:
        found = None
        if name and not connection.is_in_memory_db():  # type: ignore[attr-defined]
            found = name + SUFFIX
        _paths[name] = found
    return _paths[name]


def _key(stamp: str) -> Key | None:
    try:
        st = os.stat(stamp)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def quiet(connection: BaseDatabaseWrapper) -> bool:
    """Nothing can have changed since this thread's last version check on ``connection``."""
    stamp = path(connection)
    if stamp is None:
        return False
    seen = getattr(_seen, connection.alias, None)
    if seen is None or time.monotonic() - seen[1] >= RECHECK:
        return False
    return seen[0] is not None and _key(stamp) == seen[0]


def checked(connection: BaseDatabaseWrapper, key: Key | None) -> None:
    """A version check read the database; ``key`` is what the stamp said before it.

    A database without a stamp yet gets one, made only if still missing: a change
    committing meanwhile writes its own, and then this check trusts neither.
    """
    stamp = path(connection)
    if key is None and stamp is not None:
        try:
            os.close(os.open(stamp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except OSError:
            pass  # there is one now, or none can be made: the next check asks again
        else:
            key = _key(stamp)
    setattr(_seen, connection.alias, (key, time.monotonic()))


def before_check(connection: BaseDatabaseWrapper) -> Key | None:
    """What the stamp says now (read before the version query, so that a change that
    commits in between moves it again after)."""
    stamp = path(connection)
    return _key(stamp) if stamp is not None else None


def write(connection: BaseDatabaseWrapper, version: int) -> None:
    """Replace the stamp (after a change committed). A stamp that cannot be written
    leaves the other processes on the version query until it can."""
    stamp = path(connection)
    if stamp is None:
        return
    temporary = Path(f"{stamp}.{os.getpid()}.{threading.get_ident()}")
    try:
        temporary.write_text(f"{version}\n")
        os.replace(temporary, stamp)
    except OSError:
        # Unwritable: remove it, so that nobody trusts an old one.
        for each in (temporary, Path(stamp)):
            with contextlib.suppress(OSError):
                each.unlink(missing_ok=True)


def forget() -> None:
    """Every thread checks the version again (a test flush, a migrate)."""
    global _seen
    _seen = threading.local()
