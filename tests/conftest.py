"""Shared pytest configuration and fixtures.

Nothing here depends on the database backend: the same suite runs on SQLite,
PostgreSQL and MariaDB. Schema changes cannot run inside a test transaction on
SQLite (nor roll back on MariaDB), so engine tests use the ``dynamo`` fixture: a
transactional database, and afterwards every generated table dropped and the
registry emptied, so tests never see each other's types.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from tests.browser import page  # noqa: F401 (the browser tests' fixture)


def drop_generated_tables() -> None:
    """Drop every table the engine made (through the applier) and empty the registry."""
    from dynamo_wagtail import sync
    from dynamo_wagtail.models import MetaModel
    from dynamo_wagtail.registry import registry
    from dynamo_wagtail.schema import applier
    from dynamo_wagtail.schema import operations as ops
    from dynamo_wagtail.spec import ModelSpec

    specs = [
        ModelSpec.from_json(s)
        for s in MetaModel.objects.filter(applied_spec__isnull=False).values_list(
            "applied_spec", flat=True
        )
    ]
    context = applier.Context({s.uid: s for s in specs})
    with (
        connection.constraint_checks_disabled(),
        connection.schema_editor(atomic=False) as editor,
    ):
        for spec in specs:
            op = ops.DeleteType(spec, drop_table=True)
            applier.apply_operation(editor, op, spec, None, context)
    MetaModel.objects.all().remove_rows()
    with registry.lock:
        registry.sync([])
        registry.version = None
    sync.forget_tables()


@pytest.fixture
def dynamo(transactional_db: None) -> Iterator[None]:
    """A database where schema changes really run; cleaned up afterwards."""
    from dynamo_wagtail import sync

    sync.forget_tables()
    yield
    drop_generated_tables()


@pytest.fixture
def admin_client(client: Any, django_user_model: Any) -> Any:
    """The test client logged in as a superuser ("admin", password "pw"); ``.user`` is it."""
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def table_names() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def vendor() -> str:
    return connection.vendor
