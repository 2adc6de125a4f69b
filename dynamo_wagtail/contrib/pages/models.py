"""Pages that serve a content type on the site.

``EntryIndexPage``
    Lists the public entries of a type (paginated) at its own URL and serves each entry
    at ``<page url><pk>-<slug>/``, the slug made from the entry's title. ``<pk>/`` and
    outdated slugs redirect (301) to that address, so links survive title changes.
    Unknown and unpublished entries answer 404.
``EntryFormPage``
    A public form (the survey use case): visitors submit entries of a type. For types
    with drafts a submission is saved as a draft (``live=False``) for editors to review
    and publish; otherwise it is published at once.

Both keep the type in ``entry_type``, a foreign key to ``MetaModel`` (its row survives renames) with
``on_delete=SET_NULL``: emptying the type from the trash leaves the page in place,
answering 404 until an editor picks another type.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page, Site
from wagtail.search import index

from ...entries import model_for_uid, public
from . import forms as entry_forms

TYPE_HELP = _("The content type this page serves.")


def _type_field() -> models.ForeignKey:
    return models.ForeignKey(
        "dynamo_wagtail.MetaModel",
        verbose_name=_("content type"),
        help_text=TYPE_HELP,
        null=True,
        blank=False,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"trashed_at__isnull": True},
    )


class DynamoTypePageMixin:
    """The generated class of the page's type (None if the type is gone)."""

    entry_type_id: int | None

    @property
    def entry_model(self) -> type[models.Model] | None:
        meta_model = self.entry_type  # type: ignore[attr-defined]
        return model_for_uid(meta_model.uid) if meta_model is not None else None

    def require_model(self) -> type[models.Model]:
        model = self.entry_model
        if model is None:
            raise Http404("This page's content type no longer exists.")
        return model


