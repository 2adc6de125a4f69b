"""App config of the optional page types."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ... import rendering


class DynamoPagesConfig(AppConfig):
    name = "dynamo_wagtail.contrib.pages"
    label = "dynamo_wagtail_pages"
    verbose_name = _("Content type pages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import models

        # Entries rendered anywhere ({% dynamo_render %}, blocks, previews) link to their
        # detail pages under an EntryIndexPage.
        rendering.register_entry_url(self.name, models.entry_url)
