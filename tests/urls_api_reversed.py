"""The API includes in the wrong order (for the URL order check's test)."""

from django.urls import include, path
from wagtail.api.v3.urls import api

urlpatterns = [
    path("api/v3/", api.urls),
    path("api/v3/", include("dynamo_wagtail.contrib.api.urls")),
]
