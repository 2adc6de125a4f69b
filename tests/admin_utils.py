"""Helpers for admin tests: builder form posts as a logged-in editor."""

from __future__ import annotations

import io
from typing import Any

from django.core.management import call_command
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


def type_form(
    fields: list[tuple], expected_version: int = 0, layout: list | None = None, **options: Any
) -> dict:
    values = {**TYPE_DEFAULTS, **options, "expected_version": str(expected_version)}
    for key, value in list(values.items()):
        if value is True:
            values[key] = "on"
        elif value is False:
            del values[key]
    data = nested_form_data({**values, "field_definitions": stream(fields)})
    data.update(layout_form(layout or []))
    return data


def layout_form(layout: list, rules: list | None = None) -> dict:
    """Form data of the layout page: the layout blocks for a layout given as stored (tabs
    of items), and the blocks of the rules across fields (none unless given)."""

    def list_data(prefix: str, names: list[str]) -> dict:
        data = {f"{prefix}-count": str(len(names))}
        for index, name in enumerate(names):
            data.update(
                {
                    f"{prefix}-{index}-value": name,
                    f"{prefix}-{index}-deleted": "",
                    f"{prefix}-{index}-order": str(index),
                }
            )
        return data

    def items_data(
        prefix: str,
        items: list,
    ) -> dict:
        data = {f"{prefix}-count": str(len(items))}
        for index, item in enumerate(items):
            here = f"{prefix}-{index}"
            data.update({f"{here}-deleted": "", f"{here}-order": str(index)})
            if isinstance(item, str):
                data.update({f"{here}-type": "field", f"{here}-value": item})
            elif "row" in item:
                data[f"{here}-type"] = "row"
                data.update(list_data(f"{here}-value", item["row"]))
            else:
                data.update({f"{here}-type": "section", f"{here}-value-heading": item["section"]})
                if item.get("collapsed"):
                    data[f"{here}-value-collapsed"] = "on"
                data.update(items_data(f"{here}-value-items", item["items"]))
        return data

    data = {"layout-count": str(len(layout))}
    for index, tab in enumerate(layout):
        here = f"layout-{index}"
        data.update(
            {
                f"{here}-type": "tab",
                f"{here}-deleted": "",
                f"{here}-order": str(index),
                f"{here}-value-heading": tab["tab"],
            }
        )
        data.update(items_data(f"{here}-value-items", tab["items"]))
    data.update(rules_form(rules or []))
    return data


def rules_form(rules: list) -> dict:
    """Form data of the blocks of rules across fields given as stored."""
    data = {"constraints-count": str(len(rules))}
    for index, rule in enumerate(rules):
        here = f"constraints-{index}"
        data.update(
            {f"{here}-type": rule["type"], f"{here}-deleted": "", f"{here}-order": str(index)}
        )
        data[f"{here}-value-message"] = rule.get("message", "")
        if rule["type"] == "unique":
            data[f"{here}-value-fields"] = list(rule["fields"])
            if rule.get("ignore_case"):
                data[f"{here}-value-ignore_case"] = "on"
        else:
            for key in ("field", "is", "other"):
                data[f"{here}-value-{key}"] = rule[key]
    return data


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


def check_status() -> tuple[int, str]:
    """``dynamo_check``'s exit status and output."""
    out = io.StringIO()
    try:
        call_command("dynamo_check", stdout=out, stderr=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()
