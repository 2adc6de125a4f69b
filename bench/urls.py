from django.urls import include, path
from wagtail.admin import urls as wagtailadmin_urls

from bench import views

urlpatterns = [
    path("_bench/page/", views.page, name="bench_page"),
    path("_bench/fields/<str:name>/", views.type_fields, name="bench_fields"),
    path("admin/", include(wagtailadmin_urls)),
]
