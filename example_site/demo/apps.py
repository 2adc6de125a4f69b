from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo content for the example site (the ``dynamo_demo`` command)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
