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
``ReferenceIndex.indexed/tracked_models``      :func:`forget_model`; Wagtail's post_save /
  + post_save/post_delete handlers for M         post_delete handlers for M are replaced at
                                                 once by this module's (see below)
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
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core import checks
from django.db import models
from django.db.models.signals import post_delete, post_save
from modelcluster.models import get_all_child_relations
from modelsearch.signal_handlers import post_delete_signal_handler, post_save_signal_handler
from wagtail import hooks
from wagtail.admin.admin_url_finder import finder_classes
from wagtail.admin.forms.models import registry as form_field_overrides
from wagtail.admin.menu import admin_menu, settings_menu
from wagtail.admin.panels.model_utils import get_edit_handler
from wagtail.admin.telepath import registry as telepath_registry
from wagtail.admin.viewsets import viewsets as viewset_registry
from wagtail.models import ReferenceIndex
from wagtail.permissions import policy_registry
from wagtail.search.index import class_is_indexed
from wagtail.signal_handlers import (
    disconnect_reference_index_signal_handlers_for_model,
    remove_reference_index_on_delete,
    update_reference_index_on_save,
)
from wagtail.snippets.action_menu import get_base_snippet_action_menu_items
from wagtail.snippets.models import SNIPPET_MODELS, get_workflow_enabled_models

Model = type[models.Model]


@contextlib.contextmanager
def recorded(viewset: Any) -> Iterator[None]:
    """Note the hooks and system checks added inside the block on ``viewset``."""
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
    if model in SNIPPET_MODELS:  # classes compare by identity: both scans at C speed
        SNIPPET_MODELS.remove(model)
    _pop_type(finder_classes, model)
    _pop_type(policy_registry, model)
    policy_registry.fallback_policies.pop(model, None)
    form_field_overrides.values_by_fk_related_model.pop(model, None)
    if model in _referenced:
        _referenced.discard(model)
    elif model in ReferenceIndex.tracked_models:
        disconnect_reference_index_signal_handlers_for_model(model)
    ReferenceIndex.tracked_models.discard(model)
    ReferenceIndex.indexed_models.discard(model)


def forget_widget(chooser: Any) -> None:
    """Take the chooser's widget class out of the telepath adapter registry."""
    widget_class = chooser.__dict__.get("widget_class")
    if widget_class is not None:
        telepath_registry.adapters.pop(widget_class, None)


def forget_viewsets(*viewsets: Any) -> None:
    for viewset in viewsets:
        _remove_identical(viewset_registry.viewsets, viewset)


def _remove_identical(items: list[Any], value: Any) -> None:
    for index, candidate in enumerate(items):
        if candidate is value:
            del items[index]
            return


# -- save and delete handlers, one receiver for every generated class ------------------
#
# Wagtail connects its reference index handlers, and modelsearch its index handlers, to
# post_save / post_delete once per model. For generated classes this module connects one
# receiver per signal instead and calls the same handlers for the classes that want them:
# per-model receivers make every connect and disconnect scan all receivers of the signal,
# and empty its per-sender cache, so that each save or delete after a schema change
# scanned them again (at 2,000 types, a few milliseconds per change).

#: Generated classes whose saves and deletes update Wagtail's reference index.
_referenced: weakref.WeakSet[Any] = weakref.WeakSet()
#: Generated classes whose saves and deletes update the search index.
_searched: weakref.WeakSet[Any] = weakref.WeakSet()


def _saved(sender: Any, **kwargs: Any) -> None:
    if sender in _referenced:
        update_reference_index_on_save(sender=sender, **kwargs)
    if sender in _searched:
        post_save_signal_handler(sender=sender, **kwargs)


def _deleted(sender: Any, **kwargs: Any) -> None:
    if sender in _referenced:
        remove_reference_index_on_delete(sender=sender, **kwargs)
    if sender in _searched:
        post_delete_signal_handler(sender=sender, **kwargs)


def connect_handlers() -> None:
    """Connect the two receivers (once; from ``AppConfig.ready()``)."""
    post_save.connect(_saved, dispatch_uid="dynamo_wagtail_saved")
    post_delete.connect(_deleted, dispatch_uid="dynamo_wagtail_deleted")


def take_over_references(model: Model) -> None:
    """After Wagtail's ``ReferenceIndex.register_model(model)``: the generated classes it
    tracks now (the model, its child models) get their handlers from this module."""
    candidates = [model, *(r.related_model for r in get_all_child_relations(model))]
    for candidate in candidates:
        if (
            hasattr(candidate, "dynamo_spec")
            and candidate in ReferenceIndex.tracked_models
            and candidate not in _referenced
        ):
            disconnect_reference_index_signal_handlers_for_model(candidate)
            _referenced.add(candidate)


def connect_search(model: Model) -> bool:
    """Index saves and deletes of ``model`` (Wagtail connects these at startup only).

    The factory gives indexed classes modelsearch's ``index_entries`` relation.
    """
    if not class_is_indexed(model):
        return False
    if getattr(model, "search_auto_update", True):
        _searched.add(model)
    return True


def disconnect_search(model: Model) -> None:
    _searched.discard(model)


def handlers_of(model: Model) -> set[str]:
    """Which of this module's handlers ``model``'s saves and deletes get (for checks)."""
    return {
        name for name, kept in (("references", _referenced), ("search", _searched)) if model in kept
    }


# -- caches -----------------------------------------------------------------------


def clear_caches() -> None:
    """Caches that hold generated classes or were computed from the snippet list."""
    # Imported here, not above: importing a wagtail_hooks module registers its hooks, which
    # Wagtail does itself, in app order, when it first looks for hooks.
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
    stale = {model for model in models if is_stale(model)}
    for model in stale:
        forget_model(model)
    if stale:
        for widget_class in list(telepath_registry.adapters):
            if getattr(widget_class, "model", None) in stale:
                telepath_registry.adapters.pop(widget_class, None)
