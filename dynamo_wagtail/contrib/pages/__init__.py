"""Page types that serve content types on the site: list and detail pages, public forms.

Add ``"wagtail.contrib.routable_page"`` and ``"dynamo_wagtail.contrib.pages"`` to
``INSTALLED_APPS`` and run ``migrate``.
"""
