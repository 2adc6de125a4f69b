"""Signal wiring done in ``AppConfig.ready()``: no database access happens here."""

from __future__ import annotations

import importlib
from typing import Any

from django.db.models.signals import post_migrate

#: Where task frameworks announce that a worker starts a task.
TASK_STARTED = ("django.tasks.signals", "django_tasks.signals")


def _after_migrate(sender: Any, **kwargs: Any) -> None:
    from . import sync

    # The definition tables may have just appeared (or a test database was flushed).
    sync.forget_tables()


def _task_started(sender: Any, **kwargs: Any) -> None:
    from . import sync

    # A long-lived task worker sees every change made since its last task.
    sync.ensure_current()


def connect() -> None:
    post_migrate.connect(_after_migrate, dispatch_uid="dynamo_wagtail_after_migrate")
    for module_name in TASK_STARTED:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        module.task_started.connect(_task_started, dispatch_uid=f"dynamo_wagtail_{module_name}")
