"""The operations of one generated type, as a django-ninja router: list, detail, create,
patch, delete, and publish/unpublish for types with drafts.

Ninja validates the parameters and the body against the type's own schemas (so the
OpenAPI document describes each type exactly) and Wagtail's exception handlers give its
v3 error format. Writes go through the model's admin form and Wagtail's actions, as the
admin's do: validation rules, unique checks, constraints, drafts, revisions, history
and the audit log. Responses are written with the type's read schemas here, once.

No ``from __future__ import annotations``: ninja reads the views' annotations as objects.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, Literal

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.params.models import Body as BodyParam
from ninja.params.models import BodyModel
from wagtail.actions import action_registry
from wagtail.api.rich_text import RichTextOutputFormat
from wagtail.api.v3.auth import AllowAnonymous, BearerTokenAuth
from wagtail.api.v3.errors import ProblemDetail, as_validation_error
from wagtail.api.v3.form_data import build_model_form, build_model_update_form
from wagtail.api.v3.pagination import _get_max_limit
from wagtail.models import DraftStateMixin
from wagtail.search.backends import get_search_backend
from wagtail.search.backends.base import FilterFieldError, OrderByFieldError
from wagtail.utils.forms import FormValidationError

from . import access, query
from .schemas import TypeSchemas, list_schema

ERRORS = {400: ProblemDetail, 401: ProblemDetail, 403: ProblemDetail, 404: ProblemDetail}
WRITE_ERRORS = {**ERRORS, 422: ProblemDetail}


class _RenamedBodyModel(BodyModel):
    """A body naming a field by a name it had before is a 400 that gives the new name;
    ``meta.type`` defaults to the type of the URL, as in Wagtail's snippet endpoints."""

    renamed: ClassVar[dict[str, str]] = {}
    label: ClassVar[str] = ""

    @classmethod
    def get_request_data(cls, request: Any, api: Any, path_params: Any) -> Any:
        data = super().get_request_data(request, api, path_params)
        body = data.get("data") if isinstance(data, dict) else None
        if isinstance(body, dict):
            for key in body:
                new = cls.renamed.get(key)
                if new is not None and new not in body:
                    raise HttpError(
                        400, f"{key}: the field {key!r} is now called {new!r}: use {new!r}"
                    )
            meta = body.get("meta")
            if isinstance(meta, dict) and not meta.get("type"):
                body["meta"] = {**meta, "type": cls.label}
        return data


def _body(label: str, renamed: dict[str, str]) -> type[BodyParam]:
    """ninja's ``Body`` for one type's writes, knowing its former field names."""
    model = type(
        "RenamedBodyModel", (_RenamedBodyModel,), {"renamed": dict(renamed), "label": label}
    )

    class TypeBody(BodyParam):  # type: ignore[misc]
        _model = model  # type: ignore[assignment]

        @classmethod
        def _param_source(cls) -> str:
            return BodyParam._param_source()

    return TypeBody


@contextmanager
def _unfit_values() -> Iterator[None]:
    """A value Wagtail cannot put into the form (a block value of the wrong shape) is the
    caller's error: a 422, not a 500."""
    try:
        yield
    except (KeyError, AttributeError, TypeError, ValueError) as exc:
        raise as_validation_error(exc, f"A value does not fit its field ({exc!r}).") from exc


def _json(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(data), status=status, content_type="application/json")


