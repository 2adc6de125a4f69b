"""Rules for names typed by people: types, fields, reverse names.

A name reaches Python (attribute, class name) and the ORM's lookups, never SQL
(physical names are generated). It must be an ASCII identifier, no keyword, short
enough for every backend, and must not shadow anything the generated class already
has. That last set is not a hand-kept list: it is read off a class built like a
generated one with every feature switched on (so switching a feature on later never
collides with a field), plus the keyword parameters of the model and queryset
methods that take field names as ``**kwargs`` (``create(self=...)`` cannot work).
"""

from __future__ import annotations

import inspect
import keyword
import re
import uuid
from functools import cache, lru_cache
from typing import Any

from django.apps.registry import Apps
from django.db import models
from wagtail.admin.icons import get_icons

from . import factory, mixins
from .conf import settings
from .spec import ModelSpec

#: An icon's id in Wagtail's sprite (its styleguide reads the names the same way).
ICON_ID_RE = re.compile(r"""id=["']icon-([A-Za-z0-9_-]+)["']""")

#: MySQL/MariaDB allow 64, PostgreSQL 63: names stay within the smallest.
MAX_NAME_LENGTH = 63
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

#: Attributes Wagtail reads off a model class that no base class defines (it looks
#: them up with ``getattr(model, name, default)``), and the one it sets on snippets.
WAGTAIL_HOOKS = frozenset(
    {
        "snippet_viewset",
        "get_edit_handler",
        "panels",
        "edit_handler",
        "base_form_class",
        "content_panels",
        "settings_panels",
        "promote_panels",
    }
)

RESERVED_TYPE_NAMES = frozenset(
    {"Model", "MetaModel", "MetaField", "SchemaState", "Page", "Image", "Document", "User"}
)


def _keyword_parameters(*owners: type) -> set[str]:
    """Named parameters of the public methods that also take field names as ``**kwargs``.

    (``explain()``'s keywords are database options, not field names.)
    """
    names: set[str] = set()
    for owner in owners:
        for attr in dir(owner):
            if (attr.startswith("_") and attr != "__init__") or attr.endswith("explain"):
                continue
            function = getattr(owner, attr, None)
            if not callable(function):
                continue
            try:
                parameters = inspect.signature(function).parameters.values()
            except (TypeError, ValueError):
                continue
            if any(p.kind is p.VAR_KEYWORD for p in parameters):
                names |= {
                    p.name
                    for p in parameters
                    if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                }
    names |= {"self", "cls"}
    return names


def class_attributes(model: type[models.Model]) -> set[str]:
    """Every attribute name of ``model``: its API, its fields, their id attributes."""
    names = {n for n in dir(model) if not n.startswith("__")}
    for f in model._meta.get_fields(include_hidden=True):
        names.add(f.name)
        attname = getattr(f, "attname", None)
        if attname:
            names.add(attname)
    return names


@cache
def model_api() -> frozenset[str]:
    """What a generated class has before any field of its own is added.

    Built, not listed: a class from the factory with every feature switched on and
    no fields, in a throw-away registry (nothing global is touched), then ``dir()``
    of it, its mixins' fields with their id attributes, and Wagtail's hooks.
    """
    spec = ModelSpec(
        uid=str(uuid.UUID(int=0)),
        name="DynamoProbe",
        app_label=settings.DYNAMO_DEFAULT_APP,
        table="dynamo_probe",
        options=tuple((key, True) for key in mixins.FEATURE_KEYS),
    )
    probe = factory.build_model(spec, lambda uid: ("DynamoProbe", "dynamo_probe"), apps=Apps([]))
    names = class_attributes(probe)
    names |= _keyword_parameters(models.Model, models.QuerySet, models.Manager)
    names |= WAGTAIL_HOOKS
    names |= {"Meta"}
    return frozenset(names)


#: Field names Wagtail's API v3 (and pydantic, which it builds on) keeps for itself: an
#: entry's ``meta`` (its type and URL) and a schema's configuration.
API_NAMES = frozenset({"meta", "model_config"})


def is_reserved(name: str) -> bool:
    api = model_api()
    return name in api or name.lower() in api


def name_errors(name: Any, *, what: str = "name", type_name: bool = False) -> list[str]:
    """Messages for everything wrong with ``name``; empty when it is fine."""
    if not isinstance(name, str):
        return [f"The {what} must be text, not {type(name).__name__}."]
    if not name:
        return [f"Enter a {what}."]
    if not name.isascii():
        return [f"'{name}' has characters outside A-Z, a-z, 0-9 and _ (look-alike letters?)."]
    if not NAME_RE.fullmatch(name):
        return [f"'{name}' must start with a letter and use only letters, digits and _."]
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return [f"'{name}' is a Python keyword."]
    if len(name) > MAX_NAME_LENGTH:
        return [f"'{name}' is longer than {MAX_NAME_LENGTH} characters."]
    if "__" in name or name.endswith("_"):
        return [f"'{name}' cannot contain '__' or end with '_' (query lookups use them)."]
    if type_name and name in RESERVED_TYPE_NAMES:
        return [f"'{name}' is reserved."]
    if not type_name and name.lower() in API_NAMES:
        return [f"'{name}' is reserved by Wagtail's API (an entry's meta, a schema's settings)."]
    if not type_name and is_reserved(name):
        return [f"'{name}' is reserved by Django or Wagtail (generated classes have it)."]
    return []


def reverse_name_errors(name: Any) -> list[str]:
    """Messages for a relation's reverse name (the way back from its target)."""
    messages = name_errors(name, what="reverse name")
    return [m.replace("(generated classes have it)", "(content types have it)") for m in messages]


def icon_names() -> tuple[str, ...]:
    """The names of the icons Wagtail registers (its ``register_icons`` hook), sorted."""
    return _icon_names(get_icons())


@lru_cache(maxsize=1)
def _icon_names(sprite: str) -> tuple[str, ...]:
    # Wagtail caches the sprite; a new sprite (icons registered since) is read again.
    return tuple(sorted(set(ICON_ID_RE.findall(sprite))))


def icon_errors(icon: Any) -> list[str]:
    """Messages for an icon name that is not one of Wagtail's icons (empty means the default)."""
    if not icon or not isinstance(icon, str):
        return []
    if icon not in icon_names():
        return [f"Unknown icon '{icon}': choose one of the icons Wagtail registers."]
    return []
