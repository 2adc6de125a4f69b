"""Validation rules a field can carry: a range, a length, a pattern, files, a number of items.

A rule is a kind option. Each kind names the rules it takes (``FieldKind.rules``); the
value is parsed here into a plain JSON value (the kind's own parser reads numbers and
dates), the rules of a field are checked against each other, and they become Django
validators on the generated field, so they hold in admin forms, ``full_clean()``, the API
and imports. A range on a number is also a database check.

``enforce="new"`` keeps the rules for new and edited entries only: existing entries are
not checked when the rule is added or tightened, and the database gets no check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.apps import apps
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

RANGE = ("min_value", "max_value")
LENGTH = ("min_length",)
TEXT_LENGTH = ("min_length", "max_length")
PATTERN = ("regex", "regex_message")
FILES = ("extensions", "max_size_mb")
ITEMS = ("min_items", "max_items")
ENFORCE = "enforce"

#: Every rule option, and what the admin calls it.
LABELS = {
    "min_value": "Minimum value",
    "max_value": "Maximum value",
    "min_length": "Minimum length",
    "max_length": "Maximum length",
    "regex": "Pattern (regular expression)",
    "regex_message": "Message when the pattern does not match",
    "extensions": "Allowed file extensions",
    "max_size_mb": "Maximum file size (MB)",
    "min_items": "Minimum number of items",
    "max_items": "Maximum number of items",
    ENFORCE: "Rules apply to",
}
RULE_KEYS = frozenset(LABELS)
ENFORCE_CHOICES = (("all", "All entries"), ("new", "New and edited entries only"))
MAX_PATTERN_LENGTH = 500
MAX_FILE_SIZE_MB = 10_000
EXTENSION_RE = re.compile(r"[a-z0-9]{1,10}")
#: A group holding a repetition and repeated itself: (a+)+, (a*b)*, (x{2,})+ …
NESTED_REPEAT_RE = re.compile(
    r"\((?:[^()\\]|\\.)*(?:[+*]|\{\d*,\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,)"
)


def defaults(rules: tuple[str, ...]) -> dict[str, Any]:
    """The option defaults a kind's rules add: no rule, and no ``enforce`` (all entries).

    None is "not set": a field without rules has the same spec as before rules existed.
    """
    if not rules:
        return {}
    return dict.fromkeys((*rules, ENFORCE))


def is_default(key: str, value: Any) -> bool:
    return value is None or value == "" or (key == ENFORCE and value == "all")


def _count(key: str, value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"'{key}' must be a whole number, 0 or more.")
    return value


def parse(key: str, value: Any, to_python: Callable[[Any], Any]) -> Any:
    """The rule ``key``'s value as stored (JSON); ValueError with a message if it is bad.

    ``to_python`` is the kind's parser of its own values (for ranges).
    """
    if key in RANGE:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValueError(f"'{key}' must be a value of this field.")
        try:
            parsed = to_python(value.strip() if isinstance(value, str) else value)
        except (ValidationError, TypeError, ValueError, ArithmeticError):
            raise ValueError(f"'{value}' is not a valid value for this field.") from None
        if parsed is None:
            raise ValueError(f"'{key}' must be a value of this field.")
        if isinstance(value, (int, float)) and parsed != value:
            raise ValueError(f"'{value}' is not a valid value for this field.")  # 2.5 → 2
        if isinstance(parsed, float) and not (parsed == parsed and abs(parsed) != float("inf")):
            raise ValueError(f"'{key}' must be a finite number.")
        if isinstance(parsed, (int, float)) and not isinstance(parsed, bool):
            return parsed
        if isinstance(parsed, Decimal):
            if not parsed.is_finite():
                raise ValueError(f"'{key}' must be a finite number.")
            return str(parsed)
        return parsed.isoformat() if hasattr(parsed, "isoformat") else str(parsed)
    if key in ("min_length", "max_length", "min_items", "max_items"):
        return _count(key, value)
    if key == "regex":
        if not isinstance(value, str):
            raise ValueError("The pattern must be text.")
        if len(value) > MAX_PATTERN_LENGTH:
            raise ValueError(f"The pattern can have at most {MAX_PATTERN_LENGTH} characters.")
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"Not a valid regular expression: {exc}.") from None
        if NESTED_REPEAT_RE.search(value):
            # Python's re has no time limit: (a+)+ takes exponential time on some values,
            # and every save of an entry runs the pattern.
            raise ValueError(
                "A repeated group that repeats inside itself, such as (a+)+, can take very long "
                "to check; write it without the inner repetition."
            )
        return value
    if key == "regex_message":
        if not isinstance(value, str):
            raise ValueError("The message must be text.")
        if len(value) > 255:
            raise ValueError("The message can have at most 255 characters.")
        return value.strip()
    if key == "extensions":
        items = value.replace(";", ",").split(",") if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
            raise ValueError("Give the extensions as text, e.g. pdf, docx.")
        cleaned = [i.strip().lower().lstrip(".") for i in items if i.strip()]
        bad = [i for i in cleaned if not EXTENSION_RE.fullmatch(i)]
        if bad:
            raise ValueError(f"Not a file extension: {', '.join(bad)}.")
        return sorted(set(cleaned))
    if key == "max_size_mb":
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise ValueError("The maximum size must be a number of megabytes.") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("The maximum size must be a number of megabytes.")
        if not 0 < value <= MAX_FILE_SIZE_MB:
            raise ValueError(
                f"The maximum size must be more than 0 and at most {MAX_FILE_SIZE_MB}."
            )
        return value
    if key == ENFORCE:
        if not isinstance(value, str) or value not in dict(ENFORCE_CHOICES):
            raise ValueError("Choose all entries or new and edited entries only.")
        return value
    raise ValueError(f"'{key}' is not a rule.")


def check(values: dict[str, Any], to_python: Callable[[Any], Any]) -> dict[str, list[str]]:
    """Messages for rules that contradict each other (a minimum above its maximum)."""
    errors: dict[str, list[str]] = {}
    pairs = (("min_value", "max_value"), ("min_length", "max_length"), ("min_items", "max_items"))
    for low, high in pairs:
        if values.get(low) is None or values.get(high) is None:
            continue
        parse = to_python if low == "min_value" else int
        if parse(values[low]) > parse(values[high]):
            errors.setdefault(high, []).append(f"Must not be less than the {LABELS[low].lower()}.")
    if values.get("regex_message") and not values.get("regex"):
        errors.setdefault("regex_message", []).append("Give the pattern this message is for.")
    return errors


@deconstructible
class MaxFileSizeValidator:
    """A file of at most ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def __call__(self, value: Any) -> None:
        size = getattr(value, "size", None)
        if size is not None:
            self.check(size)

    def check(self, size: int) -> None:
        if size > self.max_bytes:
            raise ValidationError(
                "The file is %(size)s MB; at most %(limit)s MB is allowed.",
                code="file_too_large",
                params={"size": _mb(size), "limit": _mb(self.max_bytes)},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaxFileSizeValidator) and other.max_bytes == self.max_bytes


