"""Live admin URLs for the snippet viewsets of generated types.

Wagtail collects admin URLs once, when ``wagtail.admin.urls`` is imported, so a
viewset registered later has none. :data:`resolver` is put into the admin URLs
once (by the ``register_admin_urls`` hook in ``dynamo_wagtail/wagtail_hooks.py``)
and serves the URLs of the viewsets registered *now*: each viewset is included
under its own prefix and namespace exactly as Wagtail includes its viewsets
(``require_admin_access``, the admin 404 page, ``never_cache``), so Wagtail's own
``reverse()`` calls work. After a change, :meth:`DynamicViewSetResolver.changed`
drops the cached patterns and the reverse/namespace tables of every resolver
above this one, and clears Django's URL caches.

Resolving is O(1) in the number of types: a path is looked up by its prefix,
never matched against every viewset. Reversing builds the tables once per change,
from each viewset's prefix and namespace only: a viewset's URL patterns are built
when it is first resolved or reversed (:class:`ViewSetInclude`).
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol, cast

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLResolver, clear_url_caches, get_resolver
from django.urls.exceptions import Resolver404
from django.urls.resolvers import ResolverMatch, RoutePattern
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.defaults import page_not_found
from wagtail.admin.auth import require_admin_access
from wagtail.utils.urlpatterns import decorate_urlpatterns

View = Callable[..., HttpResponse]


class _ResolverInternals(Protocol):
    """What a URLResolver has in django/urls/resolvers.py that django-stubs does not declare."""

    #: language code -> table, filled by ``_populate()``.
    _reverse_dict: dict[str, Any]
    _namespace_dict: dict[str, Any]
    _app_dict: dict[str, Any]
    _callback_strs: set[str]
    _populated: bool

    @staticmethod
    def _extend_tried(tried: list[Any], pattern: Any, sub_tried: Any = None) -> None: ...

    @staticmethod
    def _join_route(route1: str, route2: str) -> str: ...


class _MatchKwargs(Protocol):
    """The kwargs a ResolverMatch keeps apart (Django >= 4.1; not in django-stubs)."""

    captured_kwargs: dict[str, Any] | None
    extra_kwargs: dict[str, Any] | None


def _internals(resolver: URLResolver) -> _ResolverInternals:
    return cast(_ResolverInternals, resolver)


def admin_404(view_func: View) -> View:
    """Answer Http404 with Wagtail's admin 404 page (as ``wagtail.admin.urls`` does)."""

    @functools.wraps(view_func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view_func(request, *args, **kwargs)
        except Http404:
            # As wagtail.admin.urls calls it; the stubs want an exception, Django takes anything.
            return page_not_found(request, "", template_name="wagtailadmin/404.html")  # type: ignore[arg-type]

    return wrapper


#: What ``wagtail.admin.urls`` wraps every admin view in, innermost first.
DECORATORS = (require_admin_access, admin_404, never_cache)


def viewset_patterns(viewset: Any) -> list[Any]:
    """A viewset's URL patterns, decorated like Wagtail's admin views."""
    patterns = viewset.get_urlpatterns()
    for decorator in DECORATORS:
        decorate_urlpatterns(patterns, decorator)
    return patterns


class LazyPatterns:
    """The urlconf of one viewset's include: its patterns are built on first use."""

    def __init__(self, viewset: Any) -> None:
        self.viewset = viewset

    @cached_property
    def urlpatterns(self) -> list[Any]:
        return viewset_patterns(self.viewset)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.viewset.url_namespace}>"


#: Set while :class:`DynamicViewSetResolver` populates its tables (per thread).
_deferring = threading.local()


class ViewSetInclude(URLResolver):
    """``path("<prefix>/", include((patterns, namespace), namespace=namespace))`` of a viewset.

    Populating a resolver populates every resolver below it; for hundreds of viewsets that
    meant building every viewset's URL patterns (a few ms each) on the first ``reverse()``
    after each change. An include only needs its prefix and namespace in the tables above
    it, so it builds its patterns when it is itself reversed or resolved.
    """

    def _populate(self) -> None:
        if getattr(_deferring, "active", False):
            return
        super()._populate()


def viewset_include(viewset: Any) -> URLResolver:
    """The include of one viewset under its prefix and namespace (patterns built lazily)."""
    namespace = viewset.url_namespace
    return ViewSetInclude(
        RoutePattern(f"{viewset.url_prefix}/", is_endpoint=False),
        # Django reads the urlpatterns of any object; the stubs accept a module only.
        LazyPatterns(viewset),  # type: ignore[arg-type]
        app_name=namespace,
        namespace=namespace,
    )


def reset(resolver: URLResolver) -> None:
    """Forget what a resolver computed from its patterns (read django/urls/resolvers.py)."""
    tables = _internals(resolver)
    tables._reverse_dict = {}
    tables._namespace_dict = {}
    tables._app_dict = {}
    tables._callback_strs = set()
    tables._populated = False


_NO_URLS = object()


def _depth(prefix: str) -> int:
    """The number of path segments of a viewset's URL prefix."""
    return prefix.count("/") + 1


