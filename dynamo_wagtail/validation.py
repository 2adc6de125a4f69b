"""Rules for names typed by people: types, fields, reverse names.

A name reaches Python (attribute, class name) and the ORM's lookups, never SQL
(physical names are generated). It must be an ASCII identifier, no keyword, not
reserved by Django or Wagtail, and short enough for every backend.
"""

from __future__ import annotations

import keyword
import re

from django.db import models

#: MySQL/MariaDB allow 64, PostgreSQL 63: names stay within the smallest.
MAX_NAME_LENGTH = 63
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

#: Attributes of generated models and the mixins they may use.
RESERVED_FIELD_NAMES = frozenset(
    {
        "id",
        "pk",
        "objects",
        "DoesNotExist",
        "MultipleObjectsReturned",
        "Meta",
        "snippet_viewset",
        "panels",
        "edit_handler",
        "search_fields",
        "dynamo_spec",
        "dynamo_type",
        # DraftStateMixin, RevisionMixin, LockableMixin, WorkflowMixin,
        # TranslatableMixin, PreviewableMixin columns and attributes.
        "live",
        "has_unpublished_changes",
        "first_published_at",
        "last_published_at",
        "live_revision",
        "go_live_at",
        "expire_at",
        "expired",
        "latest_revision",
        "revisions",
        "locked",
        "locked_at",
        "locked_by",
        "workflow_states",
        "locale",
        "translation_key",
        "preview_modes",
        "default_preview_mode",
        "content_type",
        "index_entries",
        "wagtail_admin_comments",
    }
)
RESERVED_FIELD_NAMES = RESERVED_FIELD_NAMES | frozenset(
    n for n in dir(models.Model) if not n.startswith("__")
)

RESERVED_TYPE_NAMES = frozenset(
    {"Model", "MetaModel", "MetaField", "SchemaState", "Page", "Image", "Document", "User"}
)


def name_errors(name: str, *, what: str = "name", type_name: bool = False) -> list[str]:
    """Messages for everything wrong with ``name``; empty when it is fine."""
    if not name:
        return [f"Enter a {what}."]
    if not name.isascii():
        return [f"'{name}' has characters outside A-Z, a-z, 0-9 and _ (look-alike letters?)."]
    if not NAME_RE.match(name):
        return [f"'{name}' must start with a letter and use only letters, digits and _."]
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return [f"'{name}' is a Python keyword."]
    if len(name) > MAX_NAME_LENGTH:
        return [f"'{name}' is longer than {MAX_NAME_LENGTH} characters."]
    if "__" in name or name.endswith("_"):
        return [f"'{name}' cannot contain '__' or end with '_' (query lookups use them)."]
    if type_name and name in RESERVED_TYPE_NAMES:
        return [f"'{name}' is reserved."]
    if not type_name and (name in RESERVED_FIELD_NAMES or name.lower() in RESERVED_FIELD_NAMES):
        return [f"'{name}' is reserved by Django or Wagtail."]
    return []
