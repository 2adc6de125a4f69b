"""Wagtail hook registrations of dynamo_wagtail (registrations only)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from .admin import builder_definitions, log_actions, urls_trash
from .admin.menu import TrashMenuItem
from .admin.urls import resolver
from .admin.viewsets import ContentTypesGroup, FieldListPolicy
from .models import MetaField


@hooks.register("register_admin_urls")
def register_dynamic_snippet_urls() -> list[URLResolver]:
    # One live resolver for the snippet viewsets of every generated type.
    return [resolver]


register_permission_policy(MetaField, FieldListPolicy(MetaField))
register_snippet(ContentTypesGroup)


@hooks.register("register_admin_urls")
def register_trash_urls() -> list[URLPattern]:
    return urls_trash.urlpatterns


@hooks.register("register_admin_urls")
def register_builder_urls() -> list[URLPattern]:
    return builder_definitions.urlpatterns


@hooks.register("register_settings_menu_item")
def register_trash_menu_item() -> TrashMenuItem:
    return TrashMenuItem(
        _("Content type trash"), reverse("dynamo_wagtail_trash"), icon_name="bin", order=900
    )


@hooks.register("register_log_actions")
def register_log_actions(actions: Any) -> None:
    log_actions.register(actions)
