"""The ``group`` kind: ordered child items with fields of their own, in a table of their own."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Revision

from dynamo_wagtail import api, rendering
from dynamo_wagtail.errors import DefinitionError
from dynamo_wagtail.models import MetaModel
from tests.admin_utils import check_status, current_fields, edit_url, field, type_form

pytestmark = pytest.mark.usefixtures("dynamo")


def tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def make_event() -> MetaModel:
    api.create_type(
        "Event",
        [
            {"name": "title", "kind": "char", "required": True},
            {"name": "programme", "kind": "group"},
        ],
        title_field="title",
    )
    api.add_field("EventProgramme", "starts", "time")
    api.add_field("EventProgramme", "talk", "char", required=True, default="TBA")
    api.add_field("EventProgramme", "speaker", "char")
    return MetaModel.objects.get(name="EventProgramme")


def test_a_group_field_gets_an_item_type_with_a_table_that_keys_on_the_entry():
    items = make_event()
    assert items.table in tables() and not items.admin
    Event = api.get_model("Event")
    gig = Event(title="Conf")
    Session = api.get_model("EventProgramme")
    gig.programme = [
        Session(starts=datetime.time(9), talk="Opening", speaker="Ada"),
        Session(starts=datetime.time(10), talk="Dynamic models", speaker="Grace"),
    ]
    gig.save()
    fresh = Event.objects.get()
    assert [s.talk for s in fresh.programme.all()] == ["Opening", "Dynamic models"]
    assert list(Event.objects.filter(programme__speaker="Grace")) == [fresh]


def entry_url(model, name: str, *args) -> str:
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


def items_form(items: list[dict], initial: list[int] | None = None) -> dict:
    """The InlinePanel's formset data for ``items`` (saved ones first, by ``id``, as the
    form lists them; an ``ORDER`` to move one, as Wagtail's move buttons set it)."""
    data = {
        "programme-TOTAL_FORMS": str(len(items)),
        "programme-INITIAL_FORMS": str(len(initial or [])),
        "programme-MIN_NUM_FORMS": "0",
        "programme-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(items):
        for key, value in item.items():
            data[f"programme-{index}-{key}"] = value
        data.setdefault(f"programme-{index}-ORDER", str(index + 1))
        data.setdefault(f"programme-{index}-id", "")
    return data


def talks(entry) -> list[str]:
    return talks_of(entry, "programme")


def talks_of(entry, name: str) -> list[str]:
    return [s.talk for s in getattr(entry, name).all()]


def test_an_editor_fills_a_group_in_the_admin_reorders_publishes_and_reverts(admin_client):
    make_event()
    api.alter_type("Event", drafts=True, revisions=True)
    Event = api.get_model("Event")
    add = admin_client.get(entry_url(Event, "add"))
    html = add.content.decode()
    assert add.status_code == 200 and 'id="id_programme-TOTAL_FORMS"' in html
    assert 'name="programme-__prefix__-speaker"' in html
    first = {
        "title": "Conf",
        **items_form(
            [
                {"starts": "09:00", "talk": "Opening", "speaker": "Ada"},
                {"starts": "10:00", "talk": "Dynamic models", "speaker": "Grace"},
            ]
        ),
        "action-publish": "action-publish",
    }
    created = admin_client.post(entry_url(Event, "add"), first)
    assert created.status_code == 302, created.content.decode()[:3000]
    conf = Event.objects.get()
    assert conf.live and talks(conf) == ["Opening", "Dynamic models"]
    ids = [s.pk for s in conf.programme.all()]
    # Reordered (the second first), one changed, one added, published.
    second = {
        "title": "Conf",
        **items_form(
            [
                {"id": str(ids[0]), "starts": "09:00", "talk": "Opening", "ORDER": "2"},
                {"id": str(ids[1]), "starts": "10:00", "talk": "Dynamic models", "ORDER": "1"},
                {"starts": "11:00", "talk": "Closing", "speaker": "Linus"},
            ],
            initial=ids,
        ),
        "action-publish": "action-publish",
    }
    edited = admin_client.post(entry_url(Event, "edit", conf.pk), second)
    assert edited.status_code == 302, edited.content.decode()[:3000]
    assert talks(Event.objects.get()) == ["Dynamic models", "Opening", "Closing"]
    # Exports list the items in their order, each as its values.
    export = admin_client.get(entry_url(Event, "list"), {"export": "csv"}).getvalue().decode()
    assert "10:00:00, Dynamic models | 09:00:00, Opening | 11:00:00, Closing, Linus" in export
    # A draft keeps the live items; reverting to the first revision brings its items back.
    first_revision = Revision.objects.for_instance(conf).order_by("pk").first()
    revert = admin_client.get(entry_url(Event, "revisions_revert", conf.pk, first_revision.pk))
    assert revert.status_code == 200 and "Grace" in revert.content.decode()
    first_revision.as_object().save_revision().publish()
    fresh = Event.objects.get()
    assert talks(fresh) == ["Opening", "Dynamic models"]
    assert [s.speaker for s in fresh.programme.all()] == ["Ada", "Grace"]


def fill(Event) -> None:
    Session = api.get_model("EventProgramme")
    conf = Event(title="Conf")
    conf.programme = [Session(talk="Opening"), Session(talk="Closing")]
    conf.save()


def test_renaming_trashing_and_restoring_a_group_keep_its_items():
    items = make_event()
    fill(api.get_model("Event"))
    api.rename_field("Event", "programme", "schedule")
    Event = api.get_model("Event")
    assert talks_of(Event.objects.get(), "schedule") == ["Opening", "Closing"]
    assert list(Event.objects.filter(schedule__talk="Closing")) == [Event.objects.get()]

    api.remove_field("Event", "schedule", confirm=True)
    items.refresh_from_db()
    assert items.is_trashed and items.table in tables()
    assert not hasattr(api.get_model("Event").objects.get(), "schedule")
    api.restore_field("Event", "schedule")
    assert talks_of(api.get_model("Event").objects.get(), "schedule") == ["Opening", "Closing"]

    # The items' own fields change through the pipeline too: a rename keeps the values.
    api.rename_field("EventProgramme", "talk", "title")
    Event = api.get_model("Event")
    assert [s.title for s in Event.objects.get().schedule.all()] == ["Opening", "Closing"]


def test_the_items_go_to_the_trash_with_their_type_and_out_with_the_field():
    items = make_event()
    fill(api.get_model("Event"))
    api.delete_type("Event", confirm=True)
    items.refresh_from_db()
    assert items.is_trashed
    api.restore_type("Event")
    assert talks_of(api.get_model("Event").objects.get(), "programme") == ["Opening", "Closing"]
    api.remove_field("Event", "programme", confirm=True)
    api.empty_trash("Event", confirm=True)
    assert not MetaModel.objects.filter(name="EventProgramme").exists()
    assert items.table not in tables()
    # A new group gets a new item type.
    api.add_field("Event", "speakers", "group")
    assert MetaModel.objects.filter(name="EventSpeakers", admin=False).exists()


def test_emptying_the_type_from_the_trash_drops_its_items_first():
    items = make_event()
    fill(api.get_model("Event"))
    event = MetaModel.objects.get(name="Event")
    api.delete_type("Event", confirm=True)
    api.empty_trash("Event", confirm=True)
    assert not {event.table, items.table} & tables()
    assert not MetaModel.objects.filter(name__startswith="Event").exists()


def test_item_types_refuse_what_their_entry_owns():
    make_event()
    with pytest.raises(DefinitionError, match="take no 'drafts'"):
        api.alter_type("EventProgramme", drafts=True)
    with pytest.raises(DefinitionError, match="Groups do not nest"):
        api.add_field("EventProgramme", "parts", "group")
    with pytest.raises(DefinitionError, match="taken by the items"):
        api.add_field("EventProgramme", "sort_order", "integer")
    with pytest.raises(DefinitionError, match="cannot be required"):
        api.add_field("Event", "more", "group", required=True)
    with pytest.raises(DefinitionError, match="at least the fewest"):
        api.add_field("Event", "more", "group", options={"min_num": 3, "max_num": 2})


def test_templates_render_the_items_and_a_list_costs_the_same_queries_for_5_or_25():
    make_event()
    Event, Session = api.get_model("Event"), api.get_model("EventProgramme")
    template = Template(
        '{% load dynamo_tags %}{% dynamo_entries "Event" as found %}'
        "{% for e in found %}{% for s in e.programme.all %}{{ s.talk }};{% endfor %}"
        '{% dynamo_field e "programme" %}{% endfor %}'
    )

    def queries_for(count: int) -> int:
        while Event.objects.count() < count:
            entry = Event(title=f"Event {Event.objects.count()}")
            entry.programme = [Session(talk="Opening"), Session(talk="Closing", speaker="Ada")]
            entry.save()
        with CaptureQueriesContext(connection) as captured:
            html = template.render(Context({}))
        assert html.count("Opening;Closing;") == count
        assert html.count('<ol class="dynamo-group"><li>') == count
        return len(captured.captured_queries)

    assert queries_for(5) == queries_for(25)
    conf = Event.objects.first()
    (group,) = [f for f in rendering.entry_fields(conf) if f.name == "programme"]
    assert "<li>" in str(group.html) and "Ada" in str(group.html)
    assert group.label == "Programme"


def test_export_and_import_carry_a_group_and_its_item_type():
    make_event()
    data = api.export_schema()
    (items,) = [t for t in data["types"] if t["name"] == "EventProgramme"]
    (event,) = [t for t in data["types"] if t["name"] == "Event"]
    (group,) = [f for f in event["fields"] if f["name"] == "programme"]
    assert items["group_field"] == group["uid"] and group["type"] == "group"
    api.delete_type("Event", confirm=True)
    api.empty_trash("Event", confirm=True)
    assert not MetaModel.objects.exists()
    api.import_schema(data, confirm=True)
    assert MetaModel.objects.filter(name__startswith="EventProgramme").count() == 1
    fill(api.get_model("Event"))
    assert talks(api.get_model("Event").objects.get()) == ["Opening", "Closing"]


def test_an_item_type_is_a_type_for_drift_checks_and_conversions():
    items = make_event()
    with connection.schema_editor() as editor:
        editor.remove_field(
            api.get_model("EventProgramme"),
            api.get_model("EventProgramme")._meta.get_field("speaker"),
        )
    status, output = check_status()
    assert status != 0 and "EventProgramme" in output and "speaker" in output
    with pytest.raises(DefinitionError, match="converts to no other kind"):
        api.alter_field("Event", "programme", kind="text", confirm=True)
    assert items.table in tables()


def test_an_editor_defines_the_items_fields_in_their_type_s_builder(admin_client):
    items = make_event()
    page = admin_client.get(edit_url(items))
    assert page.status_code == 200
    blocks = current_fields(items)
    blocks.append(field("char", "room"))
    saved = admin_client.post(
        edit_url(items),
        type_form(
            blocks, expected_version=items.schema_version, name="EventProgramme", admin=False
        ),
    )
    assert saved.status_code == 302, saved.context["form"].errors
    assert "room" in {f.name for f in api.get_model("EventProgramme").dynamo_spec.active_fields}
    Event = api.get_model("Event")
    form = admin_client.get(entry_url(Event, "add")).content.decode()
    assert 'name="programme-__prefix__-room"' in form


def test_reverting_to_a_revision_brings_back_an_item_deleted_since(admin_client):
    make_event()
    api.alter_type("Event", drafts=True, revisions=True)
    Event = api.get_model("Event")
    rows = [{"talk": "A"}, {"talk": "B"}, {"talk": "C"}]
    publish = {"action-publish": "action-publish"}
    admin_client.post(entry_url(Event, "add"), {"title": "Conf", **items_form(rows), **publish})
    conf = Event.objects.get()
    ids = [s.pk for s in conf.programme.all()]
    saved = [{"id": str(pk), **row} for pk, row in zip(ids, rows, strict=True)]
    deleting = [*saved[:2], {**saved[2], "DELETE": "1"}]
    edited = admin_client.post(
        entry_url(Event, "edit", conf.pk),
        {"title": "Conf", **items_form(deleting, initial=ids), **publish},
    )
    assert edited.status_code == 302 and talks(Event.objects.get()) == ["A", "B"]
    first = Revision.objects.for_instance(conf).order_by("pk").first()
    url = entry_url(Event, "revisions_revert", conf.pk, first.pk)
    form = admin_client.get(url).content.decode()
    assert form.count('name="programme-2-talk"') == 1  # the deleted item, offered as new
    reverted = admin_client.post(
        url, {"title": "Conf", **items_form([*saved[:2], rows[2]], initial=ids[:2]), **publish}
    )
    assert reverted.status_code == 302, reverted.context["form"].errors
    assert talks(Event.objects.get()) == ["A", "B", "C"]
