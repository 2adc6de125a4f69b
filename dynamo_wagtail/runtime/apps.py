from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from django.apps import AppConfig
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..conf import settings


class RuntimeConfig(AppConfig):
    """Owner of the generated models; loads them from the database on first use.

    No database access happens in ``ready()``: ``get_model`` and ``get_models``
    build the classes when something first asks for them (a command, the shell,
    ``dumpdata``, ``ContentType.model_class()``, unpickling). Its models module is
    empty (:mod:`dynamo_wagtail.runtime.models`); generated classes join
    ``self.models``, the app registry's dict for this label.
    """

    #: Brings this process's generated classes up to date (``sync.ensure_current``; with
    #: ``force=True`` it asks the database even when nothing announced a change). The sync
    #: layer sits above this app: ``DynamoWagtailConfig.ready()`` connects it.
    loader: ClassVar[Callable[..., bool] | None] = None

    name = "dynamo_wagtail.runtime"
    verbose_name = _("Content types")
    default_auto_field = "django.db.models.BigAutoField"

    def __init__(self, app_name: str, app_module: Any) -> None:
        self.label = settings.DYNAMO_DEFAULT_APP
        super().__init__(app_name, app_module)

    def get_model(self, model_name: str, require_ready: bool = True) -> type[models.Model]:
        self._load()
        try:
            return super().get_model(model_name, require_ready)
        except LookupError:
            # Perhaps created by another process a moment ago.
            if self._load(force=True):
                return super().get_model(model_name, require_ready)
            raise

    def get_models(
        self, include_auto_created: bool = False, include_swapped: bool = False
    ) -> Iterator[type[models.Model]]:
        self._load()
        yield from super().get_models(include_auto_created, include_swapped)

    @classmethod
    def connect_loader(cls, loader: Callable[..., bool]) -> None:
        cls.loader = staticmethod(loader)

    def _load(self, force: bool = False) -> bool:
        loader = type(self).loader
        return loader(force=force) if loader is not None else False
