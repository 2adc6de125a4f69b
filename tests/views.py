"""Test-only JSON views: what this process's registry has, as the sync middleware left it."""

from __future__ import annotations

import os
import time

from django.http import HttpRequest, JsonResponse

from dynamo_wagtail.registry import registry


def type_fields(request: HttpRequest, name: str) -> JsonResponse:
    """Field names of type ``name`` in this process, read from the registry without a sync.

    Only the middleware brings the registry up to date here, so the answer shows what it did.
    ``?sleep=0.1`` holds the worker a moment (spreads concurrent requests over server workers);
    ``?count=1`` adds the number of entries (one more query, through the generated class).
    """
    delay = min(float(request.GET.get("sleep") or 0), 1.0)
    if delay:
        time.sleep(delay)
    payload: dict = {"pid": os.getpid(), "version": registry.version}
    model = registry.by_name(name)
    if model is None:
        return JsonResponse({**payload, "error": f"unknown type {name}"}, status=404)
    payload["fields"] = [f.name for f in model._meta.fields]
    if request.GET.get("count"):
        payload["count"] = model._default_manager.count()
    return JsonResponse(payload)
