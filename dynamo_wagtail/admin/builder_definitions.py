"""The builder's block definitions at an address of their own.

They are two fifths of the builder's page and the same for every type (one set per set of
kinds, language and relation targets): the page names them by version and ``builder.js``
fetches them once per version, keeping them in the browser's local storage (Wagtail sends
every admin response with ``never_cache``, so the HTTP cache cannot keep them).
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET
from wagtail.admin.auth import require_admin_access

from . import builder
from .forms import BuilderWidget, definitions_digest
from .views import SCHEMA_PERMISSION


@require_GET
@require_admin_access
@permission_required(SCHEMA_PERMISSION, raise_exception=True)
def definitions(request: HttpRequest) -> HttpResponse:
    """The packed definitions (telepath JSON) of the builder's blocks, as the page would
    have carried them. Their version is in the ``X-Dynamo-Version`` header: a page from before
    a change of kinds or relation targets gets the current ones, and keeps them under it."""
    block_json = BuilderWidget(builder.builder_block()).block_json
    response = HttpResponse(block_json, content_type="application/json")
    response["X-Dynamo-Version"] = definitions_digest(block_json)
    return response


urlpatterns = [
    path("dynamo/builder/definitions/", definitions, name="dynamo_wagtail_builder_definitions"),
]
