"""The API of the generated types as this process has them now.

For each schema version the process builds one django-ninja API holding a router per
served type, at the concrete path ``/snippets/<app_label>.<Model>/``, with Wagtail's v3
exception handlers. Requests reach it through the project's URL include
(:mod:`dynamo_wagtail.contrib.api.urls`), which resolves the rest of the path against
the current build; the OpenAPI document is Wagtail's own with the current build's
operations and schemas merged in. A schema change makes a new build at the next
request (each process builds its own when it syncs), so routes, schemas and the
document always match the classes the request works with.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLResolver
from django.urls.resolvers import RegexPattern
from ninja import NinjaAPI
from wagtail.api.v3.api import api as wagtail_api
from wagtail.api.v3.errors import register_exception_handlers

from . import types
from .endpoints import build_router


@dataclass
class Build:
    #: The generation of the served types it was built from (see ``types.current``).
    generation: int
    labels: frozenset[str]
    api: NinjaAPI
    resolver: URLResolver
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)


_lock = threading.Lock()
_build: Build | None = None
_wagtail_documents: dict[str, dict[str, Any]] = {}


def _make(generation: int, served: dict[str, Any]) -> Build:
    api = NinjaAPI(
        title=wagtail_api.title,
        version=wagtail_api.version,
        urls_namespace=f"dynamo_api_{generation}",
        docs_url=None,
        openapi_url=None,
    )
    register_exception_handlers(api)
    for label in sorted(served):
        api.add_router(f"/snippets/{label}/", build_router(served[label]))
    patterns, _app, _namespace = api.urls
    return Build(
        generation=generation,
        labels=frozenset(served),
        api=api,
        resolver=URLResolver(RegexPattern(r"^"), patterns),
    )


def current() -> Build:
    """The build for the classes installed now (made on first use after a change)."""
    global _build
    build = _build
    generation, served = types.current()
    if build is not None and build.generation == generation:
        return build
    with _lock:
        build = _build
        if build is None or build.generation != generation:
            build = _make(generation, served)
            _build = build
    return build


def document(prefix: str) -> dict[str, Any]:
    """Wagtail's OpenAPI document with every served type's operations and schemas."""
    build = current()
    cached = build.documents.get(prefix)
    if cached is not None:
        return cached
    base = _wagtail_documents.get(prefix)
    if base is None:
        base = dict(wagtail_api.get_openapi_schema(path_prefix=prefix))
        _wagtail_documents[prefix] = base
    ours = build.api.get_openapi_schema(path_prefix=prefix)
    merged = {**base}
    merged["paths"] = {**base.get("paths", {}), **ours.get("paths", {})}
    components = {**base.get("components", {})}
    for key, values in ours.get("components", {}).items():
        components[key] = {**components.get(key, {}), **values}
    merged["components"] = components
    build.documents[prefix] = merged
    return merged


def forget() -> None:
    """Drop the current build (tests)."""
    global _build
    with _lock:
        _build = None
