"""Definitions (what people want) and the applied state (what the database has).

No DDL here: saving a definition hands it to the :class:`Engine` (the pipeline, which
plans and applies the change), deleting one to the Python API. Those layers sit above
this module, so they are reached through a seam that ``AppConfig.ready()`` connects
(:mod:`dynamo_wagtail.wiring`), never by importing them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MinValueValidator
from django.db import models, router, transaction
from django.db.models import F
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .conf import settings
from .definitions import check_row
from .errors import Conflict


def default_app() -> str:
    return settings.DYNAMO_DEFAULT_APP


@dataclass(frozen=True)
class Engine:
    """What definition rows hand their changes to: the layers above them.

    ``definition_change(meta_model)`` wraps a save (the pipeline plans and applies the
    change when the outermost one ends); ``delete_type`` and ``remove_field`` move a
    type or a field to the trash; ``model_for`` gives a type's generated class.
    """

    definition_change: Callable[[MetaModel], AbstractContextManager[Any]]
    delete_type: Callable[[MetaModel], Any]
    remove_field: Callable[[MetaModel, str], Any]
    model_for: Callable[[MetaModel], type[models.Model]]


_engine: Engine | None = None


def connect_engine(engine: Engine) -> None:
    """Called once by ``DynamoWagtailConfig.ready()``."""
    global _engine
    _engine = engine


def engine() -> Engine:
    if _engine is None:
        raise ImproperlyConfigured(
            "Definition rows are not connected to the schema engine: add 'dynamo_wagtail' to "
            "INSTALLED_APPS (its ready() connects them)."
        )
    return _engine


class StaleDefinition(Exception):
    """A save of a definition row loaded before someone else changed that row."""


#: The row class of a definition queryset.
_Row = TypeVar("_Row", bound=models.Model)


class DefinitionQuerySet(models.QuerySet[_Row]):
    """Definition rows: updates count as changes, deleting goes through the pipeline."""

    #: Columns whose update is no change of the definition (applied state, bookkeeping).
    neutral_columns = frozenset({"revision", "updated_at", "updated_by", "updated_by_id"})

    def update(self, **kwargs: Any) -> int:
        # Any other column changed (trashed_at included): instances loaded before are stale.
        if set(kwargs) - self.neutral_columns:
            kwargs["revision"] = F("revision") + 1
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Move every row to the trash through the pipeline, as ``instance.delete()`` does.

        Each row is its own schema change. Rows already in the trash are left there
        (empty the trash with ``api.empty_trash``).
        """
        moved = 0
        for row in self.filter(trashed_at__isnull=True):
            row.delete()
            moved += 1
        return moved, {self.model._meta.label: moved}

    def engine_update(self, **kwargs: Any) -> int:
        """An update by the engine that changes no definition: not a new revision.

        The applied state, and type options rewritten to follow a field's rename (a
        save loaded before it names the field by an earlier name, which follows again).
        """
        return super().update(**kwargs)

    def remove_rows(self) -> tuple[int, dict[str, int]]:
        """Delete the rows themselves: no trash, no plan, no DDL; tables stay as they are.

        For the engine (a type emptied from the trash) and test clean-up only.
        """
        return super().delete()


class MetaModelQuerySet(DefinitionQuerySet["MetaModel"]):
    neutral_columns = DefinitionQuerySet.neutral_columns | {"applied_spec", "schema_version"}

    def active(self) -> MetaModelQuerySet:
        return self.filter(trashed_at__isnull=True)

    def trashed(self) -> MetaModelQuerySet:
        return self.filter(trashed_at__isnull=False)