class DynamicViewSetResolver(URLResolver):
    """A resolver whose ``url_patterns`` are the includes of the current viewsets."""

    def __init__(self) -> None:
        super().__init__(RoutePattern(""), [])
        self._lock = threading.RLock()
        #: url_prefix -> viewset, in registration order.
        self._viewsets: dict[str, Any] = {}
        #: url_prefix -> its include (built on first use).
        self._includes: dict[str, Any] = {}
        self._patterns: list[URLResolver] | None = None
        #: Numbers of path segments of the prefixes (usually {3, 4}), longest first,
        #: and how many prefixes have each (kept as viewsets come and go: no scan).
        self._depths: tuple[int, ...] = ()
        self._depth_counts: Counter[int] = Counter()
        #: False until Wagtail's admin URL module has finished importing; until then
        #: ``url_patterns`` is empty, so its import-time decorating never wraps our views.
        self._armed = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} ({len(self._viewsets)} viewsets)>"

    # -- the viewsets -----------------------------------------------------------

    def add(self, viewset: Any) -> None:
        prefix = viewset.url_prefix.strip("/")
        with self._lock:
            if prefix not in self._viewsets:
                self._depth_counts[_depth(prefix)] += 1
            self._viewsets[prefix] = viewset
            self._includes.pop(prefix, None)

    def remove(self, viewset: Any) -> None:
        prefix = viewset.url_prefix.strip("/")
        with self._lock:
            if self._viewsets.get(prefix) is viewset:
                del self._viewsets[prefix]
                self._includes.pop(prefix, None)
                self._depth_counts[_depth(prefix)] -= 1
                if not self._depth_counts[_depth(prefix)]:
                    del self._depth_counts[_depth(prefix)]

    def changed(self) -> None:
        """Make the current viewsets' URLs resolve and reverse (after add/remove)."""
        with self._lock:
            self._patterns = None
            self._depths = tuple(sorted(self._depth_counts, reverse=True))
            reset(self)
            for ancestor in self._ancestors():
                reset(ancestor)
        clear_url_caches()

    def _include(self, prefix: str) -> URLResolver | None:
        include_ = self._includes.get(prefix)
        if include_ is None:
            with self._lock:
                viewset = self._viewsets.get(prefix)
                if viewset is None:
                    return None
                include_ = self._includes.get(prefix)
                if include_ is None:
                    include_ = viewset_include(viewset) or _NO_URLS
                    self._includes[prefix] = include_
        return include_ if isinstance(include_, URLResolver) else None

    def _ancestors(self) -> list[URLResolver]:
        """The resolvers from the root URLconf down to this one (their tables hold ours).

        Only resolvers whose patterns are loaded are walked: one that has not loaded its
        URLconf yet has built no table either (at start-up, before the first request,
        the root URLconf is not imported for this).
        """

        def walk(resolver: URLResolver, trail: list[URLResolver]) -> list[URLResolver] | None:
            # url_patterns is a cached_property: loaded once read.
            for pattern in resolver.__dict__.get("url_patterns", ()):
                if pattern is self:
                    return [*trail, resolver]
                if isinstance(pattern, URLResolver) and not isinstance(
                    pattern, DynamicViewSetResolver
                ):
                    found = walk(pattern, [*trail, resolver])
                    if found is not None:
                        return found
            return None

        try:
            return walk(get_resolver(), []) or []
        except Exception:  # noqa: BLE001 - a broken URLconf elsewhere is not ours to report
            return []

    # -- URLResolver ------------------------------------------------------------

    @property
    def url_patterns(self) -> list[URLResolver]:  # type: ignore[override]
        if not self._armed:
            return []
        patterns = self._patterns
        if patterns is None:
            with self._lock:
                patterns = [i for i in map(self._include, list(self._viewsets)) if i]
                self._patterns = patterns
        return patterns

    def _populate(self) -> None:
        self._armed = True
        if getattr(_deferring, "active", False):
            return
        _deferring.active = True
        try:
            super()._populate()
        finally:
            _deferring.active = False

    def check(self) -> list[Any]:
        self._armed = True
        return super().check()

    def resolve(self, path: Any) -> ResolverMatch:
        self._armed = True
        path = str(path)
        tried: list[list[Any]] = []
        for depth in self._depths:
            parts = path.split("/", depth)
            if len(parts) <= depth:
                continue
            include_ = self._include("/".join(parts[:depth]))
            if include_ is None:
                continue
            try:
                sub = include_.resolve(path)
            except Resolver404 as e:
                _internals(self)._extend_tried(tried, include_, e.args[0].get("tried"))
                continue
            _internals(self)._extend_tried(tried, include_, sub.tried)
            sub_kwargs = cast(_MatchKwargs, sub)
            return ResolverMatch(
                sub.func,
                sub.args,
                sub.kwargs,
                sub.url_name,
                [self.app_name, *sub.app_names],
                [self.namespace, *sub.namespaces],
                _internals(self)._join_route(str(include_.pattern), sub.route),
                tried,
                captured_kwargs=sub_kwargs.captured_kwargs,
                extra_kwargs=sub_kwargs.extra_kwargs,
            )
        raise Resolver404({"tried": tried, "path": path})


#: The one resolver in the admin URLs (see ``dynamo_wagtail/wagtail_hooks.py``).
resolver = DynamicViewSetResolver()
