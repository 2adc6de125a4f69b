"""Every generated type as a Wagtail snippet, from the moment its class exists.

:func:`connect` adds :func:`on_registry_change` to the registry's listeners: for
each class taken out it unregisters its viewset (every registration listed in
:mod:`.registrations` undone), for each class installed with ``admin`` on it
registers a :class:`DynamoSnippetViewSet` subclass built from the type's spec,
then refreshes the live admin URLs (:mod:`.urls`) and Wagtail's caches. Other
processes get the same through sync, which rebuilds the registry.

Two deliberate departures from ``viewsets.register(SnippetViewSet(...))``:

* The viewset and its chooser are **not** added to ``viewsets.viewsets``. That list
  is only read when ``wagtail.admin.urls`` is imported; a type loaded before that
  (the sync middleware runs before URL resolution) would get static URLs serving
  its old class forever. Their URLs come from :data:`.urls.resolver` only.
* ``M.snippet_viewset`` and ``M.get_edit_handler`` stay on a class taken out: they
  are attributes of the dead class only (no global state), and a request still
  running with the old class may read them; the cycle goes with the class.
"""

from __future__ import annotations

import bisect
import logging
import weakref
from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.views.generic.detail import SingleObjectMixin
from taggit.managers import _TaggableManager
from wagtail.admin.checks import check_panels_in_model
from wagtail.blocks import StreamValue
from wagtail.permissions import policy_registry
from wagtail.search.index import class_is_indexed
from wagtail.snippets.models import SNIPPET_MODELS
from wagtail.snippets.views import chooser
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from ..kinds.tags import tag_fields
from ..presentation import with_links
from ..registry import registry
from . import filters, panels, registrations
from .urls import resolver

logger = logging.getLogger(__name__)

Model = type[models.Model]

#: Type uid -> the registered viewset of its current class.
_viewsets: dict[str, DynamoSnippetViewSet] = {}
#: Type uid -> its current class, if its saves and deletes update the search index.
_searched: dict[str, Model] = {}


class ChooserPermissionMixin:
    """Choosing entries of a type needs a permission on it, like its listing."""

    model_class: Model

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        policy = policy_registry.get_by_type(self.model_class)
        actions = ["add", "change", "delete", "view"]
        if not policy.user_has_any_permission(request.user, actions):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class DynamoChooserViewSet(SnippetChooserViewSet):
    choose_view_class = type("ChooseView", (ChooserPermissionMixin, chooser.ChooseView), {})
    choose_results_view_class = type(
        "ChooseResultsView", (ChooserPermissionMixin, chooser.ChooseResultsView), {}
    )
    chosen_view_class = type("ChosenView", (ChooserPermissionMixin, chooser.SnippetChosenView), {})
    chosen_multiple_view_class = type(
        "ChosenMultipleView", (ChooserPermissionMixin, chooser.SnippetChosenMultipleView), {}
    )


def stream_text(value: StreamValue) -> str:
    """A stream field's cell in a CSV or XLSX export: its text, block after block (what
    search indexes), not the HTML the blocks render."""
    return " ".join(value.stream_block.get_searchable_content(value))


def tag_names(manager: _TaggableManager) -> str:
    """A tags field's cell in a CSV or XLSX export: its tags, by name."""
    return ", ".join(sorted(tag.name for tag in manager.all()))


def group_text(manager: Any) -> str:
    """A group's cell in a CSV or XLSX export: its items in their order, each as the values
    of its fields."""
    rows = []
    for item in manager.all():
        names = [f.name for f in item.dynamo_spec.active_fields]
        values = [getattr(item, n) for n in names]
        rows.append(", ".join(str(v) for v in values if v not in (None, "")))
    return " | ".join(rows)


class DynamoIndexView(IndexView):
    custom_value_preprocess = {
        **IndexView.custom_value_preprocess,
        StreamValue: {"csv": stream_text, "xlsx": stream_text},
        _TaggableManager: {"csv": tag_names, "xlsx": tag_names},
    }

    @cached_property
    def filterset_class(self) -> Any:
        if self.locale:
            return super().filterset_class
        return filters.filterset_for(self.model, self.list_filter)

    def get_base_queryset(self) -> models.QuerySet:
        # Links, tags and group items in one query per field (exports show them).
        return with_links(super().get_base_queryset())

    def get_preprocess_function(self, field: str, value: Any, export_format: str) -> Any:
        if field in getattr(self.model, "dynamo_group_names", ()):
            return group_text
        return super().get_preprocess_function(field, value, export_format)


