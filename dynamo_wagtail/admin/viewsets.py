"""Snippet viewsets for the definitions: content types (with the builder) and fields."""

from __future__ import annotations

from typing import Any

import django_filters
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views import chooser
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from ..mixins import FEATURE_KEYS
from ..models import MetaField, MetaModel
from .forms import MetaModelForm
from .layout_form import MetaModelLayoutForm
from .views import (
    MetaModelCreateView,
    MetaModelDeleteView,
    MetaModelEditView,
    MetaModelLayoutView,
)


def _field(name: str, **kwargs: Any) -> FieldPanel:
    """A panel of the type form: a definition takes no comments (nor their buttons)."""
    return FieldPanel(name, disable_comments=True, **kwargs)


class HiddenFieldPanel(FieldPanel):
    """A hidden input, with no heading nor field chrome (a panel of its own showed an empty
    section)."""

    class BoundPanel(FieldPanel.BoundPanel):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.heading = ""

        def render_html(self, parent_context: Any = None) -> str:
            return str(self.bound_field) if self.bound_field is not None else ""


class ActiveTypesMixin:
    """A type in the trash is not offered to choose."""

    def get_object_list(self) -> Any:
        return super().get_object_list().active()  # type: ignore[misc]


class MetaModelChooserViewSet(SnippetChooserViewSet):
    choose_view_class = type("ChooseView", (ActiveTypesMixin, chooser.ChooseView), {})
    choose_results_view_class = type(
        "ChooseResultsView", (ActiveTypesMixin, chooser.ChooseResultsView), {}
    )


class MetaModelViewSet(SnippetViewSet):
    model = MetaModel
    chooser_viewset_class = MetaModelChooserViewSet
    icon = "form"
    menu_label = _("Content types")
    url_prefix = "dynamo/types"
    add_view_class = MetaModelCreateView
    edit_view_class = MetaModelEditView
    delete_view_class = MetaModelDeleteView
    list_display = ["__str__", "plural_label", "name", "description", "updated_at"]
    search_fields = ["name", "verbose_name", "description"]
    copy_view_enabled = False
    inspect_view_enabled = True
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    _field("name"),
                    _field("verbose_name"),
                    _field("verbose_name_plural"),
                    _field("description"),
                    HiddenFieldPanel("expected_version"),
                ],
                heading=_("Content type"),
            ),
            _field("field_definitions", heading=_("Fields")),
            MultiFieldPanel(
                [
                    _field("title_field"),
                    _field("listing_columns"),
                    _field("search_fields"),
                    _field("ordering"),
                    _field("admin"),
                    _field("app"),
                ],
                heading=_("Admin"),
            ),
            MultiFieldPanel(
                [
                    _field("add_to_admin_menu"),
                    _field("menu_order"),
                    _field("icon"),
                    _field("api"),
                    _field("api_public"),
                ],
                heading=_("Where it shows"),
            ),
            MultiFieldPanel(
                [_field(key) for key in reversed(FEATURE_KEYS)],
                heading=_("Features"),
            ),
        ],
        base_form_class=MetaModelForm,
    )

    layout_panel = ObjectList(
        [
            _field("layout", heading=_("Layout")),
            _field("constraints", heading=_("Rules across fields")),
            HiddenFieldPanel("expected_version"),
        ],
        base_form_class=MetaModelLayoutForm,
    )

    @property
    def layout_view(self) -> Any:
        panel = self.layout_panel.bind_to_model(MetaModel)
        return self.construct_view(
            MetaModelLayoutView,
            **self.get_edit_view_kwargs(panel=panel, form_class=panel.get_form_class()),
        )

    def get_urlpatterns(self) -> list[Any]:
        return [
            *super().get_urlpatterns(),
            path("layout/<str:pk>/", self.layout_view, name="layout"),
        ]

    def get_queryset(self, request: Any) -> Any:
        return MetaModel.objects.filter(trashed_at__isnull=True)


class FieldListPolicy(ModelPermissionPolicy):
    """Fields are edited in the builder: the field listing only looks."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action in ("add", "change", "delete"):
            return False
        return user.has_perm("dynamo_wagtail.change_metamodel") or super().user_has_permission(
            user, action
        )

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user: Any, actions: Any, instance: Any) -> bool:
        return self.user_has_any_permission(user, actions)


class MetaFieldFilterSet(WagtailFilterSet):
    meta_model = django_filters.ModelChoiceFilter(
        # django-filter calls a callable queryset with the request; its stubs want a QuerySet.
        queryset=lambda request: MetaModel.objects.active()  # type: ignore[arg-type]
    )

    class Meta:
        model = MetaField
        fields = ["meta_model", "type", "required"]


class MetaFieldViewSet(SnippetViewSet):
    model = MetaField
    icon = "list-ul"
    menu_label = _("Fields")
    url_prefix = "dynamo/fields"
    list_display = ["__str__", "name", "meta_model", "type", "required", "unique", "indexed"]
    filterset_class = MetaFieldFilterSet
    search_fields = ["name", "verbose_name", "description"]
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_queryset(self, request: Any) -> Any:
        return MetaField.objects.filter(
            trashed_at__isnull=True, meta_model__trashed_at__isnull=True
        ).select_related("meta_model")


class ContentTypesGroup(SnippetViewSetGroup):
    items = (MetaModelViewSet, MetaFieldViewSet)
    menu_icon = "form"
    menu_label = _("Content types")
    menu_name = "dynamo-content-types"
