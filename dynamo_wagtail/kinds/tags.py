"""The ``tags`` kind: free tags on an entry, with django-taggit and Wagtail's tag widget.

Each tags field owns its tables, named after the type's table and the field's stable
column, so a rename of the field or of the type changes none of them:

* ``<table>_<column>``, the link of an entry to its tags (Wagtail's ``TaggedItemBase``
  pattern: a ``ParentalKey`` to the entry, so drafts and revisions hold the tags);
* ``<table>_<column>_tag``, the field's own vocabulary (a ``TagBase`` model), unless the
  field takes the **shared** vocabulary: taggit's ``Tag``, which Wagtail's pages, images
  and documents use too.

Tags of one field never show up in another field's suggestions unless both share the
vocabulary. Which vocabulary a field takes is fixed when the field is made: its tags would
have to move table (add a new field instead).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.apps.registry import Apps
from django.db import models
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase

from ..conf import settings
from ..spec import FieldSpec, ModelSpec
from .base import Errors, FieldKind

OWN = "own"
SHARED = "shared"
VOCABULARIES = (OWN, SHARED)

#: Rows the physical through table keys on (the same at run time).
ENTRY_KEY = "content_object"
TAG_KEY = "tag"


def tag_fields(model: type[models.Model]) -> list[TaggableManager]:
    """The tags fields of a generated class, in the type's order."""
    return [f for f in model._meta.local_many_to_many if isinstance(f, TaggableManager)]


def tag_model_name(spec: FieldSpec) -> str:
    """The class name of the field's own tag model (stable: named by the column)."""
    return f"Tag_{spec.column}"


def link_model_name(spec: FieldSpec) -> str:
    return f"Tagged_{spec.column}"


class TagsKind(FieldKind):
    name = "tags"
    label = "Tags"
    picker_group = "choices"
    description = "Free tags (keywords) with suggestions from the tags already used."
    values = "tags"
    icon = "tag"
    supports_required = False
    supports_unique = False
    supports_index = False
    supports_default = False
    single_value = False
    convertible = False
    searchable_text = True  # by the tags' names
    owns_tables = True
    #: The type's class is a ClusterableModel: the tags live in the entry's revisions.
    needs_cluster = True
    option_defaults: ClassVar[dict[str, Any]] = {"vocabulary": OWN}
    #: Options that cannot change once the field has its tables.
    fixed_options: ClassVar[tuple[str, ...]] = ("vocabulary",)

    @property
    def django_field(self) -> type:  # type: ignore[override]
        return ClusterTaggableManager

    def option_blocks(self) -> list[tuple[str, Any]]:
        from wagtail import blocks

        return [
            (
                "vocabulary",
                blocks.ChoiceBlock(
                    choices=[
                        (OWN, "Tags of this field only"),
                        (SHARED, "The site's shared tags (pages, images, documents)"),
                    ],
                    default=OWN,
                    required=False,
                    label="Vocabulary",
                    help_text="Fixed once the field is saved.",
                ),
            )
        ]

    def parse_option(self, key: str, value: Any) -> Any:
        if key == "vocabulary":
            if value not in VOCABULARIES:
                raise ValueError(f"'vocabulary' must be one of {', '.join(VOCABULARIES)}.")
            return value
        return super().parse_option(key, value)

    def options(self, spec: FieldSpec) -> dict[str, Any]:
        return {"vocabulary": spec.option("vocabulary") or OWN}

    def validate(self, spec: FieldSpec, errors: Errors) -> None:
        if spec.required:
            errors.setdefault("required", []).append(
                "A tags field cannot be required at the database level."
            )
        super().validate(spec, errors)

    def refused_change(self, old: FieldSpec, new: FieldSpec) -> tuple[str, str] | None:
        """(option, message) when ``new`` changes what the field's tables hold."""
        for key in self.fixed_options:
            if self.options(old)[key] != self.options(new)[key]:
                return key, (
                    "The vocabulary of a tags field is fixed when it is made (its tags "
                    "would move table): add a new tags field instead; nothing was changed."
                )
        return None

    def model_names(self, spec: FieldSpec) -> list[str]:
        """The own tag model: Wagtail's tag autocomplete finds it by its content type."""
        return [tag_model_name(spec)] if self.options(spec)["vocabulary"] == OWN else []

    def fits(self, value: Any, new: FieldSpec) -> bool:
        return True

    # -- tables -------------------------------------------------------------------

    def companions(
        self, model_spec: ModelSpec, spec: FieldSpec, *, apps: Apps | None, physical: bool
    ) -> list[type[models.Model]]:
        """The field's own models, in creation order: its tag model (own vocabulary) and the
        link of entries to tags. Registered in ``apps`` (Django's registry if None)."""
        meta: dict[str, Any] = {"app_label": model_spec.app_label}
        if apps is not None:
            meta["apps"] = apps
        owner = f"{model_spec.app_label}.{model_spec.name}"
        module = settings.DYNAMO_DEFAULT_MODULE
        result: list[type[models.Model]] = []
        if self.options(spec)["vocabulary"] == OWN:
            tag_meta = {
                **meta,
                "db_table": f"{model_spec.table}_{spec.column}_tag",
                "verbose_name": "tag",
                "verbose_name_plural": "tags",
            }
            tag_attrs = {"__module__": module, "Meta": type("Meta", (), tag_meta)}
            tag_attrs["id"] = models.BigAutoField(primary_key=True)
            tag_model: Any = type(tag_model_name(spec), (TagBase,), tag_attrs)
            tag_model.dynamo_field = spec
            result.append(tag_model)
            tag_related = "+" if physical else "tagged_items"
        else:
            tag_model = "taggit.Tag"
            tag_related = "+" if physical else f"dynamo_{spec.column}_items"
        key = models.ForeignKey if physical else ParentalKey
        link_attrs = {
            "__module__": module,
            "Meta": type(
                "Meta",
                (),
                {
                    **meta,
                    "db_table": f"{model_spec.table}_{spec.column}",
                    "unique_together": [(ENTRY_KEY, TAG_KEY)],
                },
            ),
            "id": models.BigAutoField(primary_key=True),
            ENTRY_KEY: key(
                owner,
                on_delete=models.CASCADE,
                related_name="+" if physical else f"tagged_{spec.column}",
            ),
            TAG_KEY: models.ForeignKey(
                tag_model, on_delete=models.CASCADE, related_name=tag_related
            ),
        }
        link = type(link_model_name(spec), (ItemBase,), link_attrs)
        link.dynamo_field = spec  # type: ignore[attr-defined]
        result.append(link)
        return result

    def build(
        self,
        spec: FieldSpec,
        *,
        target: Any = None,
        physical: bool = False,
        table: str = "",
        **kwargs: Any,
    ) -> models.Field:
        """The tag manager (``target``: the field's link model from :meth:`companions`);
        in the physical class a plain many-to-many through that model."""
        verbose_name = spec.verbose_name or spec.name.replace("_", " ")
        # A class, or "taggit.Tag" until a registry under check has it; no link model: the
        # field alone (what it adds to a class).
        tag_model: Any = target._meta.get_field(TAG_KEY).remote_field.model if target else None
        if physical:
            return models.ManyToManyField(
                tag_model, through=target, related_name="+", blank=True, verbose_name=verbose_name
            )
        return ClusterTaggableManager(
            through=target,
            to=tag_model,
            # No way back from the tags: a shared Tag would get one per type, named after it.
            related_name="+",
            blank=True,
            verbose_name=verbose_name,
            help_text=spec.help_text,
        )
