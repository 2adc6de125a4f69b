"""The URL include of the API, placed just before Wagtail's own v3 include::

    from wagtail.api.v3.urls import api

    urlpatterns = [
        path("api/v3/", include("dynamo_wagtail.contrib.api.urls")),
        path("api/v3/", api.urls),
        ...
    ]

It answers only for generated types (the converter knows their labels) and for the
OpenAPI document; everything else falls through to Wagtail's API.
"""

from __future__ import annotations

from django.urls import path, register_converter

from . import types, views

app_name = "dynamo_api"


class TypeLabel:
    """``app_label.Model`` of a generated class installed in this process."""

    regex = r"[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*"

    def to_python(self, value: str) -> str:
        if not types.known(value):
            raise ValueError(value)  # not one of ours: the next pattern (Wagtail's) tries
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TypeLabel, "dynamo_type")

urlpatterns = [
    path(views.DOCUMENT, views.openapi, name="openapi"),
    path("snippets/<dynamo_type:label>/", views.dispatch, name="entries"),
    path("snippets/<dynamo_type:label>/<path:rest>", views.dispatch, name="entry"),
]
