"""Built-in kinds for numbers, yes/no, dates and times, UUIDs and JSON."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone

from ..spec import FieldSpec
from . import rules as field_rules
from .base import INTEGER, Errors, FieldKind
from .text import PLAIN_TEXT, positive_int
from .values import validate_storable


class IntegerKind(FieldKind):
    name = "integer"
    label = "Integer"
    picker_group = "numbers"
    description = "A whole number."
    values = "number"
    accepts = PLAIN_TEXT
    legacy_name = "IntegerField"
    django_field = models.IntegerField
    group = INTEGER
    supports_choices = True
    lossless_from = frozenset({"small_integer", "positive_small_integer", "boolean"})
    icon = "order"
    rules = field_rules.RANGE
    range_in_database = True

    def typed_choices(self, spec: FieldSpec) -> list[tuple[Any, str]]:
        return [(int(v), label or v) for v, label in spec.choices]

    def check_value(self, value: Any) -> Any:
        """Within the column's range on every backend (SQLite alone would take more)."""
        value = super().check_value(value)
        if isinstance(value, int):
            internal = self.django_field().get_internal_type()
            low, high = BaseDatabaseOperations.integer_field_ranges[internal]
            if not low <= value <= high:
                raise ValidationError(
                    f"{value} is outside the range of {self.label.lower()} fields "
                    f"({low} to {high})."
                )
        return value

    def is_narrowing(self, old: FieldSpec, new: FieldSpec) -> bool:
        return old.kind != new.kind and old.kind not in self.lossless_from


class BigIntegerKind(IntegerKind):
    name = "big_integer"
    label = "Big integer"
    description = "A whole number of up to 19 digits."
    legacy_name = "BigIntegerField"
    django_field = models.BigIntegerField
    lossless_from = frozenset(
        {"integer", "small_integer", "positive_integer", "positive_small_integer", "boolean"}
    )


class SmallIntegerKind(IntegerKind):
    name = "small_integer"
    label = "Small integer"
    description = "A whole number from -32768 to 32767."
    legacy_name = "SmallIntegerField"
    django_field = models.SmallIntegerField
    lossless_from = frozenset({"positive_small_integer", "boolean"})


class PositiveIntegerKind(IntegerKind):
    name = "positive_integer"
    label = "Positive integer"
    description = "A whole number, zero or more."
    legacy_name = "PositiveIntegerField"
    django_field = models.PositiveIntegerField
    lossless_from = frozenset({"positive_small_integer", "boolean"})


class PositiveSmallIntegerKind(IntegerKind):
    name = "positive_small_integer"
    label = "Positive small integer"
    description = "A whole number from 0 to 32767."
    legacy_name = "PositiveSmallIntegerField"
    django_field = models.PositiveSmallIntegerField
    lossless_from = frozenset({"boolean"})


class DecimalKind(FieldKind):
    name = "decimal"
    label = "Decimal number"
    picker_group = "numbers"
    description = "A number with fixed decimal places, such as a price."
    values = "number"
    accepts = PLAIN_TEXT
    legacy_name = "DecimalField"
    django_field = models.DecimalField
    option_defaults = {"max_digits": 12, "decimal_places": 2}
    physical_options = ("max_digits", "decimal_places")
    rules = field_rules.RANGE
    range_in_database = True
    lossless_from = frozenset(
        {"integer", "small_integer", "positive_integer", "positive_small_integer"}
    )
    icon = "decimal"

    def option_blocks(self) -> list[tuple[str, Any]]:
        from wagtail import blocks

        return [
            ("max_digits", blocks.IntegerBlock(min_value=1, max_value=65, default=12)),
            ("decimal_places", blocks.IntegerBlock(min_value=0, max_value=30, default=2)),
        ]

    def validate(self, spec: FieldSpec, errors: Errors) -> None:
        digits = positive_int(spec, "max_digits", errors, 1, 65)
        places = positive_int(spec, "decimal_places", errors, 0, 30)
        if digits is not None and places is not None and places > digits:
            errors.setdefault("decimal_places", []).append(
                "'decimal_places' cannot be more than 'max_digits'."
            )
        if not errors:
            super().validate(spec, errors)

    def is_narrowing(self, old: FieldSpec, new: FieldSpec) -> bool:
        if old.kind != new.kind:
            return False
        old_int = old.option("max_digits") - old.option("decimal_places")
        new_int = new.option("max_digits") - new.option("decimal_places")
        return new_int < old_int or new.option("decimal_places") < old.option("decimal_places")

    def fits(self, value: Any, new: FieldSpec) -> bool:
        if value is None:
            return True
        places = new.option("decimal_places")
        if value != round(value, places):
            return False
        return super().fits(value, new)


