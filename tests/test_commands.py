"""The dynamo_* management commands: exit codes, output, and what they change."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from dynamo_wagtail import api, sync
from dynamo_wagtail.models import MetaField, MetaModel, SchemaState
from tests.conftest import drop_generated_tables

pytestmark = pytest.mark.usefixtures("dynamo")


def run(name: str, *args: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of a command; CommandError propagates."""
    out, err = StringIO(), StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def make_product() -> MetaModel:
    meta_model = api.create_type(
        "Product",
        [
            {"name": "title", "kind": "char", "options": {"max_length": 100}},
            {"name": "price", "kind": "decimal"},
        ],
    )
    api.get_model("Product").objects.create(title="Lamp", price="12.50")
    return meta_model


def columns(table: str) -> dict[str, object]:
    with connection.cursor() as cursor:
        return {c.name: c for c in connection.introspection.get_table_description(cursor, table)}


def title_field() -> MetaField:
    return MetaField.objects.get(meta_model__name="Product", name="title")


def global_version() -> int:
    return SchemaState.objects.get(pk=1).version


# -- dynamo_plan / dynamo_apply ----------------------------------------------------------


def test_plan_exits_0_when_up_to_date():
    make_product()
    code, out, _ = run("dynamo_plan")
    assert code == 0
    assert out.strip() == "Product: up to date"


def test_plan_exits_1_and_prints_a_pending_change_that_apply_applies():
    make_product()
    # A queryset update bypasses the pipeline: the definition changes, the table does not.
    MetaField.objects.filter(pk=title_field().pk).update(options={"max_length": 200})
    version = MetaModel.objects.get(name="Product").schema_version

    pending = api.plan("Product").describe().splitlines()
    assert len(pending) == 1 and pending[0].startswith("- ") and "title" in pending[0], pending
    code, out, _ = run("dynamo_plan")
    assert code == 1
    assert out.splitlines() == ["Product:", *(f"  {line}" for line in pending)]
    assert MetaModel.objects.get(name="Product").schema_version == version  # a dry run
    assert run("dynamo_plan", "Product") == (1, out, "")

    code, out, _ = run("dynamo_apply")
    assert code == 0
    assert out.splitlines() == ["Product: applied", *pending]
    meta_model = MetaModel.objects.get(name="Product")
    assert meta_model.schema_version == version + 1
    applied = {f["name"]: f for f in meta_model.applied_spec["fields"]}
    assert applied["title"]["options"] == {"max_length": 200}
    assert api.get_model("Product")._meta.get_field("title").max_length == 200
    if connection.vendor != "sqlite":  # SQLite does not enforce (nor report) VARCHAR sizes
        info = columns(meta_model.table)[title_field().column]
        assert 200 in (info.display_size, info.internal_size), info
    assert run("dynamo_plan") == (0, "Product: up to date\n", "")
    assert run("dynamo_apply")[:2] == (0, "Product: up to date\n")
    assert api.get_model("Product").objects.get().title == "Lamp"


def test_apply_refuses_a_destructive_plan_without_confirm():
    make_product()
    MetaField.objects.filter(pk=title_field().pk).update(options={"max_length": 10})
    version = MetaModel.objects.get(name="Product").schema_version

    pending = api.plan("Product")
    assert pending.is_destructive
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="Not applied: Product"):
        call_command("dynamo_apply", stdout=out, stderr=err)
    assert "needs confirmation" in err.getvalue()
    assert "--confirm" in err.getvalue()
    assert pending.describe() in err.getvalue()
    assert pending.describe().startswith("! ")
    assert MetaModel.objects.get(name="Product").schema_version == version
    assert api.get_model("Product")._meta.get_field("title").max_length == 100
    assert run("dynamo_plan")[0] == 1  # still pending

    code, out, _ = run("dynamo_apply", "--confirm")
    assert code == 0
    assert out.splitlines()[0] == "Product: applied"
    assert MetaModel.objects.get(name="Product").schema_version == version + 1
    assert api.get_model("Product")._meta.get_field("title").max_length == 10
    assert api.get_model("Product").objects.get().title == "Lamp"
    assert run("dynamo_plan")[0] == 0


