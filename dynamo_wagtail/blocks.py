"""StreamField blocks for page bodies: a list of entries, or one chosen entry.

Both store the type's stable id (``MetaModel.uid``), never its name, so renaming a
type keeps every page that shows it working. They render through the same per-type
templates as the template tags (:mod:`dynamo_wagtail.presentation`): ``EntriesBlock``
with ``dynamo/<type>/list.html``, ``EntryBlock`` with ``dynamo/<type>/detail.html``.
A ``Meta.template`` set on a subclass replaces that; its ``value`` then offers
``value.model`` and ``value.entries`` (``value.entry`` for ``EntryBlock``).

What a visitor sees follows :func:`dynamo_wagtail.entries.public`: published entries
only for types with drafts. A block whose type was deleted, or whose filters no
longer match the type's fields (a field was renamed), renders nothing and logs a
warning on ``dynamo_wagtail.templates``; the editor gets the same message as a form
error the next time the page is saved.

``EntryBlock`` picks the entry by its id (an ``IntegerBlock``) next to a type
``ChoiceBlock``: Wagtail's ``SnippetChooserBlock`` needs one fixed model, and a
chooser whose model follows another field of the block needs custom JavaScript.
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.safestring import SafeString
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError, StructValue

from . import presentation
from .entries import UnknownName, entries, model_for_uid, parse_filter_lines, public, type_choices

logger = logging.getLogger("dynamo_wagtail.templates")


def _request(context: Any) -> Any:
    return context.get("request") if context else None


class EntriesValue(StructValue):
    """The value of an :class:`EntriesBlock`: the chosen type and its matching entries."""

    @cached_property
    def model(self) -> type[models.Model] | None:
        return model_for_uid(self.get("content_type"))

    def entries(self) -> Any:
        """The entries to show (an empty list, with a logged warning, if that fails)."""
        if self.model is None:
            logger.warning(
                "EntriesBlock: content type %s no longer exists", self.get("content_type")
            )
            return []
        try:
            filters = parse_filter_lines(self.get("filters") or "")
            return entries(
                self.model,
                filters,
                order_by=self.get("order_by"),
                limit=self.get("count"),
                allow_static_fields=False,
            )
        except UnknownName as exc:
            logger.warning("EntriesBlock of %s: %s", self.model.__name__, exc)
            return []


class EntriesBlock(blocks.StructBlock):
    """A list of entries of a type the editor picks, filtered, ordered and counted."""

    content_type = blocks.ChoiceBlock(choices=type_choices, label="Content type")
    filters = blocks.TextBlock(
        required=False,
        label="Filters",
        help_text="One per line, e.g. price__lt=100 or colour=red (field__lookup=value).",
    )
    order_by = blocks.CharBlock(
        required=False,
        max_length=255,
        label="Order by",
        help_text="Field names separated by commas; a leading minus sorts descending: -price.",
    )
    count = blocks.IntegerBlock(default=10, min_value=1, max_value=1000, label="How many")

    class Meta:
        icon = "list-ul"
        label = "Entries of a content type"
        value_class = EntriesValue

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        errors: dict[str, ValidationError] = {}
        uid = value.get("content_type")
        model = model_for_uid(uid) if uid else None
        if uid and model is None:
            errors["content_type"] = ValidationError("This content type no longer exists.")
        if model is not None:
            try:
                entries(
                    model, parse_filter_lines(value.get("filters") or ""), allow_static_fields=False
                )
            except UnknownName as exc:
                errors["filters"] = ValidationError(str(exc))
            try:
                entries(model, order_by=value.get("order_by"), allow_static_fields=False)
            except UnknownName as exc:
                errors["order_by"] = ValidationError(str(exc))
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value

    def render_basic(self, value: EntriesValue, context: Any = None) -> SafeString:
        if value.model is None:
            value.entries()  # logs the warning
            return SafeString("")
        found = value.entries()
        return presentation.render_list(found, model=value.model, request=_request(context))


class EntryValue(StructValue):
    """The value of an :class:`EntryBlock`: the chosen type and entry."""

    @cached_property
    def model(self) -> type[models.Model] | None:
        return model_for_uid(self.get("content_type"))

    def entry(self) -> models.Model | None:
        """The chosen entry if visitors may see it (published, for types with drafts)."""
        if self.model is None or not self.get("entry"):
            return None
        return public(self.model).filter(pk=self.get("entry")).first()


class EntryBlock(blocks.StructBlock):
    """One chosen entry, shown through its type's detail template."""

    content_type = blocks.ChoiceBlock(choices=type_choices, label="Content type")
    entry = blocks.IntegerBlock(
        min_value=1,
        label="Entry id",
        help_text="The number in the entry's admin address (…/edit/<id>/).",
    )

    class Meta:
        icon = "snippet"
        label = "One entry"
        value_class = EntryValue

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        uid, pk = value.get("content_type"), value.get("entry")
        model = model_for_uid(uid) if uid else None
        if uid and model is None:
            raise StructBlockValidationError(
                block_errors={
                    "content_type": ValidationError("This content type no longer exists.")
                }
            )
        if model is not None and pk and not model._default_manager.filter(pk=pk).exists():
            raise StructBlockValidationError(
                block_errors={
                    "entry": ValidationError(
                        f"There is no {model._meta.verbose_name} with id {pk}."
                    )
                }
            )
        return value

    def render_basic(self, value: EntryValue, context: Any = None) -> SafeString:
        entry = value.entry()
        if entry is None:
            if value.model is None:
                logger.warning(
                    "EntryBlock: content type %s no longer exists", value.get("content_type")
                )
            return SafeString("")
        return presentation.render_detail(entry, request=_request(context))
