"""Apply pending schema changes; finishes an interrupted change on MariaDB/MySQL."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import DatabaseError

from ... import api
from ...errors import ConfirmationRequired, Conflict, DefinitionError
from ._base import TypesCommand


class Command(TypesCommand):
    help = "Apply pending schema changes. Destructive plans need --confirm."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--confirm", action="store_true", help="Run destructive plans (drops, narrowing)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = []
        for meta_model in self.meta_models(options):
            try:
                plan = api.apply(meta_model, confirm=options["confirm"], using=options["database"])
            except ConfirmationRequired as exc:
                failed.append(meta_model.name)
                self.stderr.write(f"{meta_model.name}: {exc} \nRun again with --confirm.")
                continue
            except DefinitionError as exc:
                failed.append(meta_model.name)
                self.stderr.write(f"{meta_model.name}: {'; '.join(exc.messages)}")
                continue
            except (Conflict, DatabaseError) as exc:
                # Rolled back, or (MariaDB/MySQL) recorded as far as it got: the other
                # types still run, and running the command again goes on from there.
                failed.append(meta_model.name)
                self.stderr.write(f"{meta_model.name}: {type(exc).__name__}: {exc}")
                continue
            if plan.is_empty:
                self.stdout.write(f"{meta_model.name}: up to date")
            else:
                self.stdout.write(f"{meta_model.name}: applied\n{plan.describe()}")
        if failed:
            raise CommandError(f"Not applied: {', '.join(failed)}")