class RevisionGuard(models.Model):
    """An optimistic lock: ``save()`` of a row changed since it was loaded is refused.

    ``revision`` counts the changes of the row's definition (and trash state). The
    UPDATE of ``save()`` matches the revision the instance was loaded with and bumps
    it, so of two saves from one loaded revision only the first writes; the second
    updates no row and raises :class:`StaleDefinition`. Columns the engine owns
    (``engine_columns``) are never written by ``save()`` of an existing row; the
    engine writes them with ``QuerySet.update()``, which does not bump the revision.
    A save from a loaded revision therefore writes exactly the definition it saw plus
    its own changes over the applied state the engine recorded since.
    """

    revision = models.PositiveBigIntegerField(default=0, editable=False)

    engine_columns: frozenset[str] = frozenset({"uid"})

    class Meta:
        abstract = True

    @contextmanager
    def _guarded(self) -> Iterator[None]:
        loaded = self.revision
        self._loaded_revision = loaded
        try:
            yield
        except BaseException:
            self.revision = loaded  # nothing was written: the instance is as loaded
            raise
        finally:
            del self._loaded_revision

    def _savepoint(self, save_kwargs: dict[str, Any]) -> transaction.Atomic:
        """A refused save undoes only itself: the change around it stays usable."""
        using = save_kwargs.get("using") or router.db_for_write(type(self), instance=self)
        return transaction.atomic(using=using)

    def _current_type(self, pk: Any) -> Any:
        """The type's row as stored now (who changed it and when, for the conflict)."""
        return MetaModel.objects.using(self._state.db).filter(pk=pk).first() or self

    def _do_update(self, base_qs: Any, using: Any, pk_val: Any, values: Any, *args: Any, **kw: Any):
        loaded = getattr(self, "_loaded_revision", None)
        if loaded is None:  # a raw save (loaddata): the row as given
            return super()._do_update(base_qs, using, pk_val, values, *args, **kw)
        revision = self._meta.get_field("revision")
        values = [v for v in values if v[0].attname not in self.engine_columns | {"revision"}]
        values.append((revision, None, loaded + 1))
        updated = super()._do_update(
            base_qs.filter(revision=loaded), using, pk_val, values, *args, **kw
        )
        if updated:
            self.revision = loaded + 1
        elif base_qs.filter(pk=pk_val).exists():
            raise StaleDefinition(self)
        return updated


