"""What the dynamo_* commands share: picking types and printing plans."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ... import api
from ...models import MetaModel


class TypesCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("types", nargs="*", help="Type names (default: every type).")
        parser.add_argument("--database", default="default")

    def meta_models(self, options: dict[str, Any]) -> list[MetaModel]:
        using = options["database"]
        if not options["types"]:
            return [
                m
                for m in MetaModel.objects.using(using).order_by("name")
                if not (m.applied_spec and m.applied_spec.get("state") == "retired")
            ]
        try:
            return [api.get_type(name, using=using) for name in options["types"]]
        except MetaModel.DoesNotExist as exc:
            raise CommandError(f"Unknown type in {options['types']}") from exc
