"""Writes by a class older than the table: a clear "try again", never a 500.

Entries of a type are written by the class this process built; another process may
change the table in the meantime (drop a column the class still names, tighten one).
The next version check rebuilds the class, so such a write succeeds when tried again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, connections, router

from . import sync


class SchemaChanged(Exception):
    """A write by a class older than a schema change that committed meanwhile.

    Nothing was written. Rebuilding the classes (the next request does) and trying
    again succeeds: the message says so to the editor.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        super().__init__(
            f"{model._meta.verbose_name} was changed by a schema change that ran while this "
            "was being saved; nothing was saved. Reload the page and try again."
        )


@contextmanager
def guard(model: Any, using: str | None = None) -> Iterator[None]:
    """Turn a database error of a write by an outdated class into :class:`SchemaChanged`.

    When the write fails and the table's applied spec is no longer the one the class
    was built from, the error is that change.
    """
    using = using or router.db_for_write(model)
    built = getattr(model, "dynamo_spec", None)
    try:
        yield
    except DatabaseError as exc:
        if built is None or connections[using].in_atomic_block:
            raise
        if built == sync.applied_spec_of(built.uid, using):
            raise
        raise SchemaChanged(model) from exc
