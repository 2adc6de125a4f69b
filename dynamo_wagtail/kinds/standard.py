"""Built-in scalar kinds: every Django field type django-dynamo listed, and more."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_comma_separated_integer_list
from django.db import models

from .. import fields as dynamo_fields
from ..spec import FieldSpec
from .base import INTEGER, STRING, Errors, FieldKind

MAX_CHAR_LENGTH = 255 * 4  # within every backend's indexable VARCHAR limit


def _positive_int(spec: FieldSpec, key: str, errors: Errors, low: int, high: int) -> int | None:
    value = spec.option(key)
    if isinstance(value, bool) or not isinstance(value, int):
        errors.setdefault(key, []).append(f"'{key}' must be a whole number.")
        return None
    if not low <= value <= high:
        errors.setdefault(key, []).append(f"'{key}' must be between {low} and {high}.")
        return None
    return value


class CharKind(FieldKind):
    name = "char"
    label = "Text (one line)"
    legacy_name = "CharField"
    django_field = models.CharField
    group = STRING
    option_defaults = {"max_length": 255}
    physical_options = ("max_length",)
    supports_choices = True
    lossless_from = frozenset({"slug", "email", "url", "ip", "comma_separated_integer", "choice"})
    icon = "title"

    def option_blocks(self) -> list[tuple[str, Any]]:
        from wagtail import blocks

        return [
            (
                "max_length",
                blocks.IntegerBlock(
                    min_value=1,
                    max_value=MAX_CHAR_LENGTH,
                    default=self.option_defaults.get("max_length"),
                    help_text="Longest value accepted, in characters.",
                ),
            )
        ]

    def validate(self, spec: FieldSpec, errors: Errors) -> None:
        _positive_int(spec, "max_length", errors, 1, MAX_CHAR_LENGTH)
        if "max_length" not in errors:
            super().validate(spec, errors)

    def typed_choices(self, spec: FieldSpec) -> list[tuple[Any, str]]:
        return [(v, label or v) for v, label in spec.choices]

    def is_narrowing(self, old: FieldSpec, new: FieldSpec) -> bool:
        return (new.option("max_length") or 0) < (old.option("max_length") or 0)


class TextKind(FieldKind):
    name = "text"
    label = "Text (several lines)"
    legacy_name = "TextField"
    django_field = models.TextField
    group = STRING
    supports_unique = False
    supports_index = False
    lossless_from = frozenset(
        {"char", "slug", "email", "url", "ip", "choice", "comma_separated_integer"}
    )
    icon = "pilcrow"


class SlugKind(CharKind):
    name = "slug"
    label = "Slug"
    legacy_name = "SlugField"
    django_field = models.SlugField
    option_defaults = {"max_length": 50}
    supports_choices = False


class EmailKind(CharKind):
    name = "email"
    label = "Email address"
    legacy_name = "EmailField"
    django_field = models.EmailField
    option_defaults = {"max_length": 254}
    supports_choices = False
    icon = "mail"


class URLKind(CharKind):
    name = "url"
    label = "URL"
    legacy_name = "URLField"
    django_field = models.URLField
    option_defaults = {"max_length": 200}
    supports_choices = False
    icon = "link"


class GenericIPAddressKind(FieldKind):
    name = "ip"
    label = "IP address"
    legacy_name = "GenericIPAddressField"
    django_field = models.GenericIPAddressField
    option_defaults = {"protocol": "both"}

    def option_blocks(self) -> list[tuple[str, Any]]:
        from wagtail import blocks

        choices = [("both", "IPv4 and IPv6"), ("ipv4", "IPv4"), ("ipv6", "IPv6")]
        return [("protocol", blocks.ChoiceBlock(choices=choices, default="both"))]

    def validate(self, spec: FieldSpec, errors: Errors) -> None:
        if spec.option("protocol", "both") not in ("both", "ipv4", "ipv6"):
            errors.setdefault("protocol", []).append("'protocol' must be both, ipv4 or ipv6.")
            return
        super().validate(spec, errors)

    def null_when_optional(self) -> bool:
        # Django requires NULL for blank IP addresses (an empty string is no address).
        return True


class CommaSeparatedIntegerKind(CharKind):
    name = "comma_separated_integer"
    label = "Comma-separated integers"
    legacy_name = "CommaSeparatedIntegerField"
    extra_validators = [validate_comma_separated_integer_list]
    supports_choices = False


class IntegerKind(FieldKind):
    name = "integer"
    label = "Integer"
    legacy_name = "IntegerField"
    django_field = models.IntegerField
    group = INTEGER
    supports_choices = True
    lossless_from = frozenset({"small_integer", "positive_small_integer", "boolean"})
    icon = "order"

    def typed_choices(self, spec: FieldSpec) -> list[tuple[Any, str]]:
        return [(int(v), label or v) for v, label in spec.choices]

    def is_narrowing(self, old: FieldSpec, new: FieldSpec) -> bool:
        return old.kind != new.kind and old.kind not in self.lossless_from


class BigIntegerKind(IntegerKind):
    name = "big_integer"
    label = "Big integer"
    legacy_name = "BigIntegerField"
    django_field = models.BigIntegerField
    lossless_from = frozenset(
        {"integer", "small_integer", "positive_integer", "positive_small_integer", "boolean"}
    )


class SmallIntegerKind(IntegerKind):
    name = "small_integer"
    label = "Small integer"
    legacy_name = "SmallIntegerField"
    django_field = models.SmallIntegerField
    lossless_from = frozenset({"positive_small_integer", "boolean"})


class PositiveIntegerKind(IntegerKind):
    name = "positive_integer"
    label = "Positive integer"
    legacy_name = "PositiveIntegerField"
    django_field = models.PositiveIntegerField
    lossless_from = frozenset({"positive_small_integer", "boolean"})


class PositiveSmallIntegerKind(IntegerKind):
    name = "positive_small_integer"
    label = "Positive small integer"
    legacy_name = "PositiveSmallIntegerField"
    django_field = models.PositiveSmallIntegerField
    lossless_from = frozenset({"boolean"})


class DecimalKind(FieldKind):
    name = "decimal"
    label = "Decimal number"
    legacy_name = "DecimalField"
    django_field = models.DecimalField
    option_defaults = {"max_digits": 12, "decimal_places": 2}
    physical_options = ("max_digits", "decimal_places")
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
        digits = _positive_int(spec, "max_digits", errors, 1, 65)
        places = _positive_int(spec, "decimal_places", errors, 0, 30)
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
    legacy_name = "FloatField"
    django_field = models.FloatField
    lossless_from = frozenset(
        {"integer", "small_integer", "positive_integer", "positive_small_integer"}
    )


class BooleanKind(FieldKind):
    name = "boolean"
    label = "Yes / no"
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
    legacy_name = "DateField"
    django_field = models.DateField
    icon = "date"


class DateTimeKind(FieldKind):
    name = "datetime"
    label = "Date and time"
    legacy_name = "DateTimeField"
    django_field = models.DateTimeField
    lossless_from = frozenset({"date"})
    icon = "date"


class TimeKind(FieldKind):
    name = "time"
    label = "Time"
    legacy_name = "TimeField"
    django_field = models.TimeField
    icon = "time"


class DurationKind(FieldKind):
    name = "duration"
    label = "Duration"
    legacy_name = "DurationField"
    django_field = models.DurationField
    icon = "time"


class UUIDKind(FieldKind):
    name = "uuid"
    label = "UUID"
    legacy_name = "UUIDField"
    django_field = models.UUIDField

    def null_when_optional(self) -> bool:
        return True


class JSONKind(FieldKind):
    name = "json"
    label = "JSON data"
    legacy_name = "JSONField"
    django_field = models.JSONField
    supports_unique = False
    supports_index = False
    icon = "code"

    def parse_default(self, spec: FieldSpec) -> Any:
        import json

        try:
            return json.loads(spec.default)
        except ValueError as exc:
            raise ValidationError(f"Default is not valid JSON: {exc}") from exc

    def convert(self, value: Any, new: FieldSpec) -> Any:
        return value


class ChoiceKind(CharKind):
    name = "choice"
    label = "Choice"
    legacy_name = ""
    option_defaults = {"max_length": 100, "widget": "select"}
    icon = "list-ul"

    def option_blocks(self) -> list[tuple[str, Any]]:
        from wagtail import blocks

        widgets = [("select", "Drop-down"), ("radio", "Radio buttons")]
        return [
            *super().option_blocks(),
            ("widget", blocks.ChoiceBlock(choices=widgets, default="select")),
        ]

    def validate(self, spec: FieldSpec, errors: Errors) -> None:
        if not spec.choices:
            errors.setdefault("choices", []).append("A choice field needs at least one choice.")
        if spec.option("widget", "select") not in ("select", "radio"):
            errors.setdefault("widget", []).append("'widget' must be select or radio.")
        super().validate(spec, errors)
        length = spec.option("max_length") or 0
        for value, _label in spec.choices:
            if len(value) > length:
                errors.setdefault("choices", []).append(
                    f"Choice '{value}' is longer than max_length ({length})."
                )

    def kind_kwargs(self, spec: FieldSpec) -> dict[str, Any]:
        return {"max_length": spec.option("max_length", 100)}

    def build(
        self, spec: FieldSpec, *, target: Any = None, physical: bool = False, table: str = ""
    ) -> models.Field:
        field = super().build(spec, target=target, physical=physical, table=table)
        field.dynamo_widget = spec.option("widget", "select")  # type: ignore[attr-defined]
        return field

    def fits(self, value: Any, new: FieldSpec) -> bool:
        return value in (None, "") or value in {v for v, _ in new.choices}


class MultipleChoiceKind(FieldKind):
    name = "multiple_choice"
    label = "Multiple choice"
    django_field = dynamo_fields.MultipleChoiceField
    supports_unique = False
    supports_index = False
    supports_choices = True
    icon = "list-ul"

    def validate(self, spec: FieldSpec, errors: Errors) -> None:
        if not spec.choices:
            errors.setdefault("choices", []).append("A choice field needs at least one choice.")
        super().validate(spec, errors)

    def typed_choices(self, spec: FieldSpec) -> list[tuple[Any, str]]:
        return [(v, label or v) for v, label in spec.choices]

    def null_when_optional(self) -> bool:
        return False

    def common_kwargs(self, spec: FieldSpec, *, physical: bool) -> dict[str, Any]:
        kwargs = super().common_kwargs(spec, physical=physical)
        kwargs.setdefault("default", list)
        return kwargs

    def parse_default(self, spec: FieldSpec) -> Any:
        values = [v.strip() for v in spec.default.split(",") if v.strip()]
        allowed = {v for v, _ in spec.choices}
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValidationError(f"Default {', '.join(bad)} is not among the choices.")
        return values

    def convert(self, value: Any, new: FieldSpec) -> Any:
        if value in (None, ""):
            return []
        values = value if isinstance(value, list) else [str(value)]
        allowed = {v for v, _ in new.choices}
        if any(v not in allowed for v in values):
            raise ValidationError(f"{value!r} is not among the choices.")
        return values

    def fits(self, value: Any, new: FieldSpec) -> bool:
        allowed = {v for v, _ in new.choices}
        return all(v in allowed for v in (value or []))


class FileKind(FieldKind):
    name = "file"
    label = "File"
    legacy_name = "FileField"
    django_field = models.FileField
    group = STRING
    option_defaults = {"max_length": 100}
    physical_options = ("max_length",)
    supports_unique = False
    supports_default = False
    icon = "doc-full"

    def kind_kwargs(self, spec: FieldSpec) -> dict[str, Any]:
        return {"max_length": spec.option("max_length", 100), "upload_to": "dynamo/"}


class ImageFileKind(FileKind):
    name = "image_file"
    label = "Image file (plain)"
    legacy_name = "ImageField"
    django_field = models.ImageField
    icon = "image"
