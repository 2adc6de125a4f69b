"""The field builder: a StreamField of field kinds, kept in step with MetaField rows.

One block type per offered kind, each with the common options and only that
kind's own. A block's id is the field's stable id, so reordering and renaming in
the builder are never a drop and an add. Changing a field's kind is a choice on
its block ("change kind to"), which keeps the id and converts the values.
"""

from __future__ import annotations

import uuid
from functools import cache

from django.apps import apps
from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks.stream_block import StreamBlockValidationError, StreamValue
from wagtail.blocks.struct_block import StructBlockValidationError

from ..conf import settings
from ..errors import DefinitionError
from ..kinds import FieldKind, get_kind
from ..kinds.registry import offered_kinds
from ..models import MetaField, MetaModel

COMMON_ATTRS = (
    "name",
    "verbose_name",
    "help",
    "required",
    "unique",
    "indexed",
    "unique_together",
    "default",
    "description",
)
DEFAULT_STATIC_TARGETS = (
    "auth.user",
    "wagtailcore.page",
    "wagtailimages.image",
    "wagtaildocs.document",
)


def target_choices() -> list[tuple[str, str]]:
    """Content types and static models a relation may point to."""
    choices = [
        (name, f"{name} (content type)")
        for name in MetaModel.objects.filter(trashed_at__isnull=True)
        .order_by("name")
        .values_list("name", flat=True)
    ]
    allowed = settings.DYNAMO_RELATION_TARGETS
    for label in allowed if allowed is not None else DEFAULT_STATIC_TARGETS:
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        choices.append((model._meta.label_lower, f"{model._meta.verbose_name} ({label})"))
    return choices


def _common_blocks(kind: FieldKind) -> list[tuple[str, blocks.Block]]:
    result: list[tuple[str, blocks.Block]] = [
        (
            "name",
            blocks.CharBlock(
                max_length=63,
                help_text="Used in code and templates: letters, digits and _, e.g. price.",
            ),
        ),
        ("verbose_name", blocks.CharBlock(required=False, max_length=255, label="Label")),
        ("help", blocks.CharBlock(required=False, max_length=255, label="Help text")),
        ("required", blocks.BooleanBlock(required=False)),
    ]
    if kind.supports_unique:
        result.append(("unique", blocks.BooleanBlock(required=False)))
    if kind.supports_index:
        result.append(
            (
                "indexed",
                blocks.BooleanBlock(
                    required=False, help_text="Fast filtering and ordering by this field."
                ),
            )
        )
    result.append(
        (
            "unique_together",
            blocks.BooleanBlock(
                required=False, help_text="Unique together with the other fields ticked so."
            ),
        )
    )
    if kind.is_relation and not kind.target_string():  # type: ignore[attr-defined]
        result.append(
            ("related_model", blocks.ChoiceBlock(choices=target_choices, label="Links to"))
        )
    if kind.supports_choices:
        result.append(
            (
                "choices",
                blocks.TextBlock(
                    required=kind.name in ("choice", "multiple_choice"),
                    help_text="One per line: value or value|label.",
                ),
            )
        )
    if kind.supports_default:
        result.append(("default", blocks.CharBlock(required=False, max_length=255)))
    result.append(("description", blocks.TextBlock(required=False)))
    return result


def kind_block(kind: FieldKind) -> blocks.StructBlock:
    others = [(k.name, k.label) for k in offered_kinds() if k.name != kind.name]
    children = [
        *_common_blocks(kind),
        *kind.option_blocks(),
        *kind.rule_blocks(),
        (
            "convert_to",
            blocks.ChoiceBlock(
                choices=others,
                required=False,
                label="Change kind to",
                help_text="Converts every value; refused if any value does not fit.",
            ),
        ),
    ]
    return blocks.StructBlock(children, label=kind.label, icon=kind.icon)


@cache
def _builder(kind_names: tuple[str, ...]) -> blocks.StreamBlock:
    return blocks.StreamBlock(
        [(name, kind_block(get_kind(name))) for name in kind_names], required=False
    )