class DynamoSnippetViewSet(SnippetViewSet):
    """The snippet viewset of a generated type (subclassed per type)."""

    chooser_viewset_class = DynamoChooserViewSet
    index_view_class = DynamoIndexView
    add_to_admin_menu = False
    copy_view_enabled = True
    inspect_view_enabled = True

    def register_snippet_model(self) -> None:
        """As Wagtail's, but inserted in Wagtail's order instead of sorting the whole list
        (sorting per registration cost O(types²) to load the types, and a sort per change
        O(types))."""
        if self.model in SNIPPET_MODELS:
            raise ImproperlyConfigured(
                f"The {self.model.__name__} model is already registered as a snippet"
            )
        bisect.insort(SNIPPET_MODELS, self.model, key=_snippet_order)

    def construct_view(self, view_class: Any, **kwargs: Any) -> Any:
        # Django's object views also put the entry in the context under the model
        # name: a type called Locale, User or Form would replace what Wagtail's
        # templates read under that name. ``object`` is all the templates use.
        if issubclass(view_class, SingleObjectMixin):
            kwargs.setdefault("context_object_name", "object")
        return super().construct_view(view_class, **kwargs)

    @cached_property
    def chooser_viewset(self) -> Any:
        # Wagtail builds a new chooser viewset on every access; keep the registered one.
        return super().chooser_viewset

    def register_chooser_viewset(self) -> None:
        # Not viewsets.register(): its URLs are served by dynamo_wagtail.admin.urls.
        self.chooser_viewset.on_register()

    def register_reference_index(self) -> None:
        # Wagtail decides what to track; one receiver serves every generated class.
        super().register_reference_index()
        registrations.take_over_references(self.model)

    def register_model_check(self) -> None:
        # One check covers every generated type (panels_check): a closure per type given
        # to checks.register() would stay in django.utils.inspect's lru_cache with its model.
        pass


def panels_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Wagtail's snippet panel check, for the registered generated types."""
    errors: list[checks.CheckMessage] = []
    for viewset in list(_viewsets.values()):
        errors.extend(check_panels_in_model(viewset.model, "snippets"))
    return errors


# -- per-type configuration -------------------------------------------------------


def _fields(model: Model) -> dict[str, models.Field]:
    """The model fields of the type's active fields, by name, in spec order."""
    spec = model.dynamo_spec  # type: ignore[attr-defined]
    by_name = {
        f.name: f
        for f in model._meta.get_fields()
        if isinstance(f, models.Field) and not f.auto_created  # no reverse relations
    }
    return {f.name: by_name[f.name] for f in spec.active_fields if f.name in by_name}


def _filters(fields: dict[str, models.Field]) -> dict[str, list[str]]:
    lookups = {}
    for name, field in fields.items():
        if isinstance(field, (models.DateField, models.TimeField)):
            lookups[name] = ["gte", "lte"]
        elif (
            getattr(field, "choices", None)
            and not isinstance(field, models.JSONField)
            or isinstance(field, (models.BooleanField, models.ForeignKey, models.ManyToManyField))
        ):
            lookups[name] = ["exact"]
    return lookups


def viewset_attrs(model: Model) -> dict[str, Any]:
    """The SnippetViewSet attributes of a generated type, from its spec options."""
    spec = model.dynamo_spec  # type: ignore[attr-defined]
    fields = _fields(model)
    plain = [n for n, f in fields.items() if not f.many_to_many]
    tagged = [f.name for f in tag_fields(model)]
    names = {f.name for f in model._meta.get_fields()}
    grouped = [f.name for f in spec.active_fields if f.kind == "group" and f.name in names]
    title = spec.option("title_field")
    columns = [c for c in spec.option("listing_columns") or [] if c in plain or c == "__str__"]
    if not columns:
        columns = [title] if title in plain else ["__str__"]
    searchable = [n for n in plain if not fields[n].is_relation]
    search = [n for n in spec.option("search_fields") or [] if n in searchable]
    ordering = [o for o in spec.option("ordering") or [] if o.lstrip("-") in (*plain, "pk", "id")]
    attrs: dict[str, Any] = {
        "model": model,
        "icon": spec.option("icon") or "snippet",
        # The plural label, capitalised as Django does (MetaModel.plural_label).
        "menu_label": capfirst(model._meta.verbose_name_plural),
        # Unique and stable: a slug of the label could be another menu item's name.
        "menu_name": f"dynamo-{model._meta.model_name}",
        "add_to_admin_menu": bool(spec.option("add_to_admin_menu", False)),
        # None: Wagtail's default place, just before Reports.
        "menu_order": spec.option("menu_order"),
        "list_display": columns,
        "list_filter": _filters(fields),
        "list_export": [*plain, *tagged, *grouped],
        # An indexed type is searched through its search index (its search_fields are
        # the spec's); limiting the fields there fails on the SQLite FTS backend.
        "search_fields": None if class_is_indexed(model) else search or None,
        "copy_view_enabled": True,
        "inspect_view_enabled": True,
    }
    if ordering:
        attrs["ordering"] = ordering
    attrs["edit_handler"] = panels.edit_handler(model, fields)
    return attrs


