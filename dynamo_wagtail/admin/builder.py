"""The field builder: a StreamField of field kinds, kept in step with MetaField rows.

One block type per offered kind, each with the common options and only that
kind's own: name, label and required in sight, the rest in a collapsed "More
options" group (the block's data stays flat). The kinds' blocks share equal child
blocks and layouts, so the page carries each once. A block's id is the field's
stable id, so reordering and renaming in the builder are never a drop and an add.
Changing a field's kind is a choice on its block ("change kind to"), offered on
saved fields for the kinds that convert its values; it keeps the id and converts
the values.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks.stream_block import StreamBlockValidationError, StreamValue
from wagtail.blocks.struct_block import StructBlockValidationError

from .. import conditions
from ..conf import settings
from ..errors import DefinitionError
from ..kinds import PICKER_GROUPS, FieldKind, get_kind
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
    ]
    if kind.supports_required:
        result.append(("required", blocks.BooleanBlock(required=False)))
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


#: What a field block shows, with any option it cannot be saved without (a link's target, a
#: choice field's choices); every other option sits in its collapsed "More options" part.
SHOWN = ("name", "verbose_name", "required")
MORE_OPTIONS = "More options"
KIND_PREVIEW = "dynamo_wagtail/admin/kind_preview.html"
CONVERT_HELP = "Converts every value; refused if any value does not fit."


class KindBlock(blocks.StructBlock):
    """A kind's block. Its preview in the kind picker (where Wagtail shows the kind's
    description) says what a field of the kind may later change to."""

    def get_preview_context(self, value: Any, parent_context: Any = None) -> dict[str, Any]:
        context = super().get_preview_context(value, parent_context)
        context["converts_to"] = [get_kind(name).label for name in convert_map().get(self.name, [])]
        return context


class _Group(blocks.BlockGroup):
    """Wagtail's BlockGroup, packed without what Wagtail's script reads as empty anyway (an
    empty help text, no attributes, its clean name), and a top-level group (whose heading
    and icon are the struct block's) with its children only. A definition per kind: every
    byte is in the page 20 times and more."""

    def __init__(self, children: list[Any], *, top: bool = False, **kwargs: Any) -> None:
        super().__init__(children, **kwargs)
        self.top = top

    def js_opts(self) -> dict[str, Any]:
        opts = super().js_opts()
        keep: tuple[str, ...] = ("children", "settings")
        if not self.top:
            keep += ("heading", "classname", "icon", "attrs", "labelFormat")
        return {
            key: value
            for key, value in opts.items()
            if key in keep and (key in ("children", "settings", "labelFormat") or value)
        }


class _Pool:
    """Blocks and layouts shared by the kinds' blocks.

    The builder's definition is packed once per page with telepath, which writes an object
    met again as a reference: a shared child block or layout is in the page once, not once
    per kind.
    """

    def __init__(self, offered: list[FieldKind]) -> None:
        self.blocks: dict[str, list[blocks.Block]] = {}
        self.layouts: dict[tuple[tuple[str, ...], tuple[str, ...]], blocks.BlockGroup] = {}
        self.convert_to = blocks.ChoiceBlock(
            choices=[(k.name, k.label) for k in offered],
            required=False,
            label="Change kind to",
            help_text=CONVERT_HELP,
        )

    def block(self, name: str, block: blocks.Block) -> blocks.Block:
        """One instance for equal blocks of one name, whichever kinds have them."""
        block.set_name(name)  # as the struct block will; equal blocks have equal names
        for other in self.blocks.setdefault(name, []):
            if other == block:
                return other
        self.blocks[name].append(block)
        return block

    def layout(self, shown: list[str], more: list[str]) -> blocks.BlockGroup:
        """The block's form: ``shown``, then the collapsed "More options" with ``more``."""
        key = (tuple(shown), tuple(more))
        if key not in self.layouts:
            self.layouts[key] = _Group(
                top=True,
                children=[
                    *shown,
                    _Group(
                        children=more,
                        heading=MORE_OPTIONS,
                        classname="collapsed",
                        icon="cog",
                        label_format="",
                    ),
                ],
            )
        return self.layouts[key]


def _needed(block: blocks.Block) -> bool:
    """Whether an option must be typed before the field can be saved (no default to keep)."""
    return bool(block.required) and block.get_default() in (None, "", [])


def convert_targets(kind: FieldKind, offered: list[FieldKind] | None = None) -> list[FieldKind]:
    """The kinds a saved field of ``kind`` may change to: those that convert its values
    (``FieldKind.converts_from``)."""
    offered = offered_kinds() if offered is None else offered
    return [target for target in offered if target.converts_from(kind)]


def convert_map() -> dict[str, list[str]]:
    """For each offered kind with any, the kinds its fields may change to (by name)."""
    return _convert_map(tuple(k.name for k in offered_kinds()))


@cache
def _convert_map(kind_names: tuple[str, ...]) -> dict[str, list[str]]:
    offered = [get_kind(name) for name in kind_names]
    found = {kind.name: [t.name for t in convert_targets(kind, offered)] for kind in offered}
    return {name: targets for name, targets in found.items() if targets}


def kind_block(
    kind: FieldKind, offered: list[FieldKind] | None = None, pool: _Pool | None = None
) -> KindBlock:
    """The builder block of ``kind``: what is shown, then "More options" (collapsed).

    Wagtail opens the collapsed part when one of its options has an error; the builder's
    widget (``forms.BuilderWidget``) opens it when one holds a value other than its default.
    "Change kind to" is one block for every kind that can change at all; the widget lists
    on each block only the kinds it converts to, and the form refuses any other.
    """
    offered = offered_kinds() if offered is None else offered
    pool = _Pool(offered) if pool is None else pool
    children = [
        (name, pool.block(name, block))
        for name, block in (*_common_blocks(kind), *kind.option_blocks(), *kind.rule_blocks())
    ]
    if convert_targets(kind, offered):
        children.append(("convert_to", pool.block("convert_to", pool.convert_to)))
    shown = [name for name, block in children if name in SHOWN or _needed(block)]
    more = [name for name, _ in children if name not in shown]
    return KindBlock(
        children,
        label=kind.label,
        icon=kind.icon,
        group=PICKER_GROUPS[kind.picker_group_key()],
        description=kind.picker_description(),
        form_layout=pool.layout(shown, more),
        # Wagtail's kind picker shows a block's description with its preview only.
        preview_template=KIND_PREVIEW,
        preview_value={},
    )


@cache
def _builder(kind_names: tuple[str, ...]) -> blocks.StreamBlock:
    offered = [get_kind(name) for name in kind_names]
    order = list(PICKER_GROUPS)
    # The kind picker lists its groups in the order of PICKER_GROUPS (Wagtail groups the
    # stream's child blocks in their order); within a group, the order of the setting.
    ordered = sorted(offered, key=lambda k: order.index(k.picker_group_key()))
    pool = _Pool(offered)
    return blocks.StreamBlock(
        [(kind.name, kind_block(kind, offered, pool)) for kind in ordered], required=False
    )


def builder_block() -> blocks.StreamBlock:
    """The StreamBlock for the configured kinds (cached per set of kinds)."""
    return _builder(tuple(k.name for k in offered_kinds()))


def _unset(value: Any) -> bool:
    return value is None or value is False or value == "" or value == []


def opened_blocks(children: Iterable[Any]) -> list[str]:
    """Ids of the stream's blocks whose "More options" hold a value other than the default."""
    opened = []
    for child in children:
        if not child.id:
            continue  # the page gives it an id of its own
        struct = child.block
        kind_defaults = get_kind(child.block_type).option_defaults
        for name, block in struct.child_blocks.items():
            if name in SHOWN or _needed(block):
                continue
            value = child.value.get(name)
            defaults = (struct.child_blocks[name].get_default(), kind_defaults.get(name))
            if not any(value == d or (_unset(value) and _unset(d)) for d in defaults):
                opened.append(str(child.id))
                break
    return opened


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
                if key == conditions.OPTION:
                    value = conditions.as_text(value)  # written as the block takes it
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


def convert_errors(value: StreamValue) -> StreamBlockValidationError | None:
    """ "Change kind to" a kind that does not convert the field's values, on its block."""
    errors: dict[int, ValidationError] = {}
    for index, child in enumerate(value):
        target = child.value.get("convert_to")
        if not target or target == child.block_type:
            continue
        source = get_kind(child.block_type)
        if not get_kind(target).converts_from(source):
            message = f"{source.label} fields cannot change to {get_kind(target).label}."
            errors[index] = StructBlockValidationError(
                block_errors={"convert_to": ValidationError(message)}
            )
    return StreamBlockValidationError(block_errors=errors) if errors else None


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
