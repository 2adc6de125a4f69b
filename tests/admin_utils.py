"""Helpers for admin tests: builder form posts as a logged-in editor."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data

from dynamo_wagtail.admin.builder import initial_value
from dynamo_wagtail.models import MetaModel

TYPE_DEFAULTS = {
    "name": "",
    "verbose_name": "",
    "verbose_name_plural": "",
    "description": "",
    "app": "dynamo",
    "icon": "snippet",
    "title_field": "",
    "listing_columns": "",
    "search_fields": "",
    "ordering": "",
    "admin": "on",
}
FIELD_DEFAULTS = {
    "verbose_name": "",
    "help": "",
    "default": "",
    "description": "",
    "choices": "",
    "convert_to": "",
}


def field(kind: str, name: str, block_id: str | None = None, **options: Any) -> tuple:
    """One builder block: (kind, values[, id])."""
    values = {**FIELD_DEFAULTS, "name": name, **options}
    for key, value in list(values.items()):
        if value is True:
            values[key] = "on"
        elif value is False:
            del values[key]
    return (kind, values, block_id) if block_id else (kind, values)


def type_form(fields: list[tuple], expected_version: int = 0, **options: Any) -> dict:
    values = {**TYPE_DEFAULTS, **options, "expected_version": str(expected_version)}
    for key, value in list(values.items()):
        if value is True:
            values[key] = "on"
        elif value is False:
            del values[key]
    return nested_form_data({**values, "field_definitions": stream(fields)})


def stream(items: list[tuple]) -> dict:
    """StreamField form data; a third item in a tuple is the block id (the field id)."""
    data: dict[str, Any] = {}
    for index, item in enumerate(items):
        block = {"type": item[0], "value": item[1], "deleted": "", "order": str(index)}
        if len(item) == 3:
            block["id"] = item[2]
        data[str(index)] = block
    data["count"] = str(len(items))
    return data


def current_fields(meta_model: MetaModel) -> list[tuple]:
    """The builder blocks of a type as stored now (ids kept), for an edit post."""
    result = []
    for child in initial_value(meta_model):
        data = {k: v for k, v in child.value.items()}
        values = {**FIELD_DEFAULTS}
        for key, value in data.items():
            if value is True:
                values[key] = "on"
            elif value is False or value is None:
                continue
            elif isinstance(value, list):
                values[key] = value
            else:
                values[key] = str(value)
        result.append((child.block_type, values, child.id))
    return result


def add_url() -> str:
    return reverse("wagtailsnippets_dynamo_wagtail_metamodel:add")


def edit_url(meta_model: MetaModel) -> str:
    return reverse("wagtailsnippets_dynamo_wagtail_metamodel:edit", args=[meta_model.pk])
