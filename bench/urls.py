from django.conf import settings
from django.urls import include, path
from wagtail.admin import urls as wagtailadmin_urls

from bench import views

urlpatterns = [
    path("_bench/page/", views.page, name="bench_page"),
    path("_bench/one/", views.one_row, name="bench_one"),
    path("_bench/fields/<str:name>/", views.type_fields, name="bench_fields"),
    path("admin/", include(wagtailadmin_urls)),
]

if not settings.STATIC_ONLY:
    # Figure 10: the generated types' API (our include before Wagtail's, as documented) and
    # the hand-written ninja endpoint of the static side.
    from wagtail.api.v3.urls import api as wagtail_api

    from bench.ninja_api import api as bench_api

    urlpatterns += [
        path("api/v3/", include("dynamo_wagtail.contrib.api.urls")),
        path("api/v3/", wagtail_api.urls),
        path("_bench/api/", bench_api.urls),
    ]
