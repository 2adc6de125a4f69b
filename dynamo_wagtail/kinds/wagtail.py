"""Wagtail kinds: rich text, image, document, page and snippet links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings as django_settings

from ..spec import FieldSpec
from . import rules as field_rules
from .base import STRING, Errors, FieldKind
from .editor_blocks import check_features
from .relations import ForeignKeyKind


class RichTextKind(FieldKind):
    name = "rich_text"
    label = "Rich text"
    picker_group = "text"
    description = "Formatted text, edited in Wagtail's rich text editor."
    values = "string"
    group = STRING
    option_defaults: ClassVar[dict[str, Any]] = {"features": None}
    supports_unique = False
    supports_index = False
    lossless_from = frozenset()
    icon = "pilcrow"

    @property
    def django_field(self) -> type:  # type: ignore[override]
        from wagtail.fields import RichTextField

        return RichTextField

    def option_blocks(self) -> list[tuple[str, Any]]:
        from wagtail import blocks

        def feature_choices() -> list[tuple[str, str]]:
            from wagtail.rich_text import features as registry

            names = sorted(registry.plugins_by_editor.get("draftail", {}))
            return [(name, name) for name in names]

        return [
            (
                "features",
                blocks.MultipleChoiceBlock(
                    choices=feature_choices,
                    required=False,
                    help_text="Leave empty for the site's default features.",
                ),
            )
        ]

    def validate(self, spec: FieldSpec, errors: Errors) -> None:
        check_features(spec.option("features"), errors)
        super().validate(spec, errors)

    def convert(self, value: Any, new: FieldSpec) -> Any:
        from django.utils.html import escape

        if value is None:
            return None
        text = str(value)
        return text if text.lstrip().startswith("<") else f"<p>{escape(text)}</p>"


class LinkedFileKind(ForeignKeyKind):
    """A link to a Wagtail image or document: file rules hold for the linked file."""

    rules = field_rules.FILES

    def rule_validators(self, spec: FieldSpec) -> list[Callable[[Any], None]]:
        return field_rules.build_validators(
            self.rule_values(spec), self.rule_value, linked_model=self.target_string() or ""
        )


class WagtailImageKind(LinkedFileKind):
    name = "image"
    label = "Image"
    picker_group = "media"
    description = "An image from Wagtail's image library."
    legacy_name = ""
    icon = "image"

    def target_string(self) -> str:
        return getattr(django_settings, "WAGTAILIMAGES_IMAGE_MODEL", "wagtailimages.Image")


class DocumentKind(LinkedFileKind):
    name = "document"
    label = "Document"
    picker_group = "media"
    description = "A document from Wagtail's document library."
    legacy_name = ""
    icon = "doc-full-inverse"

    def target_string(self) -> str:
        return getattr(django_settings, "WAGTAILDOCS_DOCUMENT_MODEL", "wagtaildocs.Document")


class PageKind(ForeignKeyKind):
    name = "page"
    label = "Page"
    picker_group = "relations"
    description = "A link to a page of the site."
    legacy_name = ""
    fixed_target = "wagtailcore.Page"
    icon = "doc-empty-inverse"


class SnippetKind(ForeignKeyKind):
    """A link to any snippet model or another dynamic type."""

    name = "snippet"
    label = "Snippet or content type"
    picker_group = "relations"
    description = "A link to a snippet or to an entry of a content type."
    legacy_name = ""
    icon = "snippet"

    def check_target(self, model: Any, errors: Errors) -> None:
        from wagtail.snippets.models import get_snippet_models

        if model is not None and model not in get_snippet_models():
            errors.setdefault("related_model", []).append(
                f"{model._meta.label} is not a snippet model."
            )
