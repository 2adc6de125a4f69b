"""Compare every applied spec with the database. Exit 1 on drift."""

from __future__ import annotations

import sys
from typing import Any

from ...pipeline import others
from ...schema.applier import Context
from ...schema.inspect import drift
from ...spec import ModelSpec
from ._base import TypesCommand


class Command(TypesCommand):
    help = "Check that tables and columns match the applied definitions. Exit 1 on drift."

    def handle(self, *args: Any, **options: Any) -> None:
        using = options["database"]
        problems: list[str] = []
        checked = 0
        for meta_model in self.meta_models(options):
            if not meta_model.applied_spec:
                problems.append(f"{meta_model.name}: not applied yet (run dynamo_apply)")
                continue
            spec = ModelSpec.from_json(meta_model.applied_spec)
            problems += drift(spec, Context(others(spec.uid, using)), using)
            checked += 1
        for line in problems:
            self.stdout.write(line)
        if problems:
            sys.exit(1)
        self.stdout.write(f"{checked} type(s) match the database.")
