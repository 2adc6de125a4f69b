"""SQLite: a change stamp beside the database file, read with one ``pread``.

An accelerator of :mod:`dynamo_wagtail.sync`, never the source of truth. When a
schema change commits, the process that made it writes a new record into the file
``<database>-dynamo-schema``, in place (the version, the time and the process: never
the same record twice). Every process keeps the file open and compares its record
with the one it read before its last version query: while nothing moved, a read
request skips the query. Reading an open file costs one ``pread``, a fraction of
what a ``stat`` of its path costs (the path is looked up again each time).

The version query still runs:

- when the stamp cannot be read (an in-memory database, a missing or unreadable
  file: a change made while the stamp could not be written removes it);
- when the record moved, and at least every :data:`RECHECK` seconds anyway (a
  process that committed a change and died before it wrote the stamp, a change
  written by other means);
- for writes, as on every backend.

An open file keeps reading the file it opened: one removed or replaced rather than
rewritten is noticed at the next version query, and at least every
:data:`VALIDATE` seconds, when the path is looked at again (one ``stat``).
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
#: Seconds after which the open stamp is compared with the file at its path again.
VALIDATE = 1.0
SUFFIX = "-dynamo-schema"
#: Every record has this length (written in place, it never leaves a longer one's tail).
SIZE = 64

#: What the stamp said: its record, or None (there was none to read).
Key = bytes

_paths: dict[str, str | None] = {}
_seen = threading.local()


class _Open:
    """The stamp file, kept open: which file it is (device, inode), and until when that
    is taken as still the file at its path."""

    __slots__ = ("fd", "identity", "valid_until")

    def __init__(self, fd: int, identity: tuple[int, int], valid_until: float) -> None:
        self.fd = fd
        self.identity = identity
        self.valid_until = valid_until

    def read(self) -> Key | None:
        try:
            return os.pread(self.fd, SIZE, 0)
        except OSError:
            return None

    def __del__(self) -> None:
        # Closed when no thread reads it any more (another thread may still hold it).
        with contextlib.suppress(OSError):
            os.close(self.fd)


#: Stamp path -> the file this process keeps open for it.
_opened: dict[str, _Open] = {}


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


def _open(stamp: str, now: float) -> _Open | None:
    """The file at ``stamp`` now, open (the one kept, while it is still that file)."""
    try:
        st = os.stat(stamp)
    except OSError:
        _opened.pop(stamp, None)
        return None
    found = _opened.get(stamp)
    if found is not None and found.identity == (st.st_dev, st.st_ino):
        found.valid_until = now + VALIDATE
        return found
    try:
        fd = os.open(stamp, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        _opened.pop(stamp, None)
        return None
    st = os.fstat(fd)  # the file opened, which may have been replaced since the stat
    opened = _opened[stamp] = _Open(fd, (st.st_dev, st.st_ino), now + VALIDATE)
    return opened


def quiet(connection: BaseDatabaseWrapper) -> bool:
    """Nothing can have changed since this thread's last version check on ``connection``."""
    stamp = path(connection)
    if stamp is None:
        return False
    seen = getattr(_seen, connection.alias, None)
    if seen is None or seen[0] is None:
        return False
    now = time.monotonic()
    if now - seen[1] >= RECHECK:
        return False
    opened = _opened.get(stamp)
    if opened is None or now >= opened.valid_until:
        opened = _open(stamp, now)
        if opened is None:
            return False
    return opened.read() == seen[0]


def before_check(connection: BaseDatabaseWrapper) -> Key | None:
    """What the stamp says now (read before the version query, so that a change that
    commits in between moves it again after). The path is looked at again too."""
    stamp = path(connection)
    if stamp is None:
        return None
    opened = _open(stamp, time.monotonic())
    return opened.read() if opened is not None else None


def checked(connection: BaseDatabaseWrapper, key: Key | None, version: int) -> None:
    """A version check read ``version``; ``key`` is what the stamp said before it.

    A database without a stamp yet gets one, made only if still missing (a complete
    file linked into place): a change committing meanwhile writes its own, and then
    this check trusts neither.
    """
    stamp = path(connection)
    if key is None and stamp is not None and _create(stamp, version):
        key = before_check(connection)
    setattr(_seen, connection.alias, (key, time.monotonic()))


def _record(version: int) -> bytes:
    """A record no other write makes: the version, the time, this process and thread."""
    text = f"{version} {time.time_ns()} {os.getpid()} {threading.get_ident()}"
    return text.encode().ljust(SIZE - 1)[: SIZE - 1] + b"\n"


def _create(stamp: str, version: int) -> bool:
    """Make the stamp if there is none (False: there is one now, or none can be made)."""
    temporary = Path(f"{stamp}.{os.getpid()}.{threading.get_ident()}")
    try:
        temporary.write_bytes(_record(version))
        os.link(temporary, stamp)
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
    return True


def write(connection: BaseDatabaseWrapper, version: int) -> None:
    """Write a new record into the stamp, in place (after a change committed).

    A stamp that cannot be written is removed, so that no process trusts it: the others
    then ask the version until one of them makes it again.
    """
    stamp = path(connection)
    if stamp is None:
        return
    try:
        fd = os.open(stamp, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            os.pwrite(fd, _record(version), 0)
        finally:
            os.close(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(stamp)
        _opened.pop(stamp, None)


def forget() -> None:
    """Every thread checks the version again (a test flush, a migrate)."""
    global _seen
    _seen = threading.local()
    _opened.clear()
