"""Definitions (what people want) and the applied state (what the database has).

No DDL here: saving a definition hands it to :mod:`dynamo_wagtail.pipeline`, which
plans and applies the change.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings as django_settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .conf import settings


def default_app() -> str:
    return settings.DYNAMO_DEFAULT_APP


class MetaModelQuerySet(models.QuerySet):
    def active(self) -> MetaModelQuerySet:
        return self.filter(trashed_at__isnull=True)

    def trashed(self) -> MetaModelQuerySet:
        return self.filter(trashed_at__isnull=False)


class MetaModel(models.Model):
    """A content type defined at runtime (django-dynamo's MetaModel)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(
        _("name"),
        max_length=63,
        help_text=_("Class name of the generated model, e.g. Product. Letters, digits, _."),
    )
    verbose_name = models.CharField(_("label"), max_length=255, blank=True)
    verbose_name_plural = models.CharField(_("plural label"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    app = models.CharField(_("app"), max_length=63, default=default_app)
    admin = models.BooleanField(
        _("admin"), default=True, help_text=_("Edit entries of this type in the admin.")
    )

    # Wagtail options.
    icon = models.CharField(_("icon"), max_length=63, blank=True, default="snippet")
    listing_columns = models.JSONField(_("listing columns"), default=list, blank=True)
    search_fields = models.JSONField(_("search fields"), default=list, blank=True)
    ordering = models.JSONField(_("default ordering"), default=list, blank=True)
    title_field = models.CharField(_("title field"), max_length=63, blank=True)
    drafts = models.BooleanField(_("drafts and publishing"), default=False)
    revisions = models.BooleanField(_("revisions"), default=False)
    locking = models.BooleanField(_("locking"), default=False)
    workflows = models.BooleanField(_("workflows"), default=False)
    preview = models.BooleanField(_("preview"), default=False)
    search_index = models.BooleanField(_("search indexing"), default=False)
    translation = models.BooleanField(_("translation"), default=False)

    # Physical name, assigned once, never derived from an editable name again.
    table = models.CharField(max_length=63, blank=True, editable=False)
    # Applied state: the spec the database has, and how often it changed.
    applied_spec = models.JSONField(null=True, blank=True, editable=False)
    schema_version = models.PositiveBigIntegerField(default=0, editable=False)

    trashed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = MetaModelQuerySet.as_manager()

    class Meta:
        verbose_name = _("content type")
        verbose_name_plural = _("content types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.verbose_name or self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        from .definitions import DefinitionError
        from .validation import MAX_NAME_LENGTH, name_errors

        if len(self.name) > MAX_NAME_LENGTH:  # would not fit the name column
            raise DefinitionError({"name": name_errors(self.name, type_name=True)}, {}, {})
        if not self.table:
            self.table = f"{self.app}_{uuid.UUID(str(self.uid)).hex[:16]}"
        from . import pipeline

        with pipeline.definition_change(self):
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Deleting a definition moves the type to the trash (restorable)."""
        from . import api

        return api.delete_type(self)

    @property
    def is_trashed(self) -> bool:
        return self.trashed_at is not None

    def get_model(self) -> type[models.Model]:
        """The generated model class as the database has it now."""
        from . import registry

        return registry.get_model_for(self)


class MetaFieldQuerySet(models.QuerySet):
    def active(self) -> MetaFieldQuerySet:
        return self.filter(trashed_at__isnull=True)


class MetaField(models.Model):
    """A field of a runtime content type (django-dynamo's MetaField)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meta_model = models.ForeignKey(
        MetaModel, on_delete=models.CASCADE, related_name="fields", verbose_name=_("type")
    )
    name = models.CharField(_("name"), max_length=63)
    verbose_name = models.CharField(_("label"), max_length=255, blank=True)
    type = models.CharField(_("kind"), max_length=63)
    related_model = models.CharField(
        _("related model"),
        max_length=127,
        blank=True,
        help_text=_("Target of a relation: a content type name or app_label.Model."),
    )
    description = models.TextField(_("description"), blank=True)
    order = models.IntegerField(_("order"), default=0)
    unique_together = models.BooleanField(_("unique together"), default=False)
    unique = models.BooleanField(_("unique"), default=False)
    help = models.CharField(_("help text"), max_length=255, blank=True)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("One per line: value or value|label.")
    )
    default = models.CharField(_("default"), max_length=255, blank=True)
    required = models.BooleanField(_("required"), default=False)
    indexed = models.BooleanField(_("indexed"), default=False)
    options = models.JSONField(_("kind options"), default=dict, blank=True)

    # Physical name, assigned once.
    column = models.CharField(max_length=63, blank=True, editable=False)
    # Earlier names, newest last: templates using them keep working (with a warning).
    former_names = models.JSONField(default=list, blank=True, editable=False)
    trashed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = MetaFieldQuerySet.as_manager()

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["meta_model", "order", "pk"]

    def __str__(self) -> str:
        return self.verbose_name or self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        from .definitions import DefinitionError
        from .validation import MAX_NAME_LENGTH, name_errors

        if len(self.name) > MAX_NAME_LENGTH:  # would not fit the name column
            uid = str(self.uid)
            raise DefinitionError({}, {uid: {"name": name_errors(self.name)}}, {uid: self.name})
        if not self.column:
            self.column = f"f_{uuid.UUID(str(self.uid)).hex[:12]}"
        self._remember_former_name()
        from . import pipeline

        with pipeline.definition_change(self.meta_model):
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Deleting a field moves it to the trash (restorable with its data)."""
        from . import api

        return api.remove_field(self.meta_model, self.name)

    def _remember_former_name(self) -> None:
        if self.pk is None:
            return
        stored = MetaField.objects.filter(pk=self.pk).values_list("name", flat=True).first()
        former = [n for n in (self.former_names or []) if n != self.name]
        if stored and stored != self.name and stored not in former:
            former.append(stored)
        self.former_names = former


class SchemaState(models.Model):
    """One row: the global schema version, bumped with every applied change.

    Every process compares it with the version it has built (one cheap query) and
    rebuilds the types that changed.
    """

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("schema state")
