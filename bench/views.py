from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def page(request: HttpRequest) -> HttpResponse:
    """A small page: 25 products of the dynamic catalogue type, rendered by a template."""
    from dynamo_wagtail import api

    model = api.get_model("Product")
    products = list(model.objects.order_by("-stock")[:25])
    return render(request, "bench/page.html", {"products": products})


def one_row(request: HttpRequest) -> HttpResponse:
    """The lightest view on a generated type: one entry, one field value, no template."""
    from dynamo_wagtail import api

    model = api.get_model("Product")
    return HttpResponse(model.objects.only("title").get(title="Product 000001").title)


def type_fields(request: HttpRequest, name: str) -> JsonResponse:
    """The field names of a type as this process sees it (the worker-latency probe)."""
    from dynamo_wagtail import api

    try:
        model = api.get_model(name)
    except LookupError:
        return JsonResponse({"fields": []})
    return JsonResponse({"fields": [f.name for f in model._meta.concrete_fields]})
