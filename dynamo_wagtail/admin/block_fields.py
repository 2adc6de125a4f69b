"""Wagtail's BlockField for the admin's own block forms (the builder, the layout), safe
against a post that is not the form's: what the page did not send is a form error on the
field, not a server error (Wagtail's block widgets read the posted keys unchecked)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from wagtail.blocks import BlockField
from wagtail.blocks.base import BlockWidget

#: The message on a block field whose data did not come with the post.
NOT_SENT = "This part of the form was not sent whole. Reload the page and try again."


class PostedBlockWidget(BlockWidget):
    """A block widget that reads a post missing its keys (or with bad counts) as None."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        try:
            return super().value_from_datadict(data, files, name)
        except (KeyError, ValueError, TypeError):
            return None

    def shown(self, value: Any) -> Any:
        """What to show for ``value``: the block's default where nothing came."""
        return self.block_def.get_default() if value is None else value

    def render_with_errors(self, name: str, value: Any, *args: Any, **kwargs: Any) -> Any:
        return super().render_with_errors(name, self.shown(value), *args, **kwargs)


class PostedBlockField(BlockField):
    """A BlockField with a :class:`PostedBlockWidget`; a value not sent is refused."""

    def __init__(self, block: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PostedBlockWidget(block))
        super().__init__(block=block, **kwargs)

    def clean(self, value: Any) -> Any:
        if value is None:
            raise ValidationError(NOT_SENT, code="not_sent")
        return super().clean(value)
