from django.conf import settings
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v3.urls import api
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    # Browsers ask for /favicon.ico on every site; the admin has its own.
    path("favicon.ico", RedirectView.as_view(url=static("demo/favicon.ico"), permanent=True)),
    path("admin/", include(wagtailadmin_urls)),
    # The headless API: the content types' endpoints first, then Wagtail's own.
    path("api/v3/", include("dynamo_wagtail.contrib.api.urls")),
    path("api/v3/", api.urls),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static as media
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += media(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    path("", include(wagtail_urls)),
]