class Entries:
    """Reading and writing the entries of one type (the views call these)."""

    def __init__(self, schemas: TypeSchemas) -> None:
        self.schemas = schemas
        self.model = schemas.model
        self.spec = self.model.dynamo_spec  # type: ignore[attr-defined]
        self.filters = query.filters_of(self.model)
        self.fields = [f.name for f in self.spec.active_fields]

    # -- reading -----------------------------------------------------------------

    def _shape(self, request: HttpRequest) -> tuple[frozenset[str], set[str] | None]:
        params = request.GET
        expanded = frozenset(
            query.names(params.get("expand"), "expand", self.schemas.relations, self.spec)
        )
        chosen = query.names(params.get("fields"), "fields", self.fields, self.spec)
        include = {"id", "meta", *chosen} if chosen else None
        return expanded, include

    def _fetching(self, qs: models.QuerySet, expanded: frozenset[str]) -> models.QuerySet:
        selects: list[str] = []
        prefetches: list[Any] = []
        for name, relation in self.schemas.relations.items():
            s, p = relation.prefetch(expanded=name in expanded)
            selects += s
            prefetches += p
        for f in self.spec.active_fields:
            if f.kind in ("tags", "group"):
                prefetches.append(f.name)
        if selects:
            qs = qs.select_related(*selects)
        if prefetches:
            qs = qs.prefetch_related(*prefetches)
        return qs

    def dump(
        self,
        obj: models.Model,
        request: HttpRequest,
        expanded: frozenset[str],
        include: set[str] | None,
    ) -> dict[str, Any]:
        schema = self.schemas.serializer(expanded)
        out = schema.model_validate(obj, context={"request": request})
        return out.model_dump(mode="json", include=include)

    def listing(self, request: HttpRequest, limit: int, offset: int) -> HttpResponse:
        params = request.GET
        query.check_parameters(params, self.model, query.LIST_PARAMS | set(self.filters))
        max_limit = _get_max_limit()
        if limit > max_limit:
            raise HttpError(400, f"limit: cannot be higher than {int(max_limit)}")
        expanded, include = self._shape(request)
        order = query.ordering(params.get("order"), self.model)
        qs = access.readable(request, self.model)
        qs = query.apply_filters(qs, params, self.filters)
        if order:
            qs = qs.order_by(*order)
        search = params.get("search")
        if search is not None:
            qs = self._search(qs, search, params.get("search_operator"), bool(order))
        count = qs.count()
        page = qs[offset : offset + limit]
        if isinstance(page, models.QuerySet):
            page = self._fetching(page, expanded)
        schema = self.schemas.serializer(expanded)
        rows = self.schemas.page_adapter(schema).validate_python(
            list(page), context={"request": request}
        )
        items = self.schemas.page_adapter(schema).dump_python(
            rows, mode="json", include={"__all__": include} if include else None
        )
        return _json({"count": count, "items": items})

    def _search(self, qs: models.QuerySet, text: str, operator: str | None, ordered: bool) -> Any:
        if not self.spec.option("search_index"):
            raise HttpError(400, f"search: {self.model._meta.label} is not indexed for search")
        if operator not in (None, "and", "or"):
            raise HttpError(400, "search_operator: must be 'and' or 'or'")
        try:
            return get_search_backend().search(
                text, qs, operator=operator, order_by_relevance=not ordered
            )
        except FilterFieldError as exc:
            raise HttpError(400, f"{exc.field_name}: cannot filter on it while searching") from None
        except OrderByFieldError as exc:
            raise HttpError(
                400, f"order: cannot order by {exc.field_name} while searching"
            ) from None

    def entry(self, request: HttpRequest, pk: Any, version: str) -> HttpResponse:
        query.check_parameters(request.GET, self.model, query.DETAIL_PARAMS)
        expanded, include = self._shape(request)
        qs = self._fetching(access.readable(request, self.model), expanded)
        instance = get_object_or_404(qs, pk=pk)
        draft = version == "draft" and isinstance(instance, DraftStateMixin)
        if draft and access.is_editor(request, self.model):
            instance = instance.get_latest_revision_as_object()
        return _json(self.dump(instance, request, expanded, include))

    # -- writing -----------------------------------------------------------------

    def _answer(
        self, request: HttpRequest, instance: models.Model, status: int = 200
    ) -> HttpResponse:
        return _json(self.dump(instance, request, frozenset(), None), status=status)

    def _complete(self, form: Any) -> None:
        """Entries of a type without drafts are saved whole: its required fields are checked
        (Wagtail's actions leave them to a later publish, which such a type never has)."""
        if not issubclass(self.model, DraftStateMixin) and not form.is_valid():
            raise FormValidationError.from_form(form)

    def create(self, request: HttpRequest, data: Any) -> HttpResponse:
        access.require(request, self.model, "add")
        with _unfit_values():
            form = build_model_form(self.model, data, user=request.user)
        action_class = action_registry.get_action_class(self.model, "create")
        publish = getattr(data.meta, "action", None) == "publish" if data.meta else False
        self._complete(form)
        action_class(form.instance, user=request.user, form=form, publish=publish).execute()
        return self._answer(request, form.instance, status=201)

    def update(self, request: HttpRequest, pk: Any, data: Any) -> HttpResponse:
        access.require(request, self.model, "change")
        instance = get_object_or_404(self.model._default_manager.all(), pk=pk)
        if isinstance(instance, DraftStateMixin):
            instance = instance.get_latest_revision_as_object()
        with _unfit_values():
            form = build_model_update_form(instance, data, user=request.user)
        action_class = action_registry.get_action_class(self.model, "edit")
        publish = getattr(data.meta, "action", None) == "publish" if data.meta else False
        self._complete(form)
        action_class(form.instance, user=request.user, form=form, publish=publish).execute()
        return self._answer(request, form.instance)

    def delete(self, request: HttpRequest, pk: Any) -> HttpResponse:
        access.require(request, self.model, "delete")
        instance = get_object_or_404(self.model._default_manager.all(), pk=pk)
        action_registry.get_action_class(self.model, "delete")(
            instance, user=request.user
        ).execute()
        return HttpResponse(status=204)

    def publish(self, request: HttpRequest, pk: Any) -> HttpResponse:
        access.require(request, self.model, "publish")
        instance = get_object_or_404(self.model._default_manager.all(), pk=pk)
        revision = instance.get_latest_revision() or instance.save_revision(user=request.user)  # type: ignore[attr-defined]
        action_registry.get_action_class(self.model, "publish")(
            revision, user=request.user
        ).execute()
        return self._answer(request, self.model._default_manager.get(pk=instance.pk))

    def unpublish(self, request: HttpRequest, pk: Any) -> HttpResponse:
        access.require(request, self.model, "publish")
        instance = get_object_or_404(self.model._default_manager.all(), pk=pk)
        action_registry.get_action_class(self.model, "unpublish")(
            instance, user=request.user
        ).execute()
        return self._answer(request, self.model._default_manager.get(pk=instance.pk))


