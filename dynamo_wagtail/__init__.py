"""Dynamic models for Wagtail: content types defined in the admin at runtime."""

__version__ = "0.1.0"
