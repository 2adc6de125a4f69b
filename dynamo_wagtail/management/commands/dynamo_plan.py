"""Print what applying the definitions would do. Exit 1 when something is pending."""

from __future__ import annotations

import sys
from typing import Any

from ... import api
from ...errors import DefinitionError
from ._base import TypesCommand


class Command(TypesCommand):
    help = "Show pending schema changes (definition vs database). Exit status 1 if any."

    def handle(self, *args: Any, **options: Any) -> None:
        pending = False
        for meta_model in self.meta_models(options):
            try:
                plan = api.plan(meta_model, using=options["database"])
            except DefinitionError as exc:
                pending = True
                self.stdout.write(f"{meta_model.name}: cannot be applied:")
                for key, messages in exc.message_dict.items():
                    for message in messages:
                        self.stdout.write(f"  {key}: {message}")
                continue
            if plan.is_empty:
                self.stdout.write(f"{meta_model.name}: up to date")
                continue
            pending = True
            self.stdout.write(f"{meta_model.name}:")
            for line in plan.describe().splitlines():
                self.stdout.write(f"  {line}")
        if pending:
            sys.exit(1)
