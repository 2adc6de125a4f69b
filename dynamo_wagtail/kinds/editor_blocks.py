"""Builder blocks that kinds share: "Show only when", the validation rules, and the check of
rich text features."""

from __future__ import annotations

from typing import Any

from .. import conditions
from . import rules as field_rules

Errors = dict[str, list[str]]


def rule_blocks(rules: tuple[str, ...]) -> list[tuple[str, Any]]:
    """The builder blocks of a kind's ``rules``, after "Show only when"."""
    from wagtail import blocks

    result: list[tuple[str, Any]] = [(conditions.OPTION, condition_block())]
    for key in rules:
        label = field_rules.LABELS[key]
        if key in ("min_length", "max_length", "min_items", "max_items"):
            block: Any = blocks.IntegerBlock(required=False, min_value=0, label=label)
        elif key == "max_size_mb":
            block = blocks.FloatBlock(required=False, min_value=0, label=label)
        elif key == "extensions":
            block = blocks.CharBlock(required=False, label=label, help_text="e.g. pdf, docx")
        else:
            block = blocks.CharBlock(required=False, label=label)
        result.append((key, block))
    if rules:
        result.append(
            (
                field_rules.ENFORCE,
                blocks.ChoiceBlock(
                    choices=field_rules.ENFORCE_CHOICES,
                    default="all",
                    required=False,
                    label=field_rules.LABELS[field_rules.ENFORCE],
                    help_text="All entries: existing entries are checked first.",
                ),
            )
        )
    return result


def check_features(features: Any, errors: Errors) -> None:
    """Messages on ``features`` for rich text features the editor does not have (None: the
    site's default features)."""
    if features is None:
        return
    # wagtail.rich_text reads the feature hooks: loaded when a definition is checked.
    from wagtail.rich_text import features as registry

    if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
        errors.setdefault("features", []).append("'features' must be a list of names.")
        return
    known = set(registry.get_default_features())
    known |= set(registry.plugins_by_editor.get("draftail", {}))
    unknown = sorted(set(features) - known)
    if unknown:
        errors.setdefault("features", []).append(
            f"Unknown rich text features: {', '.join(unknown)}."
        )


def condition_block() -> Any:
    """The builder's "Show only when", written as text (one light block for every kind)."""
    from wagtail import blocks

    return blocks.CharBlock(
        required=False,
        max_length=255,
        label="Show only when",
        help_text="e.g. gift is checked, size is one of s, m, or notes is not empty",
    )
