"""App config of the optional page types."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DynamoPagesConfig(AppConfig):
    name = "dynamo_wagtail.contrib.pages"
    label = "dynamo_wagtail_pages"
    verbose_name = _("Content type pages")
    default_auto_field = "django.db.models.BigAutoField"
