"""Relation kinds: foreign key, one-to-one and many-to-many.

A target is a dynamic type (stored by its stable id, so renaming the target keeps
the relation) or any installed model ("app_label.Model"). Reverse accessors are
hidden (``related_name="+"``) on static models unless a ``related_name`` is asked
for; on dynamic targets they default to ``<source>_set`` as Django does.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.db import models
from django.db.models.fields.related import create_many_to_many_intermediary_model

from ..spec import FieldSpec
from . import rules as field_rules
from .base import RELATION, Errors, FieldKind

ON_DELETE = {
    "cascade": models.CASCADE,
    "set_null": models.SET_NULL,
    "protect": models.PROTECT,
}


class _Renamed:
    """A many-to-many field seen under another name (for naming its link model)."""

    def __init__(self, field: models.ManyToManyField, name: str, model: type) -> None:
        self._field = field
        self.name = name
        self.model = model

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._field, attr)


class LinkField(models.ManyToManyField):
    """A many-to-many field whose auto-created link model is named by a stable id.

    Django names it ``<Class>_<field name>``: types ``Ab`` with ``c_d`` and ``Ab_c``
    with ``d`` would get one model name. ``link_name`` (the field's column) is
    unique per field and never edited, so link models never collide.
    """

    link_name = ""
    #: Set by ManyToManyField.__init__ (django-stubs declares only the argument).
    db_table: str | None

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False, **kwargs: Any
    ) -> None:
        if (
            self.link_name
            and self.remote_field.through is None
            and not cls._meta.abstract
            and not cls._meta.swapped
        ):
            renamed = _Renamed(self, self.link_name, cls)
            # _Renamed stands in for this field (its attributes, another name): duck-typed.
            self.remote_field.through = create_many_to_many_intermediary_model(
                renamed,  # type: ignore[arg-type]
                cls,
            )
        super().contribute_to_class(cls, name, private_only=private_only, **kwargs)

    # ManyToManyField.formfield takes keywords only; django-stubs types it as Field's.
    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        """The form field checks the rules too: Django leaves a many-to-many field's
        validators to forms (``full_clean()`` runs before the links exist)."""
        field = super().formfield(**kwargs)
        if field is not None and self.validators:
            field.validators = [*field.validators, *self.validators]
            low = next((v.low for v in self.validators if hasattr(v, "low")), None)
            if low:
                field.required = True  # an empty choice skips the validators
        return field


class RelationKind(FieldKind):
    group = RELATION
    django_field: ClassVar[type[models.ForeignKey] | type[models.ManyToManyField]] = (
        models.ForeignKey
    )
    option_defaults: ClassVar[dict[str, Any]] = {"on_delete": None, "related_name": ""}
    reverse_name_options: ClassVar[tuple[str, ...]] = ("related_name",)
    physical_options = ()
    supports_default = False
    supports_unique = True
    icon = "link"
    #: "app_label.Model" for kinds whose target is fixed (image, document, page).
    fixed_target: ClassVar[str | None] = None

    def target_string(self) -> str | None:
        return self.fixed_target

    def option_blocks(self) -> list[tuple[str, Any]]:
        from wagtail import blocks

        result: list[tuple[str, Any]] = []
        if "on_delete" in self.option_defaults:
            choices = [
                ("set_null", "Clear the link"),
                ("protect", "Refuse to delete the target"),
                ("cascade", "Delete this entry too"),
            ]
            result.append(
                (
                    "on_delete",
                    blocks.ChoiceBlock(
                        choices=choices,
                        required=False,
                        label="When the target is deleted",
                    ),
                )
            )
        result.append(
            (
                "related_name",
                blocks.CharBlock(
                    required=False,
                    max_length=63,
                    label="Reverse name",
                    help_text="Name for the way back from the target (optional).",
                ),
            )
        )
        return result

    def parse_option(self, key: str, value: Any) -> Any:
        if key in ("on_delete", "related_name") and not isinstance(value, str):
            raise ValueError(f"'{key}' must be text, not {type(value).__name__}.")
        return super().parse_option(key, value)

    def on_delete_name(self, spec: FieldSpec) -> str:
        return spec.option("on_delete") or ("protect" if spec.required else "set_null")

    def validate(self, spec: FieldSpec, errors: Errors) -> None:
        on_delete = spec.option("on_delete")
        if on_delete and on_delete not in ON_DELETE:
            errors.setdefault("on_delete", []).append(
                f"'on_delete' must be one of {', '.join(ON_DELETE)}."
            )
        if spec.required and self.on_delete_name(spec) == "set_null":
            errors.setdefault("on_delete", []).append(
                "A required relation cannot be cleared when its target is deleted."
            )
        if spec.choices:
            errors.setdefault("choices", []).append("Relations take no choices.")
        super().validate(spec, errors)

    def kind_kwargs(self, spec: FieldSpec) -> dict[str, Any]:
        return {}

    def relation_kwargs(self, spec: FieldSpec, related_name: str | None) -> dict[str, Any]:
        return {"on_delete": ON_DELETE[self.on_delete_name(spec)], "related_name": related_name}

    def build(
        self,
        spec: FieldSpec,
        *,
        target: Any = None,
        physical: bool = False,
        table: str = "",
        related_name: str | None = "+",
        related_query_name: str | None = None,
    ) -> models.Field:
        kwargs = self.common_kwargs(spec, physical=physical)
        explicit = spec.option("related_name")
        kwargs.update(self.relation_kwargs(spec, explicit or related_name))
        if related_query_name and not explicit:
            kwargs["related_query_name"] = related_query_name
        if physical:
            # Tables are built from this class: no reverse accessor, no constraint name clash.
            kwargs["related_name"] = "+"
            kwargs.pop("related_query_name", None)
        found = self.rule_validators(spec)
        if found:
            kwargs["validators"] = found
        # No target at all (a caller's mistake) is Django's to refuse, with its TypeError.
        return self.django_field(target or self.target_string(), **kwargs)  # type: ignore[arg-type]


class ForeignKeyKind(RelationKind):
    name = "foreign_key"
    label = "Link to another item"
    picker_group = "relations"
    description = "A link to one item of a content type or another model."
    legacy_name = "ForeignKey"


class OneToOneKind(RelationKind):
    name = "one_to_one"
    label = "One-to-one link"
    description = "A link to one item that no other entry links to."
    legacy_name = "OneToOneField"
    django_field = models.OneToOneField
    supports_unique = False  # always unique


class ManyToManyKind(RelationKind):
    name = "many_to_many"
    label = "Links to several items"
    description = "Links to any number of items of a content type or model."
    legacy_name = "ManyToManyField"
    django_field: ClassVar[type[LinkField]] = LinkField
    option_defaults: ClassVar[dict[str, Any]] = {"related_name": ""}
    supports_required = False
    supports_unique = False
    supports_index = False
    icon = "list-ul"
    rules = field_rules.ITEMS

    def validate(self, spec: FieldSpec, errors: Errors) -> None:
        if spec.required:
            errors.setdefault("required", []).append(
                "A many-to-many field cannot be required at the database level."
            )
        super().validate(spec, errors)

    def common_kwargs(self, spec: FieldSpec, *, physical: bool) -> dict[str, Any]:
        return {
            "verbose_name": spec.verbose_name or spec.name.replace("_", " "),
            "help_text": spec.help_text,
            "blank": True,
        }

    def relation_kwargs(self, spec: FieldSpec, related_name: str | None) -> dict[str, Any]:
        return {"related_name": related_name}

    def build(
        self,
        spec: FieldSpec,
        *,
        target: Any = None,
        physical: bool = False,
        table: str = "",
        related_name: str | None = "+",
        related_query_name: str | None = None,
    ) -> models.Field:
        # Built from django_field, a LinkField.
        field = cast(
            LinkField,
            super().build(
                spec,
                target=target,
                physical=physical,
                table=table,
                related_name=related_name,
                related_query_name=related_query_name,
            ),
        )
        # The link table and model are named after the owning table and the stable column.
        field.db_table = f"{table}_{spec.column}"
        field.link_name = spec.column
        return field
