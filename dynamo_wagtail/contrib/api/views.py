"""The project's way in: the views of the URL include.

A request for ``snippets/<label>/…`` is resolved against the type's operations of the
current build and handed to the operation ninja made for it; ``openapi.json`` answers
the merged document.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404
from django.views.decorators.csrf import csrf_exempt
from wagtail.api.v3.errors import problem_response

from ... import sync
from . import site

DOCUMENT = "openapi.json"


@csrf_exempt  # as every v3 operation: callers authenticate by token, never by cookie
def dispatch(request: HttpRequest, label: str, rest: str = "") -> Any:
    served = site.current().api(label)
    if served is None:
        return problem_response(status=404, detail=f"No content type {label}.")
    try:
        match = served.resolver.resolve(f"snippets/{label}/{rest}")
    except Resolver404:
        return problem_response(status=404, detail="Not found")
    try:
        return match.func(request, *match.args, **match.kwargs)
    except DatabaseError:
        # A schema change committed while this request ran with the classes before it:
        # the caller may try again (the next request has the new classes), nothing was
        # saved. Any other database error is a server error.
        seen = getattr(request, "dynamo_schema_version", None)
        if seen is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            raise
        if sync.read_version() == seen:
            raise
        return problem_response(status=409, detail=sync.SCHEMA_CHANGED)


def openapi(request: HttpRequest) -> HttpResponse:
    """Wagtail's OpenAPI document with the generated types in it (same gate as Wagtail's)."""
    if not getattr(settings, "WAGTAILAPI_DOCS_ENABLED", True):
        raise Http404
    prefix = request.path[: -len(DOCUMENT)]
    return JsonResponse(site.document(prefix))
