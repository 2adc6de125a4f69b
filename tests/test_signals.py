"""The twelve signals of django-dynamo: names, arguments and senders."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import models

from dynamo_wagtail import api, signals
from dynamo_wagtail.models import MetaField, MetaModel

pytestmark = pytest.mark.usefixtures("dynamo")

NAMES = [
    "pre_model_creation",
    "post_model_creation",
    "pre_model_update",
    "post_model_update",
    "pre_model_delete",
    "post_model_delete",
    "pre_field_creation",
    "post_field_creation",
    "pre_field_update",
    "post_field_update",
    "pre_field_delete",
    "post_field_delete",
]

ARGS = {
    "model_creation": {"new_model"},
    "model_update": {"old_model", "new_model"},
    "model_delete": {"old_model"},
    "field_creation": {"new_field"},
    "field_update": {"old_field", "new_field"},
    "field_delete": {"old_field"},
}


@pytest.fixture
def sent() -> Iterator[list[tuple[str, Any, dict[str, Any]]]]:
    """Every signal sent, in order: (name, sender, arguments)."""
    calls: list[tuple[str, Any, dict[str, Any]]] = []
    receivers = {}
    for name in NAMES:

        def receiver(sender: Any, signal: Any = None, _name: str = name, **kwargs: Any) -> None:
            calls.append((_name, sender, kwargs))

        receivers[name] = receiver
        getattr(signals, name).connect(receiver, weak=False)
    yield calls
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)


def names(calls: list) -> list[str]:
    return [c[0] for c in calls]


def by_name(calls: list, name: str) -> tuple[Any, dict[str, Any]]:
    found = [(sender, kwargs) for n, sender, kwargs in calls if n == name]
    assert len(found) == 1, names(calls)
    return found[0]


def check_argument_names(calls: list) -> None:
    for name, _sender, kwargs in calls:
        assert set(kwargs) == ARGS[name.split("_", 1)[1]], (name, kwargs)


def make_thing() -> MetaModel:
    return api.create_type(
        "Thing",
        [{"name": "title", "kind": "char"}, {"name": "qty", "kind": "integer"}],
    )


def test_the_twelve_signals_exist():
    from django.dispatch import Signal

    assert all(isinstance(getattr(signals, n), Signal) for n in NAMES)


def test_model_creation(sent):
    meta_model = make_thing()

    assert names(sent) == ["pre_model_creation", "post_model_creation"]
    check_argument_names(sent)
    sender, kwargs = by_name(sent, "post_model_creation")
    assert sender is MetaModel
    model = kwargs["new_model"]
    assert model is api.get_model("Thing")
    assert issubclass(model, models.Model)
    assert model._meta.db_table == meta_model.table
    assert {f.name for f in model._meta.fields} == {"id", "title", "qty"}
    assert by_name(sent, "pre_model_creation")[0] is MetaModel


def test_pre_model_creation_gives_the_new_model_class(sent):
    """django-dynamo sends ``new_model`` (the class about to get a table) before creating."""
    meta_model = make_thing()
    _sender, kwargs = by_name(sent, "pre_model_creation")
    model = kwargs["new_model"]
    assert isinstance(model, type) and issubclass(model, models.Model)
    assert model._meta.db_table == meta_model.table


def test_field_creation_and_model_update(sent):
    make_thing()
    Old = api.get_model("Thing")
    sent.clear()

    api.add_field("Thing", "colour", "char")

    New = api.get_model("Thing")
    assert New is not Old
    assert names(sent) == [
        "pre_model_update",
        "pre_field_creation",
        "post_model_update",
        "post_field_creation",
    ]
    check_argument_names(sent)
    sender, kwargs = by_name(sent, "pre_model_update")
    assert sender is MetaModel and kwargs["old_model"] is Old
    sender, kwargs = by_name(sent, "post_model_update")
    assert sender is MetaModel
    assert kwargs["old_model"] is Old and kwargs["new_model"] is New
    assert "colour" in {f.name for f in kwargs["new_model"]._meta.fields}
    row = MetaField.objects.get(name="colour")
    sender, kwargs = by_name(sent, "pre_field_creation")
    assert sender is Old
    assert isinstance(kwargs["new_field"], MetaField) and kwargs["new_field"].uid == row.uid
    sender, kwargs = by_name(sent, "post_field_creation")
    assert sender is New
    assert kwargs["new_field"].pk == row.pk and kwargs["new_field"].name == "colour"


def test_field_update(sent):
    make_thing()
    row = MetaField.objects.get(name="qty")
    sent.clear()

    api.rename_field("Thing", "qty", "quantity")

    assert names(sent) == [
        "pre_model_update",
        "pre_field_update",
        "post_model_update",
        "post_field_update",
    ]
    check_argument_names(sent)
    sender, kwargs = by_name(sent, "post_field_update")
    assert sender is api.get_model("Thing")
    assert kwargs["old_field"].name == "qty" and str(kwargs["old_field"].uid) == str(row.uid)
    assert kwargs["new_field"].name == "quantity" and kwargs["new_field"].pk == row.pk
    assert kwargs["old_field"].pk is None  # as the field was: unsaved


def test_field_delete(sent):
    make_thing()
    row = MetaField.objects.get(name="qty")
    sent.clear()

    api.remove_field("Thing", "qty")

    assert names(sent) == [
        "pre_model_update",
        "pre_field_delete",
        "post_model_update",
        "post_field_delete",
    ]
    check_argument_names(sent)
    sender, kwargs = by_name(sent, "post_field_delete")
    assert sender is api.get_model("Thing")
    assert str(kwargs["old_field"].uid) == str(row.uid) and kwargs["old_field"].name == "qty"

    sent.clear()
    api.empty_trash("Thing", confirm=True)
    assert "post_field_delete" in names(sent)
    assert str(by_name(sent, "post_field_delete")[1]["old_field"].uid) == str(row.uid)


def test_old_field_has_the_same_uid_and_columns_as_the_saved_field(sent):
    """``old_field`` is a MetaField like the saved one: same uid (a UUID), column, kind."""
    make_thing()
    row = MetaField.objects.get(name="qty")
    sent.clear()

    api.alter_field("Thing", "qty", kind="big_integer")

    _sender, kwargs = by_name(sent, "post_field_update")
    old, new = kwargs["old_field"], kwargs["new_field"]
    assert (old.type, new.type) == ("integer", "big_integer")
    assert old.column == new.column == row.column
    assert old.meta_model_id == row.meta_model_id
    assert old.uid == new.uid == row.uid


def test_model_update_of_options_and_rename(sent):
    make_thing()
    Old = api.get_model("Thing")
    sent.clear()

    api.rename_type("Thing", "Gadget")

    assert names(sent) == ["pre_model_update", "post_model_update"]
    check_argument_names(sent)
    _sender, kwargs = by_name(sent, "post_model_update")
    assert kwargs["old_model"] is Old
    assert kwargs["new_model"] is api.get_model("Gadget")
    assert kwargs["new_model"].__name__ == "Gadget"


def test_model_delete(sent):
    make_thing()
    Old = api.get_model("Thing")
    sent.clear()

    api.delete_type("Thing")

    assert names(sent) == ["pre_model_delete", "post_model_delete"]
    check_argument_names(sent)
    for name in ("pre_model_delete", "post_model_delete"):
        sender, kwargs = by_name(sent, name)
        assert sender is MetaModel
        assert kwargs["old_model"] is Old

    sent.clear()
    api.empty_trash("Thing", confirm=True)
    assert names(sent) == ["pre_model_delete", "post_model_delete"]
    assert by_name(sent, "pre_model_delete")[1]["old_model"]._meta.db_table == Old._meta.db_table


def test_a_save_that_changes_nothing_sends_nothing(sent):
    meta_model = make_thing()
    sent.clear()

    MetaModel.objects.get(pk=meta_model.pk).save()
    MetaField.objects.get(name="qty").save()
    api.alter_field("Thing", "qty", required=False)

    assert sent == []


def test_a_refused_change_sends_nothing(sent):
    make_thing()
    api.get_model("Thing").objects.create(title="a")
    sent.clear()

    with pytest.raises(api.DefinitionError):
        api.add_field("Thing", "n", "integer", required=True)
    with pytest.raises(api.ConfirmationRequired):
        api.alter_field("Thing", "title", options={"max_length": 10})

    assert sent == []
