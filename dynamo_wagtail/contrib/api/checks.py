"""System check: the API's URL include must come before Wagtail's v3 include.

Both answer ``snippets/<type>/``; Django tries patterns in order, and Wagtail's would
refuse the generated types (their labels are not in its list of snippet types).
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.urls import URLResolver, get_resolver

OURS = "dynamo_wagtail.contrib.api.urls"


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, str]]:
    """(route, what) of the API includes, in the order Django tries them."""
    found: list[tuple[str, str]] = []
    for pattern in patterns:
        if not isinstance(pattern, URLResolver):
            continue
        route = prefix + str(pattern.pattern)
        module = getattr(pattern.urlconf_module, "__name__", None)
        if module == OURS:
            found.append((route, "ours"))
        elif pattern.namespace == "wagtailapi_v3":
            found.append((route, "wagtail"))
        else:
            try:
                found += _walk(pattern.url_patterns, route)
            except Exception:  # noqa: BLE001 (an include that cannot load: Django says why)
                continue
    return found


def url_order(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    found = _walk(get_resolver().url_patterns)
    errors: list[checks.CheckMessage] = []
    for index, (route, what) in enumerate(found):
        if what != "ours":
            continue
        if not any(w == "wagtail" and r == route for r, w in found[:index]):
            continue
        errors.append(
            checks.Error(
                f"The include of {OURS!r} at {route!r} comes after Wagtail's API v3 "
                "include at the same place, so Wagtail's answers for the generated types.",
                hint=f"Put path({route!r}, include({OURS!r})) before path({route!r}, api.urls).",
                id="dynamo_wagtail_api.E001",
            )
        )
    return errors


def register() -> None:
    checks.register(url_order, checks.Tags.urls)
