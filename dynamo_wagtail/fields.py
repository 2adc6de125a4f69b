"""Model fields the built-in kinds need beyond Django's own."""

from __future__ import annotations

from typing import Any, Protocol, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models


class _FieldMethods(Protocol):
    """Methods every Django model field has that django-stubs does not declare."""

    def clone(self) -> models.Field: ...

    def has_db_default(self) -> bool: ...


def clone_field(field: models.Field) -> models.Field:
    """``field.clone()``: a new, unbound field built from ``field``'s deconstruction."""
    return cast(_FieldMethods, field).clone()


def has_db_default(field: models.Field) -> bool:
    """``field.has_db_default()``: whether the column has a database default."""
    return cast(_FieldMethods, field).has_db_default()


class MultipleChoiceField(models.JSONField):
    """A list of chosen values, stored as JSON; edited as checkboxes."""

    def __init__(self, *args: Any, choices: Any = None, **kwargs: Any) -> None:
        self.multiple_choices = list(choices or [])
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, ...]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["choices"] = self.multiple_choices
        return name, path, args, kwargs

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)
        allowed = {str(v) for v, _ in self.multiple_choices}
        for item in value or []:
            if str(item) not in allowed:
                raise ValidationError(
                    "%(value)r is not a valid choice.",
                    code="invalid_choice",
                    params={"value": item},
                )

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field:
        # Always checkboxes: the form classes Field.formfield() would take are not used.
        return forms.MultipleChoiceField(
            choices=self.multiple_choices,
            required=not self.blank,
            label=kwargs.get("label", self.verbose_name),
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
        )
