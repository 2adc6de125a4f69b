"""Signal wiring done in ``AppConfig.ready()``: no database access happens here."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_migrate


def _after_migrate(sender: Any, **kwargs: Any) -> None:
    from . import sync

    # The definition tables may have just appeared (or a test database was flushed).
    sync.forget_tables()


def connect() -> None:
    post_migrate.connect(_after_migrate, dispatch_uid="dynamo_wagtail_after_migrate")