def test_apply_refuses_a_narrowing_that_rows_do_not_fit_even_with_confirm():
    make_product()
    MetaField.objects.filter(pk=title_field().pk).update(options={"max_length": 3})
    with pytest.raises(CommandError, match="Not applied: Product"):
        call_command("dynamo_apply", "--confirm", stdout=StringIO(), stderr=StringIO())
    assert api.get_model("Product").objects.get().title == "Lamp"
    assert api.get_model("Product")._meta.get_field("title").max_length == 100


def test_plan_and_apply_reject_an_unknown_type():
    make_product()
    with pytest.raises(CommandError, match="Unknown type"):
        call_command("dynamo_plan", "NoSuchType", stdout=StringIO())
    with pytest.raises(CommandError, match="Unknown type"):
        call_command("dynamo_apply", "NoSuchType", stdout=StringIO())


# -- dynamo_check ------------------------------------------------------------------------


def test_check_exits_0_on_a_clean_database():
    make_product()
    api.create_type("Note", [{"name": "body", "kind": "text"}])
    code, out, _ = run("dynamo_check")
    assert code == 0
    assert out.strip() == "2 type(s) match the database."


def test_check_exits_1_and_prints_exactly_a_column_added_by_hand():
    make_product()
    api.create_type("Note", [{"name": "body", "kind": "text"}])
    table = MetaModel.objects.get(name="Product").table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {quote(table)} ADD COLUMN {quote('extra')} integer NULL")
    code, out, _ = run("dynamo_check")
    assert code == 1
    assert out.splitlines() == ["Product: column extra is not in the applied spec"]
    assert run("dynamo_check", "Note")[0] == 0


def test_check_reports_a_column_dropped_by_hand():
    make_product()
    meta_model = MetaModel.objects.get(name="Product")
    price = MetaField.objects.get(meta_model=meta_model, name="price")
    model = api.get_model("Product")
    with connection.schema_editor() as editor:
        editor.remove_field(model, model._meta.get_field("price"))
    code, out, _ = run("dynamo_check")
    assert code == 1
    assert out.splitlines() == [f"Product.price: column {price.column} is missing"]


def test_check_is_clean_with_trashed_and_retired_columns():
    make_product()
    api.remove_field("Product", "price")
    assert run("dynamo_check")[0] == 0  # a trashed field keeps its (now nullable) column
    with override_settings(DYNAMO_DELETE_COLUMNS=False):
        api.empty_trash("Product", confirm=True)
    spec = MetaModel.objects.get(name="Product").applied_spec
    assert [f["state"] for f in spec["fields"] if f["name"] == "price"] == ["retired"]
    code, out, _ = run("dynamo_check")
    assert (code, out.strip()) == (0, "1 type(s) match the database.")
    api.get_model("Product").objects.create(title="Desk")  # the retired column takes NULL
    assert run("dynamo_plan")[0] == 0


# -- dynamo_export / dynamo_import ---------------------------------------------------------


def export(path: Path) -> dict:
    code, _, _ = run("dynamo_export", "--output", str(path))
    assert code == 0
    return json.loads(path.read_text())


def test_export_writes_json_with_stable_uids(tmp_path: Path):
    meta_model = make_product()
    first = export(tmp_path / "one.json")
    assert first["format"] == "dynamo_wagtail/1"
    [entry] = first["types"]
    assert entry["uid"] == str(meta_model.uid)
    assert entry["name"] == "Product"
    assert [(f["uid"], f["name"], f["type"]) for f in entry["fields"]] == [
        (str(f.uid), f.name, f.type) for f in meta_model.fields.order_by("order")
    ]
    # Renaming changes names, never ids; exporting again writes the same text.
    api.rename_field("Product", "title", "heading")
    second = export(tmp_path / "two.json")
    assert [f["uid"] for f in second["types"][0]["fields"]] == [f["uid"] for f in entry["fields"]]
    assert second["types"][0]["fields"][0]["name"] == "heading"
    assert export(tmp_path / "three.json") == second
    assert (tmp_path / "two.json").read_text() == (tmp_path / "three.json").read_text()
    code, out, _ = run("dynamo_export")
    assert json.loads(out) == second


