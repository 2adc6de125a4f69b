"""The applied specs as this process knows them, parsed once per (type, schema version).

A change reads the specs of the other types (its checks, its link targets), and a
process that is behind reads what changed. Neither parses every type's stored spec
again: this process keeps the specs it parsed, keyed by each type's own
``schema_version``, and learns what a global version changed from
:class:`~dynamo_wagtail.models.SchemaChange`, one row per bump. Catching up on k
changes reads k rows of that log and k definitions, whatever the number of types.

Only what committed is kept: inside a transaction (a change of this process, which
may still roll back) :func:`current` lays the transaction's own changes over the kept
specs without keeping them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F

from . import stamp
from .links import Links
from .models import MetaModel, SchemaChange, SchemaState
from .spec import RETIRED, ModelSpec

#: Log rows kept behind the newest version; a process further behind loads everything.
KEEP = 1000


@dataclass
class Applied:
    """The applied specs at one global version."""

    version: int | None = None
    #: Types with a table (active or in the trash).
    specs: dict[str, ModelSpec] = field(default_factory=dict)
    #: Types gone whose tables were kept (``DYNAMO_DELETE_TABLES = False``).
    retired: dict[str, ModelSpec] = field(default_factory=dict)
    #: uid -> the type's own schema_version its spec was parsed at.
    versions: dict[str, int] = field(default_factory=dict)
    #: Who links to whom among ``specs``.
    links: Links = field(default_factory=Links)


_lock = threading.RLock()
_kept: dict[str, Applied] = {}


def read_version(using: str = DEFAULT_DB_ALIAS) -> int:
    row = SchemaState.objects.using(using).filter(pk=1).values_list("version", flat=True)
    return next(iter(row), 0)


def changed_since(using: str, since: int, version: int) -> set[str] | None:
    """Types the versions after ``since`` up to ``version`` changed (None: unknown, the
    log no longer has them all)."""
    if version == since:
        return set()
    rows = list(
        SchemaChange.objects.using(using)
        .filter(version__gt=since, version__lte=version)
        .values_list("version", "type_uid")
    )
    if len(rows) != version - since:
        return None  # pruned, or written before the log existed
    return {str(uid) for _v, uid in rows}


def _rows(using: str, uids: Iterable[str] | None) -> dict[str, int]:
    query = MetaModel.objects.using(using).filter(applied_spec__isnull=False)
    if uids is not None:
        query = query.filter(uid__in=list(uids))
    return {str(uid): v for uid, v in query.values_list("uid", "schema_version")}


def _load(using: str, base: Applied, uids: set[str] | None, version: int) -> Applied:
    """``base`` with the types ``uids`` (None: all) read again; unchanged ones not parsed."""
    found = _rows(using, uids)
    result = Applied(
        version, dict(base.specs), dict(base.retired), dict(base.versions), base.links.copy()
    )

    def drop(uid: str) -> None:
        spec = result.specs.pop(uid, None)
        if spec is not None:
            result.links.remove(spec)
        result.retired.pop(uid, None)
        result.versions.pop(uid, None)

    for uid in set(base.versions) - set(found) if uids is None else uids - set(found):
        drop(uid)
    stale = [uid for uid, v in found.items() if base.versions.get(uid) != v]
    if stale:
        rows = MetaModel.objects.using(using).filter(uid__in=stale)
        for row_uid, v, data in rows.values_list("uid", "schema_version", "applied_spec"):
            key = str(row_uid)
            drop(key)
            if data is None:
                continue  # dropped since its version was read: the next version says so
            spec = ModelSpec.from_json(data)
            if spec.state == RETIRED:
                result.retired[key] = spec
            else:
                result.specs[key] = spec
                result.links.add(spec)
            result.versions[key] = v
    return result


def current(
    using: str = DEFAULT_DB_ALIAS, version: int | None = None, *, full: bool = False
) -> Applied:
    """The applied specs as the database has them now (``version``: already read).

    Outside a transaction, what was read is kept for the next call. Inside one, the
    types its own changes wrote are read again each time and not kept. ``full`` asks
    every type's schema_version again (parsing only those that moved).
    """
    connection = connections[using]
    with _lock:
        kept = _kept.get(using) or Applied()
        if version is None:
            version = read_version(using)
        since = kept.version
        if since == version and not full:
            return kept
        changed = None
        if not full and since is not None and version > since:
            changed = changed_since(using, since, version)
        loaded = _load(using, kept, changed, version)
        if not connection.in_atomic_block:
            _kept[using] = loaded
        return loaded


def forget(using: str | None = None) -> None:
    """Read every type again at the next call (a test flush, a failed change)."""
    with _lock:
        if using is None:
            _kept.clear()
        else:
            _kept.pop(using, None)


def record(using: str, uid: str) -> int:
    """Bump the global version for a change of type ``uid`` (in the caller's transaction)."""
    updated = SchemaState.objects.using(using).filter(pk=1).update(version=F("version") + 1)
    if not updated:
        SchemaState.objects.using(using).create(pk=1, version=1)
    version = read_version(using)
    SchemaChange.objects.using(using).create(version=version, type_uid=uid)
    SchemaChange.objects.using(using).filter(version__lte=version - KEEP).delete()
    connection = connections[using]
    transaction.on_commit(lambda: stamp.write(connection, version), using=using)
    return version
