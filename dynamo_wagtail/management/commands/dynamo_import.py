"""Create or update definitions from a dynamo_export file."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ... import api
from ...errors import ConfirmationRequired, DefinitionError


class Command(BaseCommand):
    help = "Import content type definitions; --dry-run prints the plan only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--confirm", action="store_true")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["file"], encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc}") from exc
        try:
            plans = api.import_schema(
                data,
                dry_run=options["dry_run"],
                confirm=options["confirm"],
                using=options["database"],
            )
        except ConfirmationRequired as exc:
            raise CommandError(f"{exc}\nRun again with --confirm.") from exc
        except (DefinitionError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        changed = [p for p in plans if not p.is_empty]
        for plan in changed:
            name = (plan.new or plan.old).name  # type: ignore[union-attr]
            self.stdout.write(f"{name}:\n{plan.describe()}")
        verb = "would change" if options["dry_run"] else "changed"
        self.stdout.write(f"{len(changed)} type(s) {verb}.")