def build_router(schemas: TypeSchemas) -> Router:
    """The router of one type, to be mounted at ``/snippets/<label>/``."""
    entries = Entries(schemas)
    model = schemas.model
    label = model._meta.label
    ident = label.replace(".", "_").lower()
    plural = str(model._meta.verbose_name_plural)
    single = str(model._meta.verbose_name)
    Document = schemas.document
    Listing = list_schema(schemas)
    Create = schemas.create
    Patch = schemas.patch
    Filters = schemas.filters
    read_auth = [BearerTokenAuth(), AllowAnonymous()]
    TypeBody = _body(label, query.former_names(entries.spec))
    router = Router(tags=[label])

    @router.get(
        "/",
        response={200: Listing, **ERRORS},
        auth=read_auth,
        operation_id=f"{ident}_list",
        summary=f"List {plural}",
    )
    def list_entries(
        request: HttpRequest,
        filters: Filters = Query(...),  # type: ignore[valid-type]
        limit: int = Query(20, ge=1),
        offset: int = Query(0, ge=0),
        order: str | None = Query(None),
        search: str | None = Query(None),
        search_operator: Literal["and", "or"] | None = Query(None),
        fields: str | None = Query(None),
        expand: str | None = Query(None),
        rich_text_format: RichTextOutputFormat | None = Query(None),
    ) -> Any:
        return entries.listing(request, limit, offset)

    @router.get(
        "/{pk}/",
        response={200: Document, **ERRORS},
        auth=read_auth,
        operation_id=f"{ident}_detail",
        summary=f"{single} detail",
    )
    def get_entry(
        request: HttpRequest,
        pk: int,
        version: Literal["live", "draft"] = Query("live"),
        fields: str | None = Query(None),
        expand: str | None = Query(None),
        rich_text_format: RichTextOutputFormat | None = Query(None),
    ) -> Any:
        return entries.entry(request, pk, version)

    @router.post(
        "/",
        response={201: Document, **WRITE_ERRORS},
        auth=BearerTokenAuth(),
        operation_id=f"{ident}_create",
        summary=f"Create {single}",
    )
    def create_entry(request: HttpRequest, data: Create = TypeBody(...)) -> Any:  # type: ignore[valid-type]
        return entries.create(request, data)

    @router.patch(
        "/{pk}/",
        response={200: Document, **WRITE_ERRORS},
        auth=BearerTokenAuth(),
        operation_id=f"{ident}_update",
        summary=f"Update {single}",
    )
    def update_entry(request: HttpRequest, pk: int, data: Patch = TypeBody(...)) -> Any:  # type: ignore[valid-type]
        return entries.update(request, pk, data)

    @router.delete(
        "/{pk}/",
        response={204: None, **ERRORS},
        auth=BearerTokenAuth(),
        operation_id=f"{ident}_delete",
        summary=f"Delete {single}",
    )
    def delete_entry(request: HttpRequest, pk: int) -> Any:
        return entries.delete(request, pk)

    if issubclass(model, DraftStateMixin):

        @router.post(
            "/{pk}/actions/publish/",
            response={200: Document, **WRITE_ERRORS},
            auth=BearerTokenAuth(),
            operation_id=f"{ident}_publish",
            summary=f"Publish {single}",
        )
        def publish_entry(request: HttpRequest, pk: int) -> Any:
            return entries.publish(request, pk)

        @router.post(
            "/{pk}/actions/unpublish/",
            response={200: Document, **WRITE_ERRORS},
            auth=BearerTokenAuth(),
            operation_id=f"{ident}_unpublish",
            summary=f"Unpublish {single}",
        )
        def unpublish_entry(request: HttpRequest, pk: int) -> Any:
            return entries.unpublish(request, pk)

    return router
