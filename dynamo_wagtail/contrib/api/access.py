"""Who may read and write the entries of a generated type through the API.

The same as the admin: the Wagtail groups' add/change/delete/view permissions of the
type (its permission policy). Anonymous callers, and callers without a permission, read
the published entries of types marked public. A type a caller may not see at all is a
404, so the API does not tell that it exists.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from wagtail.permissions import policy_registry

from ...entries import in_default_order
from ...entries import public as public_entries
from . import types

READ_ACTIONS = ("add", "change", "delete", "view")


def _may(request: HttpRequest, model: type[models.Model], actions: tuple[str, ...]) -> bool:
    user: Any = request.user
    if not user.is_authenticated:
        return False
    return policy_registry.get_by_type(model).user_has_any_permission(user, actions)


def is_editor(request: HttpRequest, model: type[models.Model]) -> bool:
    return _may(request, model, READ_ACTIONS)


def not_found(model: type[models.Model]) -> Http404:
    return Http404(f"No content type {model._meta.label}.")


def readable(request: HttpRequest, model: type[models.Model]) -> models.QuerySet:
    """Entries the caller may read, in the type's default order."""
    if is_editor(request, model):
        return in_default_order(model._default_manager.all())
    if types.public(model):
        return public_entries(model)
    raise not_found(model)


def require(request: HttpRequest, model: type[models.Model], action: str) -> None:
    """Go on only with the permission ``action``: else 403, or 404 for a type the caller
    cannot see."""
    if _may(request, model, (action,)):
        return
    if is_editor(request, model) or types.public(model):
        raise PermissionDenied(f"You may not {action} entries of {model._meta.label}.")
    raise not_found(model)