@deconstructible
class LinkedFileValidator:
    """The file of a linked Wagtail image or document: its extension and size."""

    def __init__(self, model: str, extensions: list[str] | None, max_bytes: int | None) -> None:
        self.model = model
        self.extensions = extensions
        self.max_bytes = max_bytes

    def __call__(self, value: Any) -> None:
        pk = getattr(value, "pk", value)
        row = apps.get_model(self.model)._default_manager.filter(pk=pk)
        found = row.values_list("file", "file_size").first()
        if found is None:
            return  # the foreign key's own check reports a missing object
        name, size = found
        extension = PurePath(name or "").suffix[1:].lower()
        if self.extensions and extension not in self.extensions:
            raise ValidationError(
                "File extension “%(extension)s” is not allowed. Allowed extensions are: "
                "%(allowed_extensions)s.",
                code="invalid_extension",
                params={"extension": extension, "allowed_extensions": ", ".join(self.extensions)},
            )
        if self.max_bytes is not None and size is not None:
            MaxFileSizeValidator(self.max_bytes).check(size)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LinkedFileValidator) and (
            (other.model, other.extensions, other.max_bytes)
            == (self.model, self.extensions, self.max_bytes)
        )


@deconstructible
class ItemCountValidator:
    """A list of at least ``low`` and at most ``high`` items."""

    def __init__(self, low: int | None, high: int | None) -> None:
        self.low = low
        self.high = high

    def __call__(self, value: Any) -> None:
        count = len(value) if hasattr(value, "__len__") else value.count()
        if self.low is not None and count < self.low:
            raise ValidationError(
                "Choose at least %(limit)d.", code="too_few", params={"limit": self.low}
            )
        if self.high is not None and count > self.high:
            raise ValidationError(
                "Choose at most %(limit)d.", code="too_many", params={"limit": self.high}
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ItemCountValidator) and (other.low, other.high) == (
            self.low,
            self.high,
        )


def _mb(size: float) -> str:
    return f"{size / 1_000_000:.1f}".rstrip("0").rstrip(".")


def build_validators(
    values: dict[str, Any], to_python: Callable[[Any], Any], *, linked_model: str = ""
) -> list[Callable[[Any], None]]:
    """The Django validators of a field's rules (``values``: its rule options)."""
    result: list[Callable[[Any], None]] = []
    if values.get("min_value") is not None:
        result.append(validators.MinValueValidator(to_python(values["min_value"])))
    if values.get("max_value") is not None:
        result.append(validators.MaxValueValidator(to_python(values["max_value"])))
    if values.get("min_length") is not None:
        result.append(validators.MinLengthValidator(values["min_length"]))
    if values.get("max_length") is not None:
        result.append(validators.MaxLengthValidator(values["max_length"]))
    if values.get("regex"):
        message = values.get("regex_message") or "Enter a value that matches the pattern."
        result.append(validators.RegexValidator(values["regex"], message=message))
    extensions = values.get("extensions") or None
    size = values.get("max_size_mb")
    max_bytes = int(size * 1_000_000) if size is not None else None
    if linked_model and (extensions or max_bytes is not None):
        result.append(LinkedFileValidator(linked_model, extensions, max_bytes))
    elif not linked_model:
        if extensions:
            result.append(validators.FileExtensionValidator(extensions))
        if max_bytes is not None:
            result.append(MaxFileSizeValidator(max_bytes))
    if values.get("min_items") is not None or values.get("max_items") is not None:
        result.append(ItemCountValidator(values.get("min_items"), values.get("max_items")))
    return result


def needs_a_value(values: dict[str, Any]) -> bool:
    """A minimum number of items asks for at least one: an empty list is refused too."""
    return bool(values.get("min_items"))


def database_range(values: dict[str, Any], to_python: Callable[[Any], Any]) -> tuple[Any, Any]:
    """(low, high) for a database check of a number range; (None, None) for no check."""
    if values.get(ENFORCE) == "new":
        return None, None
    low, high = values.get("min_value"), values.get("max_value")
    return (
        to_python(low) if low is not None else None,
        to_python(high) if high is not None else None,
    )
