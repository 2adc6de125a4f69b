"""The blocks a field of kind ``stream`` can offer, shipped with the package.

``DYNAMO_STREAM_BLOCKS`` names each by dotted path, the way ``DYNAMO_FIELD_TYPES`` names field
kinds; a developer adds their own there. A path leads to a block class or to a function
returning a block, called with no arguments (the paragraph with rich text ``features``). One
that needs an app says so in ``dynamo_requires`` and is offered only while that app is
installed: the embed (``wagtail.embeds``) and the table (``wagtail.contrib.table_block``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.CharBlock):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=200, **kwargs)

    class Meta:
        icon = "title"
        label = "Heading"
        template = "dynamo_wagtail/blocks/heading.html"


class ParagraphBlock(blocks.RichTextBlock):
    class Meta:
        icon = "pilcrow"
        label = "Paragraph"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        label = "Image"
        template = "dynamo_wagtail/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = "Quote"
        template = "dynamo_wagtail/blocks/quote.html"


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=100, help_text="The button's words.")
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False, help_text="Used when no page is chosen.")

    class Meta:
        icon = "link"
        label = "Call to action"
        template = "dynamo_wagtail/blocks/call_to_action.html"

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"url": ValidationError("Choose a page or give an address.")}
            )
        return value


def embed_block() -> blocks.Block:
    """Wagtail's embed block (a video, a post) by its address."""
    # wagtail.embeds' models load only with the app installed: imported when it is.
    from wagtail.embeds.blocks import EmbedBlock

    return EmbedBlock(label="Embed", icon="media")


embed_block.dynamo_requires = "wagtail.embeds"  # type: ignore[attr-defined]


def table_block() -> blocks.Block:
    """Wagtail's table block (rows and columns of text)."""
    from wagtail.contrib.table_block.blocks import TableBlock

    return TableBlock(label="Table", icon="table")


table_block.dynamo_requires = "wagtail.contrib.table_block"  # type: ignore[attr-defined]
