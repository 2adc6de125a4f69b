"""URLs of the content type trash."""

from django.urls import path

from . import views

urlpatterns = [
    path("dynamo/trash/", views.trash, name="dynamo_wagtail_trash"),
    path(
        "dynamo/trash/restore/<str:kind>/<int:pk>/",
        views.restore,
        name="dynamo_wagtail_trash_restore",
    ),
    path("dynamo/trash/empty/<int:pk>/", views.empty, name="dynamo_wagtail_trash_empty"),
]
