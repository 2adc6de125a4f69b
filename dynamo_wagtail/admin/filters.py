"""The listing's filters of a generated type: Wagtail's, and a tags field's popular tags.

A tags field gets the filter Wagtail's image and document listings have: check boxes of
the field's ten most used tags (``?<field>=<tag name>``, several allowed).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.db.models import Count
from django.utils.text import capfirst
from wagtail.admin.filters import PopularTagsFilter, WagtailFilterSet
from wagtail.search.index import class_is_indexed

from ..kinds.tags import tag_fields

#: How many tags a tags field's filter offers (as Wagtail's media listings do).
POPULAR = 10


def popular_tags(field: Any, count: int = POPULAR) -> list[str]:
    """Names of the most used tags of ``field``, most used first."""
    through = field.through
    rows = (
        through._default_manager.values("tag__name")
        .annotate(used=Count("pk"))
        .order_by("-used", "tag__name")[:count]
    )
    return [row["tag__name"] for row in rows]


class DynamoFilterSet(WagtailFilterSet):
    """Filters of the type's ``list_filter``, then one per tags field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model = self._meta.model
        for field in tag_fields(model):
            names = popular_tags(field)
            if not names:
                continue
            self.filters[field.name] = PopularTagsFilter(
                label=capfirst(field.verbose_name),
                field_name=f"{field.name}__name",
                choices=[(name, name) for name in names],
                widget=forms.CheckboxSelectMultiple,
                # The search backends cannot search a queryset filtered across a relation.
                use_subquery=class_is_indexed(model),
                distinct=True,
                help_text="Filter by up to ten most used tags.",
            )


def filterset_for(model: type[models.Model], list_filter: Any) -> type[DynamoFilterSet] | None:
    """The listing's filter set class (None: nothing to filter by)."""
    if not list_filter and not tag_fields(model):
        return None
    meta = type("Meta", (), {"model": model, "fields": list_filter or []})
    return type(f"{model.__name__}FilterSet", (DynamoFilterSet,), {"Meta": meta})
