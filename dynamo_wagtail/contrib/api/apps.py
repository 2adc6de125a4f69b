"""App config of the API."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DynamoAPIConfig(AppConfig):
    name = "dynamo_wagtail.contrib.api"
    label = "dynamo_wagtail_api"
    verbose_name = _("Content types in the API")

    def ready(self) -> None:
        # Models and Wagtail's API registry load once the app registry is ready.
        from ...registry import registry
        from . import checks, site, types

        checks.register()
        # Every class the registry builds or takes out: its schemas follow.
        if types.follow not in registry.listeners:
            registry.listeners.append(types.follow)
        if site.follow not in types.changed:
            types.changed.append(site.follow)
