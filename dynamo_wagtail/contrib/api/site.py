"""The API of the generated types as this process has them now.

Each served type gets a django-ninja API of its own, holding its router at the concrete
path ``/snippets/<app_label>.<Model>/`` and Wagtail's v3 exception handlers. It is made
at the type's first request and kept while the type's class is installed, so a schema
change rebuilds only the types it rebuilt. Requests reach it through the project's URL
include (:mod:`dynamo_wagtail.contrib.api.urls`), which resolves the rest of the path
against the type's API; the OpenAPI document is Wagtail's own with every served type's
operations and schemas merged in, made on request and kept for the generation. Each
process follows the schema version when it syncs, so routes, schemas and the document
always match the classes the request works with.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
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
class TypeAPI:
    """One served class's operations."""

    served: types.Served
    api: NinjaAPI
    resolver: URLResolver
    #: Path prefix → this type's part of the OpenAPI document.
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)

    def document(self, prefix: str) -> dict[str, Any]:
        part = self.documents.get(prefix)
        if part is None:
            part = self.documents[prefix] = dict(self.api.get_openapi_schema(path_prefix=prefix))
        return part


@dataclass
class Build:
    #: The generation of the served types it follows (see ``types.current``).
    generation: int
    served: Mapping[str, types.Served]
    apis: dict[str, TypeAPI] = field(default_factory=dict)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def api(self, label: str) -> TypeAPI | None:
        """The operations of the type served under ``label`` (None if it is not)."""
        made = self.apis.get(label)
        if made is not None:
            return made
        served = self.served.get(label)
        if served is None:
            return None
        with self.lock:
            made = self.apis.get(label)
            if made is None:
                made = _make(served)
                if made is None:
                    return None
                self.apis = {**self.apis, label: made}
        return made


_lock = threading.Lock()
_build: Build | None = None
_wagtail_documents: dict[str, dict[str, Any]] = {}


def _make(served: types.Served) -> TypeAPI | None:
    built = served.schemas()
    if built is None:
        return None
    api = NinjaAPI(
        title=wagtail_api.title,
        version=wagtail_api.version,
        urls_namespace=f"dynamo_api_{served.label}",
        docs_url=None,
        openapi_url=None,
    )
    register_exception_handlers(api)
    api.add_router(f"/snippets/{served.label}/", build_router(built))
    patterns, _app, _namespace = api.urls
    return TypeAPI(served=served, api=api, resolver=URLResolver(RegexPattern(r"^"), patterns))


def _follow(previous: Build | None, generation: int, served: Mapping[str, types.Served]) -> Build:
    """The build of ``generation``, keeping the operations of every type not rebuilt."""
    kept = {}
    if previous is not None:
        kept = {
            label: made for label, made in previous.apis.items() if served.get(label) is made.served
        }
    return Build(generation=generation, served=served, apis=kept)


def current() -> Build:
    """The build for the classes installed now."""
    global _build
    build = _build
    generation, served = types.current()
    if build is not None and build.generation == generation:
        return build
    with _lock:
        build = _build
        if build is None or build.generation != generation:
            build = _build = _follow(build, generation, served)
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
    merged = {**base}
    paths = {**base.get("paths", {})}
    components = {key: {**values} for key, values in base.get("components", {}).items()}
    for label in sorted(build.served):
        made = build.api(label)
        if made is None:
            continue
        ours = made.document(prefix)
        paths.update(ours.get("paths", {}))
        for key, values in ours.get("components", {}).items():
            components.setdefault(key, {}).update(values)
    merged["paths"] = paths
    merged["components"] = components
    build.documents[prefix] = merged
    return merged


def follow() -> None:
    """After a change of the served types: let go of the classes taken out now, not at
    the next request."""
    current()


def forget() -> None:
    """Drop every build (tests)."""
    global _build
    with _lock:
        _build = None
