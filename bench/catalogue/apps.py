from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    """Static models the dynamic types are compared with."""

    name = "bench.catalogue"
    label = "catalogue"
    default_auto_field = "django.db.models.BigAutoField"
