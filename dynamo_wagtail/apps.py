from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DynamoWagtailConfig(AppConfig):
    name = "dynamo_wagtail"
    label = "dynamo_wagtail"
    verbose_name = _("Dynamic content types")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The top of the layers: importing it here, once the models are loaded, connects
        # the seams through which definition rows reach the engine (no database access).
        from . import wiring

        wiring.connect()
