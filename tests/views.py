"""Test-only JSON views: what this process's registry has, as the sync middleware left it."""

from __future__ import annotations

import os
import time

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from dynamo_wagtail.registry import registry


@csrf_exempt
def type_fields(request: HttpRequest, name: str) -> JsonResponse:
    """Field names of type ``name`` in this process, read from the registry without a sync.

    Only the middleware brings the registry up to date here, so the answer shows what it did.
    ``?sleep=0.1`` holds the worker a moment (spreads concurrent requests over server workers);
    ``?count=1`` adds the number of entries (one more query, through the generated class).
    ``?lookup=1`` looks the class up through the API and the app registry first.
    A POST creates an entry from the posted values and answers with the values stored.
    """
    delay = min(float(request.GET.get("sleep") or 0), 1.0)
    if delay:
        time.sleep(delay)
    payload: dict = {"pid": os.getpid(), "version": registry.version}
    if request.GET.get("lookup"):
        # What a developer's view does: look the class up (no extra check in a request).
        from django.apps import apps

        from dynamo_wagtail import api

        api.get_model(name)
        list(apps.get_app_config("dynamo").get_models())
    model = registry.by_name(name)
    if model is None:
        return JsonResponse({**payload, "error": f"unknown type {name}"}, status=404)
    payload["fields"] = [f.name for f in model._meta.fields]
    if request.method == "POST":
        entry = model._default_manager.create(**request.POST.dict())
        entry = model._default_manager.get(pk=entry.pk)
        payload["stored"] = {f.name: str(getattr(entry, f.attname)) for f in model._meta.fields}
    if request.GET.get("count"):
        payload["count"] = model._default_manager.count()
    return JsonResponse(payload)