class EntryIndexPage(DynamoTypePageMixin, RoutablePageMixin, Page):
    """A type's entries: a paginated list at ``/`` and a detail page per entry."""

    entry_type = _type_field()
    intro = RichTextField(_("introduction"), blank=True)
    # Annotated: the plugin cannot infer fields of a model whose base (Page) is untyped.
    per_page: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        _("entries per page"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("entry_type"),
        FieldPanel("intro"),
        FieldPanel("per_page"),
    ]

    search_fields = [*Page.search_fields, index.SearchField("intro")]
    # Child pages would be shadowed by the entry routes.
    subpage_types: list[str] = []

    template = "dynamo_wagtail/pages/entry_index_page.html"
    detail_template = "dynamo_wagtail/pages/entry_detail_page.html"

    class Meta:
        verbose_name = _("content type index page")

    @path("")
    def index_route(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        model = self.require_model()
        page_obj = Paginator(public(model), self.per_page).get_page(request.GET.get("page"))
        return self.render(
            request,
            context_overrides={
                "model": model,
                "entries": page_obj.object_list,
                "page_obj": page_obj,
                "paginator": page_obj.paginator,
            },
        )

    @path("<int:pk>/", name="entry_by_pk")
    @path("<int:pk>-<slug:slug>/", name="entry")
    def entry_route(self, request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
        model = self.require_model()
        entry = get_object_or_404(public(model), pk=pk)
        if slug != entry_slug(entry):
            url = self.entry_url(entry, request)
            assert url is not None  # this page is serving the request: it has a URL
            return redirect(url, permanent=True)
        return self.render(
            request,
            template=self.detail_template,
            context_overrides={"model": model, "entry": entry},
        )

    def entry_path(self, entry: models.Model) -> str:
        """The route of ``entry`` below this page, e.g. ``12-blue-chair/``."""
        slug = entry_slug(entry)
        if slug:
            return self.reverse_subpage("entry", kwargs={"pk": entry.pk, "slug": slug})
        return self.reverse_subpage("entry_by_pk", kwargs={"pk": entry.pk})

    def entry_url(self, entry: models.Model, request: HttpRequest | None = None) -> str | None:
        """The URL of ``entry`` on this page (relative when the page's site is the current one)."""
        base = self.get_url(request=request)
        if base is None:
            return None
        return base + self.entry_path(entry)


def entry_slug(entry: models.Model) -> str:
    """The readable part of an entry's URL: its title, slugified (may be empty)."""
    return slugify(str(entry))[:80].strip("-")


def index_page_for(model: type[models.Model], request: HttpRequest | None = None) -> Any:
    """The live ``EntryIndexPage`` serving ``model``, on the current site when possible.

    Cached on the request, so a list of entries costs one query per type.
    """
    uid = model.dynamo_spec.uid  # type: ignore[attr-defined]
    cache: dict[str, Any] | None = None
    if request is not None:
        cache = request.__dict__.setdefault("_dynamo_index_pages", {})
        if uid in cache:
            return cache[uid]
    pages = EntryIndexPage.objects.live().filter(entry_type__uid=uid).order_by("path")
    page = None
    site = Site.find_for_request(request) if request is not None else None
    if site is not None:
        page = pages.descendant_of(site.root_page, inclusive=True).first()
    if page is None:
        page = pages.first()
    if cache is not None:
        cache[uid] = page
    return page


def entry_url(entry: models.Model, request: HttpRequest | None = None) -> str | None:
    """The detail URL of ``entry`` under a live ``EntryIndexPage`` of its type, or None."""
    page = index_page_for(type(entry), request)
    return page.entry_url(entry, request) if page is not None else None


#: Query parameter of the thank-you page after a submission.
SUBMITTED = "submitted"


class EntryFormPage(DynamoTypePageMixin, Page):
    """A public form whose submissions are saved as entries of a type (e.g. survey answers)."""

    entry_type = _type_field()
    intro = RichTextField(_("introduction"), blank=True)
    thank_you_text = RichTextField(_("thank-you text"), blank=True)
    submit_label: models.CharField[str, str] = models.CharField(
        _("submit button label"), max_length=100, default="Submit"
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("entry_type"),
        FieldPanel("intro"),
        FieldPanel("thank_you_text"),
        FieldPanel("submit_label"),
    ]

    search_fields = [*Page.search_fields, index.SearchField("intro")]
    subpage_types: list[str] = []

    template = "dynamo_wagtail/pages/entry_form_page.html"
    landing_template = "dynamo_wagtail/pages/entry_form_page_landing.html"

    class Meta:
        verbose_name = _("content type form page")

    def clean(self) -> None:
        super().clean()
        model = self.entry_model
        missing = entry_forms.missing_required(model) if model is not None else []
        if missing:
            raise ValidationError(
                {
                    "entry_type": _(
                        "Visitors cannot fill in these required fields: %(names)s. "
                        "Make them optional or pick another content type."
                    )
                    % {"names": ", ".join(missing)}
                }
            )

    @property
    def session_key(self) -> str:
        return f"dynamo_form_page_{self.pk}"

    def get_form_class(self) -> type:
        return entry_forms.entry_form_class(self.require_model())

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form_class = self.get_form_class()
        if request.method == "POST":
            form = form_class(request.POST, request.FILES)
            if form.is_valid():
                entry = self.save_entry(form)
                # Post/redirect/get: reloading the thank-you page submits nothing again.
                request.session[self.session_key] = entry.pk
                return redirect(f"{self.get_url(request)}?{SUBMITTED}=1")
        elif request.GET.get(SUBMITTED) and self.session_key in request.session:
            model = self.require_model()
            submitted = model._default_manager.filter(pk=request.session[self.session_key]).first()
            context = self.get_context(request)
            context.update({"form": None, "entry": submitted})
            return TemplateResponse(request, self.landing_template, context)
        else:
            form = form_class()
        context = self.get_context(request)
        context["form"] = form
        return TemplateResponse(request, self.get_template(request), context)

    def save_entry(self, form: Any) -> models.Model:
        """Save a valid submission: a draft for types with drafts, else published."""
        from wagtail.log_actions import log

        entry = form.save(commit=False)
        spec = entry.dynamo_spec
        if spec.option("drafts"):
            entry.live = False
            entry.has_unpublished_changes = True
        if spec.option("translation") and entry.locale_id is None:
            from wagtail.models import Locale

            entry.locale = Locale.get_active()
        entry.save()
        form.save_m2m()
        if hasattr(entry, "save_revision"):
            entry.save_revision(log_action=False)
        log(instance=entry, action="wagtail.create", content_changed=True)
        return entry
