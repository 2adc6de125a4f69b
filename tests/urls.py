from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v3.urls import api
from wagtail.documents import urls as wagtaildocs_urls

from tests import views

urlpatterns = [
    path("_dynamo/fields/<str:name>/", views.type_fields, name="dynamo_test_fields"),
    path("admin/", include(wagtailadmin_urls)),
    path("api/v3/", include("dynamo_wagtail.contrib.api.urls")),
    path("api/v3/", api.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("", include(wagtail_urls)),
]
