"""Write every definition as JSON with stable ids."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ... import api


class Command(BaseCommand):
    help = "Export content type definitions as JSON (to stdout or --output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="File to write (default: stdout).")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        text = json.dumps(api.export_schema(using=options["database"]), indent=2, default=str)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        else:
            self.stdout.write(text)
