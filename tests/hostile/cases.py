"""The hostile corpus: loading cases and deciding which channels can express them.

A case (one line of ``corpus.json``) is a type definition plus optional setup:

``id``, ``category``, ``about``
    Identity and a short description.
``setup``
    Types created through the API first: ``{"name", "fields", "options", "entries",
    "trashed"}``.
``action``
    ``"create"`` (default: a new type ``name`` with ``options`` and ``fields``),
    ``"add_field"`` (``fields`` added to the setup type ``type``) or ``"alter_type"``
    (``options`` changed on the setup type ``type``).
``expect``
    ``"error"``: refused with a message on ``option`` (one path or a list of acceptable
    paths, ``"name"``, ``"fields.0.default"``, ``"fields.1.related_name"``...);
    ``"valid"``: accepted and working end to end; ``"either"``: one of the two, each
    held to its own rules.
``channels``
    Optional: the channels the case runs through (default: every channel that can
    express its values).
``verify``
    Optional extra checks of an accepted type: ``{"choices": {field: [values]}}``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).with_name("corpus.json")
CHANNELS = ("api", "orm", "admin")

#: Type options the builder form has, by the kind of value it takes.
ADMIN_TEXT_OPTIONS = ("verbose_name", "verbose_name_plural", "description", "icon", "title_field")
ADMIN_LIST_OPTIONS = ("listing_columns", "search_fields", "ordering")
ADMIN_BOOL_OPTIONS = (
    "admin",
    "drafts",
    "revisions",
    "locking",
    "workflows",
    "preview",
    "search_index",
    "translation",
)
ADMIN_TYPE_OPTIONS = ("name", "app", *ADMIN_TEXT_OPTIONS, *ADMIN_LIST_OPTIONS, *ADMIN_BOOL_OPTIONS)
BOOL_ATTRS = ("required", "unique", "indexed", "unique_together")


@cache
def load_cases(path: str = str(CORPUS)) -> tuple[dict[str, Any], ...]:
    with open(path, encoding="utf-8") as handle:
        cases = json.load(handle)
    ids = [c["id"] for c in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"Duplicate case ids: {duplicates}")
    return tuple(cases)


def interleaved(cases: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    """Cases in turns by category, so that any first part of a run samples every category."""
    queues: dict[str, list[dict[str, Any]]] = {}
    for case in cases:
        queues.setdefault(case["category"], []).append(case)
    result: list[dict[str, Any]] = []
    while any(queues.values()):
        for queue in queues.values():
            if queue:
                result.append(queue.pop(0))
    return result


def expected_options(case: dict[str, Any]) -> list[str]:
    option = case.get("option")
    if option is None:
        return []
    return [option] if isinstance(option, str) else list(option)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def admin_expect(case: dict[str, Any]) -> str:
    """The builder trims what editors type: padded text may come out valid there."""
    texts = _strings({k: v for k, v in case.items() if k in ("name", "options", "fields")})
    if case["expect"] == "error" and any(t != t.strip() for t in texts):
        return "either"
    return case["expect"]


def admin_unsupported(case: dict[str, Any]) -> str | None:
    """Why the builder form cannot express ``case`` (None: it can)."""
    from dynamo_wagtail.admin.builder import DEFAULT_STATIC_TARGETS, builder_block

    texts = _strings(case)
    if any(_has_surrogate(t) for t in texts):
        return "text that cannot be sent as UTF-8"
    if case.get("action", "create") == "create" and not isinstance(case.get("name"), str):
        return "a type name that is not text"
    for key, value in (case.get("options") or {}).items():
        if key not in ADMIN_TYPE_OPTIONS:
            return f"no form field for {key}"
        if key in ADMIN_BOOL_OPTIONS and not isinstance(value, bool):
            return f"{key} is a checkbox"
        if key in ADMIN_LIST_OPTIONS and not (
            isinstance(value, list)
            and all(isinstance(v, str) and v and v == v.strip() and "," not in v for v in value)
        ):
            return f"{key} is typed as a comma list"
        if key in (*ADMIN_TEXT_OPTIONS, "name", "app") and not isinstance(value, str):
            return f"{key} is a text input"
    block = builder_block()
    setup_names = {t["name"] for t in case.get("setup", ())}
    if case.get("action") in ("add_field", "alter_type"):
        setup_names.add(case["type"])
    for field in case.get("fields", ()):
        kind = field.get("kind")
        if not isinstance(kind, str) or kind not in block.child_blocks:
            return f"no builder block for kind {kind!r}"
        children = block.child_blocks[kind].child_blocks
        if not isinstance(field.get("name"), str):
            return "a field name that is not text"
        for key, value in field.items():
            if key in ("name", "kind"):
                continue
            if key == "options":
                if not isinstance(value, dict):
                    return "kind options that are not a mapping"
                items = value.items()
            else:
                items = [(key, value)]
            for option, item in items:
                if option not in children:
                    return f"no {option} input on the {kind} block"
                if not _fits_block(children[option], item):
                    return f"{option}={item!r} cannot be typed into its input"
        target = field.get("related_model")
        if isinstance(target, str) and "related_model" in children:
            offered = target in setup_names or target.lower() in DEFAULT_STATIC_TARGETS
            about_target = any(p.endswith(".related_model") for p in expected_options(case))
            if not offered and not (case["expect"] == "error" and about_target):
                return f"{target!r} is not offered by the target chooser"
    return None


def _fits_block(block: Any, value: Any) -> bool:
    from wagtail import blocks

    if isinstance(block, blocks.BooleanBlock):
        return isinstance(value, bool)
    if isinstance(block, blocks.IntegerBlock):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(block, blocks.MultipleChoiceBlock):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, str)


def channels_for(case: dict[str, Any]) -> list[str]:
    wanted = case.get("channels") or list(CHANNELS)
    return [c for c in wanted if c != "admin" or admin_unsupported(case) is None]
