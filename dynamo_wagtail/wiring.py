"""What ``AppConfig.ready()`` connects: signal receivers and the seams of the layers.

The layers import only downwards (see docs/architecture.md). Where a lower layer must
call a higher one, it exposes a seam and this module, at the top, connects it:

- definition rows (:mod:`dynamo_wagtail.models`) hand a save to the pipeline and a
  delete to the Python API through :class:`~dynamo_wagtail.models.Engine`;
- the runtime app's ``get_model(s)`` bring the classes up to date through
  :func:`dynamo_wagtail.sync.ensure_current`;
- generated snippets join the Wagtail admin (:mod:`dynamo_wagtail.admin.snippets`).

No database access happens here.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.db.models.signals import post_migrate

from . import api, models, pipeline, sync
from .admin import snippets
from .runtime.apps import RuntimeConfig

#: Where task frameworks announce that a worker starts a task.
TASK_STARTED = ("django.tasks.signals", "django_tasks.signals")


def _after_migrate(sender: Any, **kwargs: Any) -> None:
    # The definition tables may have just appeared (or a test database was flushed).
    sync.forget_tables()


def _task_started(sender: Any, **kwargs: Any) -> None:
    # A long-lived task worker sees every change made since its last task.
    sync.ensure_current()


def connect() -> None:
    models.connect_engine(
        models.Engine(
            definition_change=pipeline.definition_change,
            delete_type=api.delete_type,
            remove_field=api.remove_field,
            model_for=sync.get_model_for,
        )
    )
    RuntimeConfig.connect_loader(sync.ensure_current)
    post_migrate.connect(_after_migrate, dispatch_uid="dynamo_wagtail_after_migrate")
    for module_name in TASK_STARTED:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        module.task_started.connect(_task_started, dispatch_uid=f"dynamo_wagtail_{module_name}")
    snippets.connect()
