"""Built-in kinds for text: one line, several lines, formats, choices and files."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_comma_separated_integer_list
from django.db import models

from .. import fields as dynamo_fields
from ..spec import FieldSpec
from . import rules as field_rules
from .base import STRING, Errors, FieldKind

MAX_CHAR_LENGTH = 255 * 4  # within every backend's indexable VARCHAR limit
MAX_LENGTH_HELP = "In characters (a file's: its stored name); empty: the kind's default."
#: The kinds of plain text: numbers, dates and the like parse their values.
PLAIN_TEXT = frozenset({"char", "text"})
#: Sorts of values plain text (one line, several lines) converts from: each written as text.
PLAIN_TEXT_TAKES = frozenset({"number", "boolean", "date", "time", "duration", "uuid"})


def positive_int(spec: FieldSpec, key: str, errors: Errors, low: int, high: int) -> int | None:
    value = spec.option(key)
    if isinstance(value, bool) or not isinstance(value, int):
        errors.setdefault(key, []).append(f"'{key}' must be a whole number.")
        return None
    if not low <= value <= high:
        errors.setdefault(key, []).append(f"'{key}' must be between {low} and {high}.")
        return None
    return value


class MaxLengthOption:
    """The ``max_length`` option: a builder block and its range check.

    The block is the same for every kind (the builder ships it once): empty means the kind's
    default (``option_defaults``).
    """

    option_defaults: ClassVar[dict[str, Any]]

    def option_blocks(self) -> list[tuple[str, Any]]:
        from wagtail import blocks

        return [
            (
                "max_length",
                blocks.IntegerBlock(
                    required=False,
                    min_value=1,
                    max_value=MAX_CHAR_LENGTH,
                    help_text=MAX_LENGTH_HELP,
                ),
            )
        ]

    def validate(self, spec: FieldSpec, errors: Errors) -> None:
        positive_int(spec, "max_length", errors, 1, MAX_CHAR_LENGTH)
        if "max_length" not in errors:
            super().validate(spec, errors)  # type: ignore[misc]


class CharKind(MaxLengthOption, FieldKind):
    name = "char"
    label = "Text (one line)"
    picker_group = "text"
    description = "One line of text, such as a title or a name."
    values = "string"
    accepts = PLAIN_TEXT_TAKES
    legacy_name = "CharField"
    django_field: ClassVar[type[models.CharField]] = models.CharField
    group = STRING
    option_defaults = {"max_length": 255}
    physical_options = ("max_length",)
    supports_choices = True
    lossless_from = frozenset({"slug", "email", "url", "ip", "comma_separated_integer", "choice"})
    icon = "title"
    rules: ClassVar[tuple[str, ...]] = (*field_rules.LENGTH, *field_rules.PATTERN)

    def typed_choices(self, spec: FieldSpec) -> list[tuple[Any, str]]:
        return [(v, label or v) for v, label in spec.choices]

    def is_narrowing(self, old: FieldSpec, new: FieldSpec) -> bool:
        return (new.option("max_length") or 0) < (old.option("max_length") or 0)


class TextKind(FieldKind):
    name = "text"
    label = "Text (several lines)"
    picker_group = "text"
    description = "Several lines of plain text."
    values = "string"
    accepts = PLAIN_TEXT_TAKES
    legacy_name = "TextField"
    django_field = models.TextField
    group = STRING
    supports_unique = False
    supports_index = False
    lossless_from = frozenset(
        {"char", "slug", "email", "url", "ip", "choice", "comma_separated_integer"}
    )
    icon = "pilcrow"
    rules = (*field_rules.TEXT_LENGTH, *field_rules.PATTERN)


class SlugKind(CharKind):
    name = "slug"
    label = "Slug"
    description = "Letters, digits, hyphens and underscores, as in a URL."
    accepts = frozenset()
    legacy_name = "SlugField"
    django_field = models.SlugField
    option_defaults = {"max_length": 50}
    supports_choices = False


class EmailKind(CharKind):
    name = "email"
    label = "Email address"
    description = "An email address, checked for its form."
    accepts = frozenset()
    legacy_name = "EmailField"
    django_field = models.EmailField
    option_defaults = {"max_length": 254}
    supports_choices = False
    icon = "mail"


class URLKind(CharKind):
    name = "url"
    label = "URL"
    description = "A web address, checked for its form."
    accepts = frozenset()
    legacy_name = "URLField"
    django_field = models.URLField
    option_defaults = {"max_length": 200}
    supports_choices = False
    icon = "link"


class GenericIPAddressKind(FieldKind):
    name = "ip"
    label = "IP address"
    picker_group = "text"
    description = "An IPv4 or IPv6 address."
    values = "string"
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
    description = "Whole numbers separated by commas, e.g. 1,2,3."
    accepts = frozenset()
    legacy_name = "CommaSeparatedIntegerField"
    extra_validators = [validate_comma_separated_integer_list]
    supports_choices = False
    rules = ()


class ChoiceKind(CharKind):
    name = "choice"
    label = "Choice"
    picker_group = "choices"
    description = "One value from a list you define."
    accepts = frozenset()
    legacy_name = ""
    option_defaults = {"max_length": 100, "widget": "select"}
    icon = "list-ul"
    rules = ()

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
    picker_group = "choices"
    description = "Any number of values from a list you define."
    values = "list"
    accepts = frozenset({*PLAIN_TEXT, "choice"})
    django_field = dynamo_fields.MultipleChoiceField
    supports_unique = False
    supports_index = False
    supports_choices = True
    icon = "list-ul"
    rules = field_rules.ITEMS

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


class FileKind(MaxLengthOption, FieldKind):
    name = "file"
    label = "File"
    picker_group = "media"
    description = "An uploaded file, kept with the entry."
    values = "file"
    legacy_name = "FileField"
    django_field: ClassVar[type[models.FileField]] = models.FileField
    group = STRING
    option_defaults = {"max_length": 100}
    physical_options = ("max_length",)
    supports_unique = False
    supports_default = False
    icon = "doc-full"
    rules = field_rules.FILES

    def kind_kwargs(self, spec: FieldSpec) -> dict[str, Any]:
        return {"max_length": spec.option("max_length", 100), "upload_to": "dynamo/"}


class ImageFileKind(FileKind):
    name = "image_file"
    label = "Image file (plain)"
    description = "An uploaded image, outside Wagtail's image library."
    legacy_name = "ImageField"
    django_field = models.ImageField
    icon = "image"