class MetaModel(RevisionGuard):
    """A content type defined at runtime (django-dynamo's MetaModel)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(
        _("name"),
        max_length=63,
        help_text=_("Class name of the generated model, e.g. Product. Letters, digits, _."),
    )
    #: ``name`` lower-cased, kept by ``pre_save``: names are unique ignoring case, and a
    #: type is found by its name with one index lookup, whatever the number of types.
    name_key = models.CharField(max_length=63, db_index=True, default="", editable=False)
    verbose_name = models.CharField(_("label"), max_length=255, blank=True)
    verbose_name_plural = models.CharField(_("plural label"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    app = models.CharField(_("app"), max_length=63, default=default_app)
    admin = models.BooleanField(
        _("admin"), default=True, help_text=_("Edit entries of this type in the admin.")
    )

    # The headless API (dynamo_wagtail.contrib.api).
    api = models.BooleanField(
        _("in the API"),
        default=True,
        help_text=_("Serve entries of this type through the API to callers with permission."),
    )
    api_public = models.BooleanField(
        _("public in the API"),
        default=False,
        help_text=_("Anyone may read the published entries of this type through the API."),
    )

    # Wagtail options.
    icon = models.CharField(_("icon"), max_length=63, blank=True, default="snippet")
    add_to_admin_menu = models.BooleanField(
        _("own admin menu item"),
        default=False,
        help_text=_("Show this type as its own item in the admin menu instead of under Snippets."),
    )
    menu_order = models.IntegerField(
        _("menu order"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Place of its own menu item: 0 comes first; empty puts it just before Reports."
        ),
    )
    listing_columns = models.JSONField(_("listing columns"), default=list, blank=True)
    search_fields = models.JSONField(_("search fields"), default=list, blank=True)
    ordering = models.JSONField(_("default ordering"), default=list, blank=True)
    title_field = models.CharField(_("title field"), max_length=63, blank=True)
    layout = models.JSONField(
        _("layout"),
        default=list,
        blank=True,
        help_text=_("Tabs, sections and rows of the editing form (see dynamo_wagtail.layout)."),
    )
    constraints = models.JSONField(
        _("rules across fields"),
        default=list,
        blank=True,
        help_text=_("Fields unique together, and comparisons between two fields."),
    )
    group_field = models.UUIDField(
        _("items of"),
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text=_("The group field whose items this type holds (set by the engine)."),
    )
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

    engine_columns = frozenset({"uid", "applied_spec", "schema_version", "group_field"})

    class Meta:
        verbose_name = _("content type")
        verbose_name_plural = _("content types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label

    def save(self, *args: Any, **kwargs: Any) -> None:
        check_row(self)  # every attribute parsed before anything is written
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        if not self.table:
            self.table = f"{self.app}_{uuid.UUID(str(self.uid)).hex[:16]}"
        try:
            with self._guarded(), engine().definition_change(self), self._savepoint(kwargs):
                super().save(*args, **kwargs)
        except StaleDefinition:
            raise Conflict(self._current_type(self.pk)) from None

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Deleting a definition moves the type to the trash (restorable)."""
        return engine().delete_type(self)

    @property
    def is_trashed(self) -> bool:
        return self.trashed_at is not None

    @property
    def label(self) -> str:
        """The label as shown everywhere: as typed, first letter capitalised (Django's capfirst)."""
        return str(capfirst(self.verbose_name or self.name))

    @property
    def plural_label(self) -> str:
        """The plural label, shown where Wagtail shows ``verbose_name_plural`` (menus, listings).

        Without one, Django's default: the label with an "s".
        """
        return str(capfirst(self.verbose_name_plural or f"{self.verbose_name or self.name}s"))

    def get_model(self) -> type[models.Model]:
        """The generated model class as the database has it now."""
        return engine().model_for(self)


@receiver(pre_save, sender=MetaModel, dispatch_uid="dynamo_wagtail.name_key")
def _keep_name_key(sender: type[MetaModel], instance: MetaModel, **kwargs: Any) -> None:
    """Every save keeps ``name_key`` (a fixture's raw save too, which skips ``save()``)."""
    instance.name_key = str(instance.name).lower()


class MetaFieldQuerySet(DefinitionQuerySet["MetaField"]):
    def active(self) -> MetaFieldQuerySet:
        return self.filter(trashed_at__isnull=True)


class MetaField(RevisionGuard):
    """A field of a runtime content type (django-dynamo's MetaField)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meta_model = models.ForeignKey(
        MetaModel, on_delete=models.CASCADE, related_name="fields", verbose_name=_("type")
    )
    name = models.CharField(_("name"), max_length=63)
    verbose_name = models.CharField(_("label"), max_length=255, blank=True)
    type = models.CharField(_("kind"), max_length=63, db_index=True)
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
        check_row(self)  # every attribute parsed before anything is written
        if not self.column:
            self.column = f"f_{uuid.UUID(str(self.uid)).hex[:12]}"
        self._remember_former_name()
        try:
            with (
                self._guarded(),
                engine().definition_change(self.meta_model),
                self._savepoint(kwargs),
            ):
                super().save(*args, **kwargs)
        except StaleDefinition:
            raise Conflict(self._current_type(self.meta_model_id)) from None

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Deleting a field moves it to the trash (restorable with its data)."""
        return engine().remove_field(self.meta_model, self.name)

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


class SchemaChange(models.Model):
    """Which type each schema version changed: a process that is behind reads only these.

    One row per version bump, written in the transaction that bumps it. Old rows are
    pruned; a process further behind than what is kept loads every type's version again.
    """

    version = models.PositiveBigIntegerField(primary_key=True)
    type_uid = models.UUIDField()

    class Meta:
        verbose_name = _("schema change")
