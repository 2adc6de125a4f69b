"""Admin views for content types: save with plan review, the trash, and the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log
from wagtail.snippets.views import snippets as snippet_views

from .. import api, pipeline
from ..errors import DefinitionError
from ..models import MetaField, MetaModel
from ..schema.planner import Plan

CONFIRM = "dynamo_confirm"
BACK = "dynamo_back"
SCHEMA_PERMISSION = "dynamo_wagtail.change_metamodel"


def log_plan(meta_model: MetaModel, plan: Plan, user: Any, action: str) -> None:
    """Record an applied schema change in Wagtail's audit log and the type's history."""
    if plan.is_empty:
        return
    log(
        instance=meta_model,
        action=action,
        user=user,
        data={"operations": [op.describe() for op in plan.operations]},
    )


def impact_rows(plan: Plan) -> list[dict[str, Any]]:
    """Each operation with its impact and a few example entries, for the review page."""
    by_op = {id(i.operation): i for i in plan.impact}
    model = None
    if plan.old is not None:
        try:
            model = api.get_model(plan.old.name)
        except LookupError:
            model = None
    rows = []
    for op in plan.operations:
        found = by_op.get(id(op))
        examples = []
        if found and found.examples and model is not None:
            examples = [str(obj) for obj in model._default_manager.filter(pk__in=found.examples)]
        rows.append(
            {
                "operation": op.describe(),
                "destructive": op.destructive,
                "hides_data": op.hides_data,
                "rows": found.rows if found else 0,
                "message": found.message if found else "",
                "examples": examples,
            }
        )
    return rows


class SchemaFormMixin:
    """Create/edit views of MetaModel: apply through the pipeline, review destructive plans."""

    request: HttpRequest
    template_review = "dynamo_wagtail/admin/review.html"

    def refused(self, form: Any, message: str | None = None) -> HttpResponse:
        """Show the form again with the editor's input and the errors placed on it."""
        self.produced_error_message = message or self.get_error_message()  # type: ignore
        return self.form_invalid(form)  # type: ignore[attr-defined]

    def form_valid(self, form: Any) -> HttpResponse:
        self.form = form
        if BACK in self.request.POST:
            self.produced_error_message = None
            return self.form_invalid(form)  # type: ignore[attr-defined]
        confirm = CONFIRM in self.request.POST
        try:
            plan = form.apply(user=self.request.user, confirm=confirm)
        except pipeline.ConfirmationRequired as exc:
            return self.render_review(exc.plan)
        except pipeline.Conflict as exc:
            form.add_error(None, str(exc))
            return self.refused(form, str(exc))
        except DefinitionError as exc:
            form.show_errors(exc)
            return self.refused(form)
        self.object = MetaModel.objects.get(pk=form.instance.pk)
        action = "dynamo_wagtail.schema_change"
        log_plan(self.object, plan, self.request.user, action)
        lines = [op.describe() for op in plan.operations] or [_("No schema changes.")]
        lines += plan.notes
        messages.success(
            self.request,
            _("Content type '%(name)s' saved: %(changes)s")
            % {"name": self.object, "changes": "; ".join(lines)},
        )
        return redirect(self.get_success_url())  # type: ignore[attr-defined]

    def render_review(self, plan: Plan) -> HttpResponse:
        hidden = [
            (key, value)
            for key, values in self.request.POST.lists()
            if key not in ("csrfmiddlewaretoken", CONFIRM, BACK)
            for value in values
        ]
        context = {
            "plan": plan,
            "rows": impact_rows(plan),
            "hidden": hidden,
            "form_action": self.request.get_full_path(),
            "object": self.form.instance,
            "confirm_name": CONFIRM,
            "back_name": BACK,
        }
        return TemplateResponse(self.request, self.template_review, context)


class MetaModelCreateView(SchemaFormMixin, snippet_views.CreateView):
    pass


class MetaModelEditView(SchemaFormMixin, snippet_views.EditView):
    @cached_property
    def header_more_buttons(self) -> list[Any]:
        buttons = super().header_more_buttons
        url = reverse("wagtailsnippets_dynamo_wagtail_metamodel:layout", args=[self.object.pk])
        buttons.append(Button(_("Layout and rules of the entry form"), url=url, icon_name="form"))
        return buttons


