"""What registering a snippet viewset leaves behind in Wagtail, and taking it out.

``SnippetViewSet.on_register()`` (Wagtail 8.0.1) touches, for its model ``M``:

=============================================  ==========================================
registration                                   undone by
=============================================  ==========================================
``hooks.register(menu_hook, get_menu_item)``   :func:`recorded` → remove those entries
  (only with add_to_admin/settings_menu)
``hooks.register("register_permissions",       :func:`recorded` → remove those entries
  get_permissions_to_register)``
``checks.register(snippets_model_check)``      :func:`recorded` → discard from the registry
``admin_url_finder.finder_classes[M]``         :func:`forget_model`
``policy_registry`` (fallback policy for M)    :func:`forget_model`
``ReferenceIndex.indexed/tracked_models``      :func:`forget_model` (and its post_save /
  + post_save/post_delete handlers for M         post_delete handlers disconnected)
``SNIPPET_MODELS`` (+ sort)                    :func:`forget_model`
chooser: ``register_form_field_override(       :func:`forget_model`
  ForeignKey, to=M)``
chooser: telepath adapter for its widget       :func:`forget_widget`
  (only if widget_telepath_adapter_class)
``viewsets.viewsets`` (viewset + chooser)      not added (see ``snippets.py``); removed
                                                 if present all the same
``M.snippet_viewset``, ``M.get_edit_handler``  left on the dead class (see ``snippets.py``)
=============================================  ==========================================

Caches keyed by model or built from the snippet list are cleared by
:func:`clear_caches`. :func:`sweep` removes from the same registries any
generated class that is no longer current (put back by a request that was still
running with an old class while its type changed).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core import checks
from django.db import models
from django.db.models.signals import post_delete, post_save

Model = type[models.Model]


@contextlib.contextmanager
def recorded(viewset: Any) -> Iterator[None]:
    """Note the hooks and system checks added inside the block on ``viewset``."""
    from wagtail import hooks

    # Import every wagtail_hooks module first, or their hooks would be noted as ours.
    hooks.search_for_hooks()
    hooks_before = {name: len(entries) for name, entries in hooks._hooks.items()}
    checks_before = set(checks.registry.registry.registered_checks)
    try:
        yield
    finally:
        viewset._dynamo_hooks = [
            (name, entry)
            for name, entries in hooks._hooks.items()
            for entry in entries[hooks_before.get(name, 0) :]
        ]
        viewset._dynamo_checks = checks.registry.registry.registered_checks - checks_before


def forget_recorded(viewset: Any) -> None:
    """Remove the hooks and checks :func:`recorded` noted."""
    from wagtail import hooks

    for name, entry in getattr(viewset, "_dynamo_hooks", ()):
        entries = hooks._hooks.get(name, [])
        for index, candidate in enumerate(entries):
            if candidate is entry:
                del entries[index]
                break
    checks.registry.registry.registered_checks.difference_update(
        getattr(viewset, "_dynamo_checks", ())
    )
    viewset._dynamo_hooks = []
    viewset._dynamo_checks = set()


def _pop_type(registry: Any, model: Model) -> None:
    """Take ``model`` out of a wagtail.utils.registry.ObjectTypeRegistry."""
    registry.values_by_class.pop(model, None)
    registry.values_by_exact_class.pop(model, None)


def forget_model(model: Model) -> None:
    """Take ``model`` out of every Wagtail registry a snippet viewset put it in."""
    from wagtail.admin.admin_url_finder import finder_classes
    from wagtail.admin.forms.models import registry as form_field_overrides
    from wagtail.models import ReferenceIndex
    from wagtail.permissions import policy_registry
    from wagtail.signal_handlers import disconnect_reference_index_signal_handlers_for_model
    from wagtail.snippets.models import SNIPPET_MODELS

    if model in SNIPPET_MODELS:  # a scan at C speed; the removal below is Python's
        _remove_identical(SNIPPET_MODELS, model)
    _pop_type(finder_classes, model)
    _pop_type(policy_registry, model)
    policy_registry.fallback_policies.pop(model, None)
    form_field_overrides.values_by_fk_related_model.pop(model, None)
    if model in ReferenceIndex.tracked_models:
        disconnect_reference_index_signal_handlers_for_model(model)
    ReferenceIndex.tracked_models.discard(model)
    ReferenceIndex.indexed_models.discard(model)


def forget_widget(chooser: Any) -> None:
    """Take the chooser's widget class out of the telepath adapter registry."""
    from wagtail.admin.telepath import registry as telepath_registry

    widget_class = chooser.__dict__.get("widget_class")
    if widget_class is not None:
        telepath_registry.adapters.pop(widget_class, None)


def forget_viewsets(*viewsets: Any) -> None:
    from wagtail.admin.viewsets import viewsets as registry

    for viewset in viewsets:
        _remove_identical(registry.viewsets, viewset)


def _remove_identical(items: list[Any], value: Any) -> None:
    for index, candidate in enumerate(items):
        if candidate is value:
            del items[index]
            return


# -- search (modelsearch) handlers, for runtime models only ----------------------


def connect_search(model: Model) -> bool:
    """Index saves and deletes of ``model`` (Wagtail connects these at startup only).

    The factory gives indexed classes modelsearch's ``index_entries`` relation.
    """
    from wagtail.search import index
    from wagtail.search.signal_handlers import (
        post_delete_signal_handler,
        post_save_signal_handler,
    )

    if not index.class_is_indexed(model):
        return False
    if getattr(model, "search_auto_update", True):
        post_save.connect(post_save_signal_handler, sender=model)
        post_delete.connect(post_delete_signal_handler, sender=model)
    return True


def disconnect_search(model: Model) -> None:
    from wagtail.search.signal_handlers import (
        post_delete_signal_handler,
        post_save_signal_handler,
    )

    post_save.disconnect(post_save_signal_handler, sender=model)
    post_delete.disconnect(post_delete_signal_handler, sender=model)


# -- caches -----------------------------------------------------------------------


def clear_caches() -> None:
    """Caches that hold generated classes or were computed from the snippet list."""
    from wagtail.admin.menu import admin_menu, settings_menu
    from wagtail.admin.panels.model_utils import get_edit_handler
    from wagtail.snippets.action_menu import get_base_snippet_action_menu_items
    from wagtail.snippets.models import get_workflow_enabled_models
    from wagtail.snippets.wagtail_hooks import SnippetsMenuItem

    get_workflow_enabled_models.cache_clear()
    get_base_snippet_action_menu_items.cache_clear()
    get_edit_handler.cache_clear()
    for menu in (admin_menu, settings_menu):
        for item in menu.__dict__.get("registered_menu_items", ()):
            if isinstance(item, SnippetsMenuItem):
                item.__dict__.pop("_snippets_in_index_view", None)
        # Menu items of viewsets with their own menu entry come from hooks.
        menu.__dict__.pop("registered_menu_items", None)


def sweep(is_stale: Callable[[Any], bool], models: Iterable[Any]) -> None:
    """Take the stale ones of ``models`` out of the registries :func:`forget_model` knows.

    ``models`` are the generated classes taken out of the registry that are still alive:
    whatever still holds one may have put it back in a registry (a request that was
    running on it). Looking at those alone costs nothing per installed type.
    """
    from wagtail.admin.telepath import registry as telepath_registry

    stale = {model for model in models if is_stale(model)}
    for model in stale:
        forget_model(model)
    if stale:
        for widget_class in list(telepath_registry.adapters):
            if getattr(widget_class, "model", None) in stale:
                telepath_registry.adapters.pop(widget_class, None)
