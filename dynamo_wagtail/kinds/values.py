"""What every database can store: text without NUL or lone surrogates, finite numbers, JSON
of plain values. Used by kinds and by the parsing of definition rows."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError


def text_problem(value: str) -> str | None:
    """What keeps the text ``value`` from being stored on every backend, if anything."""
    if "\x00" in value:
        return "Text cannot contain NUL characters."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "Text must be valid Unicode (it holds a lone surrogate)."
    return None


def json_problem(value: Any) -> str | None:
    """What keeps ``value`` from being stored as JSON on every backend, if anything."""
    if isinstance(value, str):
        return text_problem(value)
    if value is None or isinstance(value, (bool, int)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{value} is not a number JSON can store."
    if isinstance(value, (list, tuple)):
        return next((p for p in map(json_problem, value) if p), None)
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            return "Keys must be text."
        return next((p for p in map(json_problem, [*value, *value.values()]) if p), None)
    return f"{type(value).__name__} values cannot be stored."


def validate_storable(value: Any) -> None:
    """A validator: ``value`` (JSON data included) can be stored on every backend."""
    problem = json_problem(value)
    if problem:
        raise ValidationError(problem)
