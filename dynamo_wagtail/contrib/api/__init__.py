"""The generated types in Wagtail's API v3: list, detail, create, patch and delete under
``/api/v3/snippets/<app_label>.<Model>/``, their schemas in ``/api/v3/schema/`` and the
OpenAPI document, following every schema change at the next request.

Install: add ``"dynamo_wagtail.contrib.api"`` (and ``"wagtail.api.v3"``) to
``INSTALLED_APPS`` and include :mod:`dynamo_wagtail.contrib.api.urls` before Wagtail's
``api.urls`` (see ``docs/api.md``).
"""
