"""Every setting of dynamo_wagtail, read in one place.

Values are read from ``django.conf.settings`` on each access, so
``override_settings`` works in tests. The names and defaults of django-dynamo are
kept; new settings use the ``DYNAMO_`` prefix.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.core.signals import setting_changed

#: Dotted paths of the built-in field kinds, in the order the builder offers them.
BUILTIN_FIELD_TYPES: tuple[str, ...] = (
    "dynamo_wagtail.kinds.text.CharKind",
    "dynamo_wagtail.kinds.text.TextKind",
    "dynamo_wagtail.kinds.text.SlugKind",
    "dynamo_wagtail.kinds.text.EmailKind",
    "dynamo_wagtail.kinds.text.URLKind",
    "dynamo_wagtail.kinds.text.GenericIPAddressKind",
    "dynamo_wagtail.kinds.text.CommaSeparatedIntegerKind",
    "dynamo_wagtail.kinds.standard.IntegerKind",
    "dynamo_wagtail.kinds.standard.BigIntegerKind",
    "dynamo_wagtail.kinds.standard.SmallIntegerKind",
    "dynamo_wagtail.kinds.standard.PositiveIntegerKind",
    "dynamo_wagtail.kinds.standard.PositiveSmallIntegerKind",
    "dynamo_wagtail.kinds.standard.DecimalKind",
    "dynamo_wagtail.kinds.standard.FloatKind",
    "dynamo_wagtail.kinds.standard.BooleanKind",
    "dynamo_wagtail.kinds.standard.NullBooleanKind",
    "dynamo_wagtail.kinds.standard.DateKind",
    "dynamo_wagtail.kinds.standard.DateTimeKind",
    "dynamo_wagtail.kinds.standard.TimeKind",
    "dynamo_wagtail.kinds.standard.DurationKind",
    "dynamo_wagtail.kinds.standard.UUIDKind",
    "dynamo_wagtail.kinds.standard.JSONKind",
    "dynamo_wagtail.kinds.text.ChoiceKind",
    "dynamo_wagtail.kinds.text.MultipleChoiceKind",
    "dynamo_wagtail.kinds.text.FileKind",
    "dynamo_wagtail.kinds.text.ImageFileKind",
    "dynamo_wagtail.kinds.wagtail.RichTextKind",
    "dynamo_wagtail.kinds.stream.StreamKind",
    "dynamo_wagtail.kinds.tags.TagsKind",
    "dynamo_wagtail.kinds.group.GroupKind",
    "dynamo_wagtail.kinds.relations.ForeignKeyKind",
    "dynamo_wagtail.kinds.relations.OneToOneKind",
    "dynamo_wagtail.kinds.relations.ManyToManyKind",
    "dynamo_wagtail.kinds.wagtail.WagtailImageKind",
    "dynamo_wagtail.kinds.wagtail.DocumentKind",
    "dynamo_wagtail.kinds.wagtail.PageKind",
    "dynamo_wagtail.kinds.wagtail.SnippetKind",
)

#: The blocks a stream field can offer: name → dotted path of a block class or function.
BUILTIN_STREAM_BLOCKS: dict[str, str] = {
    "heading": "dynamo_wagtail.stream_blocks.HeadingBlock",
    "paragraph": "dynamo_wagtail.stream_blocks.ParagraphBlock",
    "image": "dynamo_wagtail.stream_blocks.ImageBlock",
    "quote": "dynamo_wagtail.stream_blocks.QuoteBlock",
    "embed": "dynamo_wagtail.stream_blocks.embed_block",
    "table": "dynamo_wagtail.stream_blocks.table_block",
    "call_to_action": "dynamo_wagtail.stream_blocks.CallToActionBlock",
    "entries": "dynamo_wagtail.blocks.EntriesBlock",
}

DEFAULTS: dict[str, Any] = {
    # django-dynamo's settings, same names and defaults.
    "DYNAMO_DELETE_COLUMNS": True,
    "DYNAMO_DELETE_TABLES": True,
    "DYNAMO_DEFAULT_APP": "dynamo",
    "DYNAMO_DEFAULT_MODULE": "dynamo.models",
    "DYNAMO_FIELD_TYPES": BUILTIN_FIELD_TYPES,
    # Blocks a field of kind "stream" can offer (name → dotted path).
    "DYNAMO_STREAM_BLOCKS": BUILTIN_STREAM_BLOCKS,
    # Group overrides: a list of kind names. None means "each kind says".
    "STANDARD_FIELD_TYPES": None,
    "INTEGER_FIELD_TYPES": None,
    "STRING_FIELD_TYPES": None,
    "RELATION_FIELD_TYPES": None,
    # New settings.
    # Static models a relation field may point to ("app_label.Model"); dynamic
    # types are always allowed. None allows every installed model.
    "DYNAMO_RELATION_TARGETS": None,
    # Rows a conversion report lists as examples.
    "DYNAMO_REPORT_EXAMPLES": 5,
    # Wagtail image filter of image fields rendered by the template tags and blocks.
    "DYNAMO_IMAGE_RENDITION": "max-800x600",
    # PostgreSQL: hear of schema changes by LISTEN/NOTIFY instead of a query per request.
    "DYNAMO_LISTEN": True,
    # The API (dynamo_wagtail.contrib.api): image renditions an expanded image carries,
    # name → Wagtail image filter.
    "DYNAMO_API_RENDITIONS": {"thumbnail": "fill-160x160", "medium": "max-800x600"},
}


class DynamoSettings:
    """Attribute access to the settings above, read from Django settings.

    A value is read once and kept until a ``setting_changed`` signal (``override_settings``
    sends it): a setting Django's settings do not define costs a failed look-up there,
    and some are read per field of every class built.
    """

    def __init__(self) -> None:
        self._kept: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(name)
        kept = self._kept
        if name not in kept:
            kept[name] = getattr(django_settings, name, DEFAULTS[name])
        return kept[name]

    def forget(self) -> None:
        """Read every setting again (after Django's settings changed)."""
        self._kept.clear()


settings = DynamoSettings()


def _setting_changed(**kwargs: Any) -> None:
    settings.forget()


setting_changed.connect(_setting_changed)
