"""What the impact checks share: the refusal they raise, the physical class of a spec, and
how rows are counted and shown."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import models
from django.db.models import Count, F

from ..conf import settings
from ..errors import DefinitionError
from ..factory import PlanApps, TargetLookup, build_model
from ..spec import FieldSpec, ModelSpec
from .planner import FieldImpact

CHUNK = 2000


class ImpactRefused(DefinitionError):
    """Rows exist that the change would lose or break; nothing was changed."""

    def __init__(self, field: FieldSpec, option: str, message: str, impact: FieldImpact) -> None:
        self.impact = impact
        super().__init__({}, {field.uid: {option: [message]}}, {field.uid: field.name})


def physical_model(spec: ModelSpec, lookup: TargetLookup) -> type[models.Model]:
    return build_model(spec, lookup, physical=True, apps=PlanApps())


def _values(model: type[models.Model], column: str) -> Iterator[tuple[Any, Any]]:
    qs = model._default_manager.exclude(**{f"{column}__isnull": True}).order_by("pk")
    yield from qs.values_list("pk", column).iterator(chunk_size=CHUNK)


def _examples(pks: list[Any]) -> tuple:
    return tuple(pks[: settings.DYNAMO_REPORT_EXAMPLES])


def _rows_text(count: int, pks: list[Any]) -> str:
    shown = ", ".join(str(pk) for pk in _examples(pks))
    return f"{count} entr{'y' if count == 1 else 'ies'} (e.g. id {shown})"


def duplicates(
    model: type[models.Model], columns: list[str], keys: dict[str, Any] | None = None
) -> tuple[int, str]:
    """How many values occur in more than one row over ``columns`` (NULLs left out), and the
    first ones as text. ``keys`` compares expressions instead (``Lower()`` to ignore case)."""
    keys = keys or {c: F(c) for c in columns}
    aliases = {f"key{i}": expression for i, expression in enumerate(keys.values())}
    dupes = (
        model._default_manager.exclude(**{f"{c}__isnull": True for c in columns})
        .annotate(**aliases)
        .values(*aliases)
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    first = list(dupes[: settings.DYNAMO_REPORT_EXAMPLES])
    if not first:
        return 0, ""
    shown = "; ".join(", ".join(str(d[a]) for a in aliases) for d in first)
    return dupes.count(), shown
