"""The ``stream`` kind: a Wagtail StreamField body of blocks chosen in the builder.

The blocks come from ``DYNAMO_STREAM_BLOCKS`` (:mod:`dynamo_wagtail.stream_blocks` and a
developer's own). The column is JSON whatever the blocks are, so changing the set of blocks
changes no table; taking away a block that entries use is reported as data impact (entries
affected) and needs confirmation. Their values stay in the column and in the revisions, and
come back if the block does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, ClassVar

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.utils.module_loading import import_string

from ..conf import settings
from ..spec import FieldSpec
from .base import Errors, FieldKind
from .editor_blocks import check_features

COUNT_KEYS = ("min_num", "max_num")


@cache
def _catalogue() -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for name, path in dict(settings.DYNAMO_STREAM_BLOCKS).items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ImproperlyConfigured(f"DYNAMO_STREAM_BLOCKS: {name!r} is not a block name.")
        try:
            factory = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"DYNAMO_STREAM_BLOCKS: cannot import {path!r}: {exc}"
            ) from exc
        required = getattr(factory, "dynamo_requires", "")
        if required and not apps.is_installed(required):
            continue
        found[name] = factory
    return found


def catalogue() -> dict[str, Callable[..., Any]]:
    """Block name → what makes the block, for the blocks that can be offered here."""
    return _catalogue()


def _reset(*, setting: str, **kwargs: Any) -> None:
    if setting in ("DYNAMO_STREAM_BLOCKS", "INSTALLED_APPS"):
        _catalogue.cache_clear()


setting_changed.connect(_reset)


def _count(value: Any, what: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what} must be a whole number, 0 or more.")
    return value


class StreamKind(FieldKind):
    name = "stream"
    label = "Stream of blocks"
    picker_group = "structure"
    description = "A body of blocks (headings, paragraphs, images, …) the editor arranges."
    values = "stream"
    icon = "placeholder"
    supports_unique = False
    supports_index = False
    supports_default = False
    single_value = False
    convertible = False
    searchable_text = True
    option_defaults: ClassVar[dict[str, Any]] = {
        "blocks": [],
        "features": None,
        "min_num": 0,
        "max_num": 0,
        "block_counts": [],
    }

    @property
    def django_field(self) -> type:  # type: ignore[override]
        from wagtail.fields import StreamField

        return StreamField

    # -- options ----------------------------------------------------------------

    def parse_option(self, key: str, value: Any) -> Any:
        if key in COUNT_KEYS:
            return _count(value, f"'{key}'")
        if key == "features":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError("'features' must be a list of names.")
            return list(value)
        if key == "block_counts":
            # A list as the API and JSON give it, or the builder's list block's value.
            if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
                raise ValueError("'block_counts' must be a list of {block, min_num, max_num}.")
            counts = []
            for item in value:
                item = dict(item) if isinstance(item, Mapping) else item
                if not isinstance(item, dict) or not isinstance(item.get("block"), str):
                    raise ValueError("Each block count names a block.")
                unknown = set(item) - {"block", *COUNT_KEYS}
                if unknown:
                    raise ValueError(
                        f"Unknown keys in a block count: {', '.join(sorted(unknown))}."
                    )
                count = {"block": item["block"]}
                for k in COUNT_KEYS:
                    if item.get(k) not in (None, ""):
                        count[k] = _count(item[k], f"'{k}' of {item['block']}")
                counts.append(count)
            return counts
        return super().parse_option(key, value)

    def validate(self, spec: FieldSpec, errors: Errors) -> None:
        offered = catalogue()
        chosen = spec.option("blocks") or []
        unknown = [n for n in chosen if n not in offered]
        if unknown:
            errors.setdefault("blocks", []).append(f"Unknown blocks: {', '.join(unknown)}.")
        low, high = spec.option("min_num") or 0, spec.option("max_num") or 0
        if high and low > high:
            errors.setdefault("max_num", []).append("The maximum is below the minimum.")
        names = self.block_names(spec)
        seen: set[str] = set()
        for count in spec.option("block_counts") or []:
            block = count["block"]
            if block not in names:
                errors.setdefault("block_counts", []).append(
                    f"'{block}' is not a block of this field."
                )
            elif block in seen:
                errors.setdefault("block_counts", []).append(f"'{block}' is counted twice.")
            elif count.get("max_num") is not None and count.get("min_num", 0) > count["max_num"]:
                errors.setdefault("block_counts", []).append(
                    f"The maximum of '{block}' is below its minimum."
                )
            seen.add(block)
        check_features(spec.option("features"), errors)
        super().validate(spec, errors)

    def option_blocks(self) -> list[tuple[str, Any]]:
        from wagtail import blocks

        def names() -> list[tuple[str, str]]:
            return [(n, n.replace("_", " ")) for n in catalogue()]

        count = blocks.IntegerBlock(required=False, min_value=0)
        return [
            (
                "blocks",
                blocks.MultipleChoiceBlock(
                    choices=names, required=False, help_text="Leave empty to offer every block."
                ),
            ),
            ("min_num", blocks.IntegerBlock(required=False, min_value=0, label="At least")),
            ("max_num", blocks.IntegerBlock(required=False, min_value=0, label="At most")),
            (
                "block_counts",
                blocks.ListBlock(
                    blocks.StructBlock(
                        [
                            ("block", blocks.ChoiceBlock(choices=names)),
                            ("min_num", count),
                            ("max_num", count),
                        ]
                    ),
                    required=False,
                    default=[],
                    label="Counts per block",
                ),
            ),
        ]

    # -- the Django field ----------------------------------------------------------

    def block_names(self, spec: FieldSpec) -> list[str]:
        """The blocks the field offers (all offered here when none are chosen)."""
        offered = catalogue()
        return [n for n in (spec.option("blocks") or offered) if n in offered]

    def child_blocks(self, spec: FieldSpec) -> list[tuple[str, Any]]:
        result = []
        for name in self.block_names(spec):
            factory = catalogue()[name]
            kwargs = {}
            if name == "paragraph" and spec.option("features") is not None:
                kwargs["features"] = spec.option("features")
            result.append((name, factory(**kwargs)))
        return result

    def build(
        self, spec: FieldSpec, *, target: Any = None, physical: bool = False, table: str = ""
    ) -> models.Field:
        common = self.common_kwargs(spec, physical=physical)
        # Always NULL-able: an entry saved before the field has none; "required" is the form's.
        kwargs = {k: common[k] for k in ("db_column", "verbose_name", "help_text", "blank")}
        kwargs["null"] = True
        if physical:
            return models.JSONField(**kwargs)
        counts = {
            c["block"]: {k: c[k] for k in COUNT_KEYS if c.get(k) is not None}
            for c in spec.option("block_counts") or []
        }
        for key in COUNT_KEYS:
            if spec.option(key):
                kwargs[key] = spec.option(key)
        if counts:
            kwargs["block_counts"] = counts
        return self.django_field(self.child_blocks(spec), **kwargs)

    # -- values -------------------------------------------------------------------

    def fits(self, value: Any, new: FieldSpec) -> bool:
        return True  # a block taken away is data impact (loses), never a refusal

    def is_narrowing(self, old: FieldSpec, new: FieldSpec) -> bool:
        return bool(set(self.block_names(old)) - set(self.block_names(new)))

    def loses(self, value: Any, old: FieldSpec, new: FieldSpec) -> bool:
        gone = set(self.block_names(old)) - set(self.block_names(new))
        return any(isinstance(b, dict) and b.get("type") in gone for b in _blocks(value))

    def loss_text(self, old: FieldSpec, new: FieldSpec) -> str:
        gone = [n for n in self.block_names(old) if n not in self.block_names(new)]
        return f"use the blocks taken away ({', '.join(gone)}); kept in the column and in revisions"


def _blocks(value: Any) -> list[Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return value if isinstance(value, list) else []