def build_viewset(model: Model) -> DynamoSnippetViewSet:
    """A new (unregistered) viewset instance for ``model``."""
    cls = type(f"{model.__name__}SnippetViewSet", (DynamoSnippetViewSet,), viewset_attrs(model))
    return cls()


def wants_admin(model: Model) -> bool:
    spec = getattr(model, "dynamo_spec", None)
    return spec is not None and spec.is_active and spec.admin


# -- register / unregister --------------------------------------------------------


def register(model: Model) -> DynamoSnippetViewSet | None:
    """Register ``model`` as a snippet (the caller then calls :func:`refresh`)."""
    viewset = build_viewset(model)
    try:
        with registrations.recorded(viewset):
            viewset.on_register()
    except Exception:
        # A type whose admin cannot be built must not break the models: log, undo, go on.
        logger.exception("dynamo_wagtail: could not register %s as a snippet", model.__name__)
        _undo(viewset)
        return None
    _viewsets[model.dynamo_spec.uid] = viewset  # type: ignore[attr-defined]
    resolver.add(viewset)
    resolver.add(viewset.chooser_viewset)
    return viewset


def unregister(model: Model) -> bool:
    """Undo :func:`register` for ``model`` (the caller then calls :func:`refresh`)."""
    spec = getattr(model, "dynamo_spec", None)
    if spec is None:
        return False
    viewset = _viewsets.get(spec.uid)
    if viewset is None or viewset.model is not model:
        return False
    del _viewsets[spec.uid]
    _undo(viewset)
    return True


def _undo(viewset: DynamoSnippetViewSet) -> None:
    model = viewset.model
    chooser = viewset.__dict__.get("chooser_viewset")
    resolver.remove(viewset)
    registrations.forget_recorded(viewset)
    registrations.forget_model(model)
    if chooser is not None:
        resolver.remove(chooser)
        registrations.forget_recorded(chooser)
        registrations.forget_widget(chooser)
        registrations.forget_viewsets(viewset, chooser)
    else:
        registrations.forget_viewsets(viewset)


def _snippet_order(model: Any) -> Any:
    """Wagtail's order of ``SNIPPET_MODELS`` (``register_snippet`` sorts it so)."""
    return model._meta.verbose_name


def _is_stale(candidate: Any) -> bool:
    spec = getattr(candidate, "dynamo_spec", None)
    if not isinstance(candidate, type) or spec is None:
        return False
    uid = getattr(spec, "uid", None)
    return uid is None or registry.classes.get(uid) is not candidate


#: Generated classes taken out of the registry that are still alive somewhere.
_retired: weakref.WeakSet[Any] = weakref.WeakSet()


def refresh() -> None:
    """After (un)registering: live URLs, Wagtail's caches, no stale class anywhere."""
    registrations.sweep(_is_stale, list(_retired))
    registrations.clear_caches()
    resolver.changed()


def on_registry_change(installed: list[Model], removed: list[Model]) -> None:
    """The registry listener: old classes out first, then the new ones in."""
    _retired.update(removed)
    for model in removed:
        unregister(model)
        if _searched.get(model.dynamo_spec.uid) is model:  # type: ignore[attr-defined]
            del _searched[model.dynamo_spec.uid]  # type: ignore[attr-defined]
            registrations.disconnect_search(model)
    for model in installed:
        if wants_admin(model):
            register(model)
        if registrations.connect_search(model):
            _searched[model.dynamo_spec.uid] = model  # type: ignore[attr-defined]
    refresh()


def connect() -> None:
    """Follow the registry from now on (call from ``AppConfig.ready()``; no DB access).

    Classes the registry already holds are registered at once.
    """
    checks.register(panels_check, "panels")
    registrations.connect_handlers()
    with registry.lock:
        if on_registry_change in registry.listeners:
            return
        registry.listeners.append(on_registry_change)
        if registry.classes:
            on_registry_change(list(registry.classes.values()), [])
