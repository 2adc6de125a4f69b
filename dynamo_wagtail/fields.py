"""Model fields the built-in kinds need beyond Django's own."""

from __future__ import annotations

from decimal import Decimal
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


class RangeCheckMixin:
    """A number column with a database check: ``db_min <= value <= db_max``.

    The check joins the column's own one (a positive integer's ``>= 0``); Django's schema
    editor adds, changes and drops it with the column (``db_check``).
    """

    def __init__(self, *args: Any, db_min: Any = None, db_max: Any = None, **kwargs: Any) -> None:
        self.db_min = db_min
        self.db_max = db_max
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, ...]:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        if self.db_min is not None:
            kwargs["db_min"] = self.db_min
        if self.db_max is not None:
            kwargs["db_max"] = self.db_max
        return name, path, args, kwargs

    def db_check(self, connection: Any) -> str | None:
        own = super().db_check(connection)  # type: ignore[misc]
        column = connection.ops.quote_name(self.column)  # type: ignore[attr-defined]
        parts = [own] if own else []
        if self.db_min is not None:
            parts.append(f"{column} >= {_number_literal(self.db_min)}")
        if self.db_max is not None:
            parts.append(f"{column} <= {_number_literal(self.db_max)}")
        return " AND ".join(f"({part})" for part in parts) if parts else None


def _number_literal(value: Any) -> str:
    """A parsed number as SQL: only ints, floats and Decimals, which print as digits."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise TypeError(f"A database range needs a number, not {type(value).__name__}.")
    return repr(value) if isinstance(value, float) else str(value)


_range_checked: dict[type[models.Field], type[models.Field]] = {}


def range_checked(field_class: type[models.Field]) -> type[models.Field]:
    """``field_class`` with a database range check (one class per number field class)."""
    found = _range_checked.get(field_class)
    if found is None:
        name = f"RangeChecked{field_class.__name__}"
        found = _range_checked[field_class] = type(name, (RangeCheckMixin, field_class), {})
    return found
