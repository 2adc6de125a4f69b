"""The static side of figure 10: a hand-written django-ninja endpoint listing
``catalogue.Article`` with its three relations expanded, in the shape of the API's listing
(``{"count", "items": [...]}``, each item and each related object with ``id`` and
``meta.type``), behind the same bearer-token authentication as Wagtail's API."""

from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from ninja import NinjaAPI, Query, Schema
from wagtail.api.v2.utils import get_full_url
from wagtail.api.v3.auth import BearerTokenAuth

from bench.catalogue.models import Article

api = NinjaAPI(urls_namespace="bench_api", docs_url=None, openapi_url=None)


class Meta(Schema):
    type: str


class Related(Schema):
    id: int
    meta: Meta
    name: str

    @staticmethod
    def resolve_meta(obj: models.Model) -> dict[str, str]:
        return {"type": obj._meta.label}


class ItemMeta(Schema):
    type: str
    detail_url: str


class ArticleOut(Schema):
    id: int
    meta: ItemMeta
    title: str
    writer: Related | None
    imprint: Related | None
    topic: Related | None

    @staticmethod
    def resolve_meta(obj: models.Model, context: dict) -> dict[str, str]:
        # The detail address as Wagtail's snippet schemas write it.
        label = obj._meta.label
        path = reverse("wagtailapi_v3:detail_snippet", kwargs={"type": label, "pk": str(obj.pk)})
        return {"type": label, "detail_url": get_full_url(context["request"], path)}


class ArticleList(Schema):
    count: int
    items: list[ArticleOut]


@api.get("/articles/", response=ArticleList, auth=BearerTokenAuth())
def articles(
    request: HttpRequest, limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0)
) -> dict:
    qs = Article.objects.order_by("pk")
    page = qs.select_related("writer", "imprint", "topic")[offset : offset + limit]
    return {"count": qs.count(), "items": list(page)}
