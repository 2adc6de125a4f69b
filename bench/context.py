"""The state every benchmark shares: sizes, the bench user, the result rows, and helpers."""

from __future__ import annotations

from typing import Any

from bench.common import Row


class Bench:
    """One database's run: its size preset, the sections asked for, and the rows measured.

    ``bench.queries.load`` fills ``data`` (the rows), ``Dynamic`` and ``Static`` (the two
    catalogue models) and ``alt_load`` (bulk load times of the alternatives), which the
    admin, sync and schema benchmarks use too.
    """

    user: Any
    data: list[dict[str, Any]]
    Dynamic: type
    Static: type
    alt_load: dict[str, float]

    def __init__(self, size: dict[str, Any], only: set[str], label: str) -> None:
        self.size = size
        self.only = only
        self.label = label
        self.rows: list[Row] = []

    def setup(self) -> None:
        from django.contrib.auth import get_user_model
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        User = get_user_model()
        self.user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
            "bench", "bench@example.com", "bench"
        )

    def catalogue_type(self, name: str, **options: Any) -> type:
        from dynamo_wagtail import api

        api.create_type(
            name,
            [
                {"name": "title", "kind": "char", "required": True, "indexed": True},
                {
                    "name": "price",
                    "kind": "decimal",
                    "indexed": True,
                    "options": {"max_digits": 8, "decimal_places": 2},
                },
                {"name": "stock", "kind": "integer", "indexed": True},
                {
                    "name": "color",
                    "kind": "char",
                    "indexed": True,
                    "options": {"max_length": 32},
                },
                {"name": "created", "kind": "date"},
            ],
            title_field="title",
            listing_columns=["title", "price", "stock", "color"],
            **options,
        )
        return api.get_model(name)

    def truncate(self, model: type) -> None:
        from django.db import connection

        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {table} RESTART IDENTITY")
            else:
                cursor.execute(f"DELETE FROM {table}")

    def client(self):
        from django.test import Client

        client = Client()
        client.force_login(self.user)
        return client