class FloatKind(FieldKind):
    name = "float"
    label = "Floating point number"
    picker_group = "numbers"
    description = "A floating point number, such as a measurement."
    values = "number"
    accepts = PLAIN_TEXT
    legacy_name = "FloatField"
    django_field = models.FloatField
    lossless_from = frozenset(
        {"integer", "small_integer", "positive_integer", "positive_small_integer"}
    )
    rules = field_rules.RANGE
    range_in_database = True


class BooleanKind(FieldKind):
    name = "boolean"
    label = "Yes / no"
    picker_group = "choices"
    description = "A tick box: yes or no."
    values = "boolean"
    accepts = PLAIN_TEXT
    legacy_name = "BooleanField"
    django_field = models.BooleanField
    supports_unique = False
    icon = "tick-inverse"

    def common_kwargs(self, spec: FieldSpec, *, physical: bool) -> dict[str, Any]:
        kwargs = super().common_kwargs(spec, physical=physical)
        # An unticked box is False, not missing: never NULL, never required.
        kwargs["blank"] = True
        kwargs["null"] = physical and not spec.is_active
        kwargs.setdefault("default", False)
        return kwargs


class NullBooleanKind(FieldKind):
    name = "null_boolean"
    label = "Yes / no / unknown"
    picker_group = "choices"
    description = "Yes, no, or not known."
    values = "boolean"
    accepts = PLAIN_TEXT
    legacy_name = "NullBooleanField"
    django_field = models.BooleanField
    supports_unique = False
    lossless_from = frozenset({"boolean"})

    def common_kwargs(self, spec: FieldSpec, *, physical: bool) -> dict[str, Any]:
        kwargs = super().common_kwargs(spec, physical=physical)
        kwargs["null"] = True
        return kwargs


class DateKind(FieldKind):
    name = "date"
    label = "Date"
    picker_group = "dates"
    description = "A calendar date."
    values = "date"
    accepts = PLAIN_TEXT
    legacy_name = "DateField"
    django_field = models.DateField
    icon = "date"
    rules = field_rules.RANGE


class DateTimeKind(FieldKind):
    name = "datetime"
    label = "Date and time"
    picker_group = "dates"
    description = "A date and a time of day."
    values = "date"
    accepts = PLAIN_TEXT
    legacy_name = "DateTimeField"
    django_field = models.DateTimeField
    lossless_from = frozenset({"date"})
    icon = "date"

    def parse_default(self, spec: FieldSpec) -> Any:
        """A default without a time zone is in the site's time zone (as a form reads it)."""
        value = super().parse_default(spec)
        if value is not None and settings.USE_TZ and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class TimeKind(FieldKind):
    name = "time"
    label = "Time"
    picker_group = "dates"
    description = "A time of day."
    values = "time"
    accepts = PLAIN_TEXT
    legacy_name = "TimeField"
    django_field = models.TimeField
    icon = "time"
    rules = field_rules.RANGE


class DurationKind(FieldKind):
    name = "duration"
    label = "Duration"
    picker_group = "dates"
    description = "A length of time, such as 1:30:00."
    values = "duration"
    accepts = PLAIN_TEXT
    legacy_name = "DurationField"
    django_field = models.DurationField
    icon = "time"


class UUIDKind(FieldKind):
    name = "uuid"
    label = "UUID"
    picker_group = "structure"
    description = "A universally unique identifier."
    values = "uuid"
    accepts = PLAIN_TEXT
    legacy_name = "UUIDField"
    django_field = models.UUIDField

    def null_when_optional(self) -> bool:
        return True


class JSONKind(FieldKind):
    name = "json"
    label = "JSON data"
    picker_group = "structure"
    description = "Structured data (JSON): lists, mappings, numbers and text."
    values = "json"
    accepts = frozenset({*PLAIN_TEXT, "number", "boolean"})
    legacy_name = "JSONField"
    django_field = models.JSONField
    supports_unique = False
    supports_index = False
    icon = "code"
    #: PostgreSQL's jsonb takes no NUL in text: a form error, not a database error.
    extra_validators = [validate_storable]

    def parse_default(self, spec: FieldSpec) -> Any:
        def refuse(constant: str) -> None:
            raise ValueError(f"{constant} is not a number every database can store")

        try:
            value = json.loads(spec.default, parse_constant=refuse)
        except ValueError as exc:
            raise ValidationError(f"Default is not valid JSON: {exc}") from exc
        validate_storable(value)
        return value

    def convert(self, value: Any, new: FieldSpec) -> Any:
        return value
