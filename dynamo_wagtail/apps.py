from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DynamoWagtailConfig(AppConfig):
    name = "dynamo_wagtail"
    label = "dynamo_wagtail"
    verbose_name = _("Dynamic content types")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signal_handlers

        signal_handlers.connect()

        from .admin import snippets

        snippets.connect()
