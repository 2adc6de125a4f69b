"""The rules across fields of a type, edited as blocks on the layout page: fields unique
together, and a comparison between two fields. A field is chosen from the type's fields and a
comparison from :data:`dynamo_wagtail.constraints.COMPARISONS`; nothing is typed but labels
and messages."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django import forms
from wagtail import blocks
from wagtail.blocks import StreamValue

from ..constraints import COMPARISONS, MESSAGE_LENGTH


def constraint_block(fields: Sequence[tuple[str, str]] = ()) -> blocks.StreamBlock:
    """The rules' blocks, fields chosen from ``fields`` ((name, label) pairs)."""
    return _constraint_block(tuple(fields))


def _message() -> blocks.CharBlock:
    return blocks.CharBlock(
        required=False,
        max_length=MESSAGE_LENGTH,
        help_text="Shown on the field when an entry breaks the rule (empty: a standard one).",
    )


@lru_cache(maxsize=64)
def _constraint_block(fields: tuple[tuple[str, str], ...]) -> blocks.StreamBlock:
    choices = [(name, label if label == name else f"{label} ({name})") for name, label in fields]
    unique = blocks.StructBlock(
        [
            (
                "fields",
                blocks.MultipleChoiceBlock(
                    choices=choices, widget=forms.CheckboxSelectMultiple, label="Fields"
                ),
            ),
            (
                "ignore_case",
                blocks.BooleanBlock(
                    required=False, label="Ignore case", help_text="'Ann' and 'ann' are the same."
                ),
            ),
            ("message", _message()),
        ],
        label="Unique together",
        icon="key",
        help_text="No two entries have the same values in all of these fields.",
    )
    compare = blocks.StructBlock(
        [
            ("field", blocks.ChoiceBlock(choices=choices, label="Field")),
            (
                "is",
                blocks.ChoiceBlock(
                    choices=[
                        (k, f"{sign} {label}") for k, (sign, label, _l) in COMPARISONS.items()
                    ],
                    label="must be",
                ),
            ),
            ("other", blocks.ChoiceBlock(choices=choices, label="Other field")),
            ("message", _message()),
        ],
        label="Comparison",
        icon="resubmit",
        help_text="Checked when both fields have a value.",
    )
    return blocks.StreamBlock([("unique", unique), ("compare", compare)], required=False)


def to_value(rules: list[dict[str, Any]], block: blocks.StreamBlock) -> StreamValue:
    """The blocks of stored rules (already parsed)."""
    raw = []
    for rule in rules:
        value = {k: v for k, v in rule.items() if k != "type"}
        value.setdefault("message", "")
        raw.append({"type": rule["type"], "value": value})
    return block.to_python(raw)


def from_value(value: StreamValue | None) -> list[dict[str, Any]]:
    """The rules the blocks describe, as a definition stores them (checked there)."""
    rules = []
    for child in value or []:
        data = dict(child.value)
        rule: dict[str, Any] = {"type": child.block_type}
        if child.block_type == "unique":
            rule.update(fields=list(data["fields"]), ignore_case=bool(data["ignore_case"]))
        else:
            rule.update({"field": data["field"], "is": data["is"], "other": data["other"]})
        if data.get("message"):
            rule["message"] = data["message"]
        rules.append(rule)
    return rules
