"""Audit log actions for schema changes, shown in Wagtail's log and the type's history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ACTIONS = {
    "dynamo_wagtail.schema_change": (_("Change schema"), _("Schema changed")),
    "dynamo_wagtail.trash": (_("Move to trash"), _("Moved to the trash")),
    "dynamo_wagtail.restore": (_("Restore from trash"), _("Restored from the trash")),
    "dynamo_wagtail.empty_trash": (_("Empty trash"), _("Trash emptied")),
}


def _formatter(label: StrOrPromise, verb: StrOrPromise) -> type[LogFormatter]:
    class PlanFormatter(LogFormatter):
        def format_message(self, log_entry: Any) -> str:
            operations = (log_entry.data or {}).get("operations") or []
            return f"{verb}: {'; '.join(operations)}" if operations else str(verb)

    PlanFormatter.label = label
    return PlanFormatter


def register(actions: Any) -> None:
    for action, (label, verb) in ACTIONS.items():
        actions.register_action(action)(_formatter(label, verb))