def builder_block() -> blocks.StreamBlock:
    """The StreamBlock for the configured kinds (cached per set of kinds)."""
    return _builder(tuple(k.name for k in offered_kinds()))


def initial_value(meta_model: MetaModel | None) -> StreamValue:
    """The builder's value for a type's active fields, ids = field ids."""
    block = builder_block()
    items = []
    if meta_model is not None and meta_model.pk:
        for field in meta_model.fields.filter(trashed_at__isnull=True).order_by("order", "pk"):
            if field.type not in block.child_blocks:
                continue
            child = block.child_blocks[field.type]
            raw = {
                name: getattr(field, name) for name in COMMON_ATTRS if name in child.child_blocks
            }
            if "related_model" in child.child_blocks:
                raw["related_model"] = field.related_model
            if "choices" in child.child_blocks:
                raw["choices"] = field.choices
            for key, value in (field.options or {}).items():
                if key in child.child_blocks:
                    raw[key] = value
            items.append((field.type, child.to_python(raw), str(field.uid)))
    return StreamValue(block, items)


def save_fields(meta_model: MetaModel, value: StreamValue) -> None:
    """Make the type's MetaField rows match the builder (inside a pipeline.change())."""
    from django.utils import timezone

    existing = {str(f.uid): f for f in meta_model.fields.all()}
    seen: set[str] = set()
    for order, child in enumerate(value):
        uid = child.id or str(uuid.uuid4())
        try:
            parsed = uuid.UUID(uid)
        except ValueError:
            parsed = uuid.uuid4()
        uid = str(parsed)
        child.id = uid  # so a refusal shows on this block (block_errors matches by id)
        seen.add(uid)
        data = child.value
        field = existing.get(uid) or MetaField(uid=parsed, meta_model=meta_model)
        field.type = data.get("convert_to") or child.block_type
        field.order = order
        field.trashed_at = None
        for name in (*COMMON_ATTRS, "related_model", "choices"):
            if name in data:
                setattr(field, name, data[name] if data[name] is not None else "")
            elif name in ("required", "unique", "indexed", "unique_together"):
                setattr(field, name, False)
        kind_options = {
            key: data[key]
            for key in child.block.child_blocks
            if key not in (*COMMON_ATTRS, "related_model", "choices", "convert_to")
            and data.get(key) not in (None, "", [])
        }
        if field.type != child.block_type:
            # Changing kind: keep only the options the new kind has.
            accepted = get_kind(field.type).option_defaults
            kind_options = {k: v for k, v in kind_options.items() if k in accepted}
        # Stored as the kind parses them (a rule's "100" as 100); a value that does not parse
        # is stored as typed, for the definition's check to refuse on its block.
        unparsed: dict[str, list[str]] = {}
        options = get_kind(field.type).parse_options(kind_options, unparsed)
        field.options = {**{k: kind_options[k] for k in unparsed if k in kind_options}, **options}
        field.save()
    for uid, field in existing.items():
        if uid not in seen and field.trashed_at is None:
            MetaField.objects.filter(pk=field.pk).update(trashed_at=timezone.now())


def block_errors(exc: DefinitionError, value: StreamValue) -> StreamBlockValidationError | None:
    """The definition's field errors placed on the builder's blocks."""
    if not exc.field_errors:
        return None
    errors: dict[int, ValidationError] = {}
    for index, child in enumerate(value):
        found = exc.field_errors.get(str(child.id))
        if not found:
            continue
        on_blocks: dict[str, ValidationError] = {}
        elsewhere: list[str] = []
        for option, messages in found.items():
            if option in child.block.child_blocks and option != "type":
                on_blocks[option] = ValidationError(messages)
            else:
                elsewhere += messages
        errors[index] = StructBlockValidationError(
            block_errors=on_blocks, non_block_errors=elsewhere or None
        )
    return StreamBlockValidationError(block_errors=errors) if errors else None