class MetaModelLayoutView(SchemaFormMixin, snippet_views.EditView):
    """The layout of the type's entry form (tabs, sections and rows: no table changes) and its
    rules across fields (database constraints)."""

    def get_success_url(self) -> str:
        return reverse("wagtailsnippets_dynamo_wagtail_metamodel:edit", args=[self.object.pk])

    def get_page_subtitle(self) -> str:
        return _("Layout and rules of %(name)s") % {"name": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # The form posts back here (Wagtail's edit view would post it to the type's form).
        context["action_url"] = reverse(
            "wagtailsnippets_dynamo_wagtail_metamodel:layout", args=[self.object.pk]
        )
        return context


class MetaModelDeleteView(snippet_views.DeleteView):
    """Deleting a content type moves it to the trash."""

    def delete_action(self) -> None:
        plan = api.delete_type(self.object, user=self.request.user)
        log_plan(self.object, plan, self.request.user, "dynamo_wagtail.trash")

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            self.delete_action()
        except DefinitionError as exc:
            messages.error(self.request, " ".join(exc.messages))
            return redirect(self.get_success_url())
        except pipeline.Conflict as exc:
            messages.error(self.request, str(exc))
            return redirect(self.get_success_url())
        messages.success(self.request, _("'%(name)s' moved to the trash.") % {"name": self.object})
        return redirect(self.get_success_url())


# -- the trash ------------------------------------------------------------------


def _trash_context() -> dict[str, Any]:
    return {
        "types": MetaModel.objects.filter(trashed_at__isnull=False).order_by("-trashed_at"),
        "fields": MetaField.objects.filter(
            trashed_at__isnull=False, meta_model__trashed_at__isnull=True
        ).select_related("meta_model"),
    }


@permission_required(SCHEMA_PERMISSION, raise_exception=True)
def trash(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "dynamo_wagtail/admin/trash.html", _trash_context())


@require_POST
@permission_required(SCHEMA_PERMISSION, raise_exception=True)
def restore(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    try:
        if kind == "type":
            meta_model = get_object_or_404(MetaModel, pk=pk)
            plan = api.restore_type(meta_model, user=request.user)
            name = str(meta_model)
        else:
            field = get_object_or_404(MetaField, pk=pk)
            meta_model = field.meta_model
            plan = api.restore_field(meta_model, str(field.uid), user=request.user)
            name = f"{meta_model}.{field.name}"
    except DefinitionError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("dynamo_wagtail_trash")
    except pipeline.Conflict as exc:
        messages.error(request, str(exc))
        return redirect("dynamo_wagtail_trash")
    log_plan(meta_model, plan, request.user, "dynamo_wagtail.restore")
    messages.success(request, _("'%(name)s' restored with its data.") % {"name": name})
    return redirect("dynamo_wagtail_trash")


@permission_required(SCHEMA_PERMISSION, raise_exception=True)
def empty(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then drop what a type has in the trash (or the trashed type itself)."""
    meta_model = get_object_or_404(MetaModel, pk=pk)
    if request.method == "POST":
        try:
            plan = api.empty_trash(meta_model, confirm=True, user=request.user)
        except DefinitionError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("dynamo_wagtail_trash")
        except pipeline.Conflict as exc:
            messages.error(request, str(exc))
            return redirect("dynamo_wagtail_trash")
        if MetaModel.objects.filter(pk=pk).exists():
            log_plan(meta_model, plan, request.user, "dynamo_wagtail.empty_trash")
        messages.success(request, _("Trash of '%(name)s' emptied.") % {"name": meta_model})
        return redirect("dynamo_wagtail_trash")
    plan = api.empty_trash(meta_model, dry_run=True)
    context = {
        "object": meta_model,
        "plan": plan,
        "rows": impact_rows(plan),
        "form_action": reverse("dynamo_wagtail_trash_empty", args=[pk]),
    }
    return TemplateResponse(request, "dynamo_wagtail/admin/empty_trash.html", context)