def test_import_recreates_deleted_types_with_the_same_uids_and_twice_changes_nothing(
    tmp_path: Path,
):
    meta_model = make_product()
    api.create_type("Note", [{"name": "body", "kind": "text"}])
    data = export(tmp_path / "schema.json")
    uids = {t["name"]: (t["uid"], [f["uid"] for f in t["fields"]]) for t in data["types"]}
    table = meta_model.table

    drop_generated_tables()
    assert not MetaModel.objects.exists()
    assert table not in connection.introspection.table_names()

    code, out, _ = run("dynamo_import", str(tmp_path / "schema.json"))
    assert code == 0
    assert [line for line in out.splitlines() if not line.startswith(("-", "!"))] == [
        "Note:",
        "Product:",
        "2 type(s) changed.",
    ]
    assert any(line.startswith("- Create content type Product") for line in out.splitlines())
    for name, (uid, field_uids) in uids.items():
        restored = MetaModel.objects.get(name=name)
        assert str(restored.uid) == uid
        assert [str(f.uid) for f in restored.fields.order_by("order")] == field_uids
    assert MetaModel.objects.get(name="Product").table == table
    assert table in connection.introspection.table_names()
    Product = api.get_model("Product")
    Product.objects.create(title="Desk", price="99.00")
    assert Product.objects.get().title == "Desk"
    assert run("dynamo_check")[0] == 0

    versions = dict(MetaModel.objects.values_list("name", "schema_version"))
    global_before = global_version()
    code, out, _ = run("dynamo_import", str(tmp_path / "schema.json"))
    assert code == 0
    assert out.strip() == "0 type(s) changed."
    assert dict(MetaModel.objects.values_list("name", "schema_version")) == versions
    assert global_version() == global_before
    assert export(tmp_path / "again.json") == data


def test_import_dry_run_prints_the_plan_and_changes_nothing(tmp_path: Path):
    make_product()
    data = export(tmp_path / "schema.json")
    drop_generated_tables()
    sync.ensure_current()
    global_before = global_version()

    code, out, _ = run("dynamo_import", "--dry-run", str(tmp_path / "schema.json"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Product:" and lines[-1] == "1 type(s) would change.", lines
    assert len(lines) == 3 and lines[1].startswith("- Create content type Product"), lines
    assert not MetaModel.objects.exists()
    assert not MetaField.objects.exists()
    assert global_version() == global_before
    assert f"dynamo_{data['types'][0]['uid'].replace('-', '')[:16]}" not in (
        connection.introspection.table_names()
    )
    with pytest.raises(LookupError):
        api.get_model("Product")


def test_import_of_a_renamed_field_is_a_rename_that_keeps_values(tmp_path: Path):
    make_product()
    data = export(tmp_path / "schema.json")
    [entry] = data["types"]
    [title] = [f for f in entry["fields"] if f["name"] == "title"]
    title["name"] = "heading"
    edited = tmp_path / "renamed.json"
    edited.write_text(json.dumps(data))

    code, out, _ = run("dynamo_import", "--dry-run", str(edited))
    assert code == 0
    rename = [line for line in out.splitlines() if line.startswith("- Rename field title")]
    assert len(rename) == 1 and "heading" in rename[0], out
    assert [f.name for f in api.get_model("Product")._meta.fields] == ["id", "title", "price"]

    code, out, _ = run("dynamo_import", str(edited))
    assert code == 0
    assert out.splitlines() == ["Product:", rename[0], "1 type(s) changed."]
    field = MetaField.objects.get(uid=title["uid"])
    assert field.name == "heading"
    Product = api.get_model("Product")
    assert [f.name for f in Product._meta.fields] == ["id", "heading", "price"]
    assert Product.objects.get().heading == "Lamp"
    assert run("dynamo_import", str(edited))[1].strip() == "0 type(s) changed."


def test_import_refuses_a_file_that_is_not_an_export(tmp_path: Path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "something/else", "types": []}))
    with pytest.raises(CommandError, match="Not a dynamo_wagtail/1 export"):
        call_command("dynamo_import", str(path), stdout=StringIO())
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("dynamo_import", str(tmp_path / "missing.json"), stdout=StringIO())
