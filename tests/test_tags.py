"""The ``tags`` kind: tags of an entry in tables the field owns, with taggit and Wagtail."""

from __future__ import annotations

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag
from wagtail.models import Revision

from dynamo_wagtail import api, pipeline, rendering
from dynamo_wagtail.contrib.pages.forms import public_field_names
from dynamo_wagtail.errors import DefinitionError
from dynamo_wagtail.models import MetaModel
from dynamo_wagtail.schema import applier
from dynamo_wagtail.schema.inspect import drift
from dynamo_wagtail.spec import ModelSpec
from tests.admin_utils import add_url, check_status, current_fields, edit_url, field, type_form

pytestmark = pytest.mark.usefixtures("dynamo")


def tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def drifted(meta_model: MetaModel) -> list[str]:
    meta_model.refresh_from_db()
    spec = ModelSpec.from_json(meta_model.applied_spec)
    return drift(spec, applier.Context(pipeline.others(spec.uid, "default")))


def make_event(name: str = "Event", **options):
    return api.create_type(
        name,
        [
            {"name": "title", "kind": "char", "required": True},
            {"name": "tags", "kind": "tags", "options": options},
        ],
        title_field="title",
    )


def tag_tables(meta_model: MetaModel, name: str = "tags") -> tuple[str, str]:
    column = meta_model.fields.get(name=name).column
    return f"{meta_model.table}_{column}", f"{meta_model.table}_{column}_tag"


def names(manager) -> list[str]:
    return sorted(t.name for t in manager.all())


def entry_url(model, name: str, *args) -> str:
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


def test_a_tags_field_has_its_own_tables_and_keeps_tags_through_renames():
    meta_model = make_event()
    link, vocabulary = tag_tables(meta_model)
    assert {link, vocabulary} <= tables()
    Event = api.get_model("Event")
    gig = Event.objects.create(title="Gig")
    gig.tags.add("jazz", "live")
    gig.save()
    assert names(Event.objects.get(pk=gig.pk).tags) == ["jazz", "live"]
    assert list(Event.objects.filter(tags__name="jazz")) == [gig]

    api.rename_field("Event", "tags", "topics")
    Event = api.get_model("Event")
    assert names(Event.objects.get(pk=gig.pk).topics) == ["jazz", "live"]
    api.rename_type("Event", "Happening")
    Happening = api.get_model("Happening")
    assert list(Happening.objects.filter(topics__slug="live")) == [Happening.objects.get()]
    assert {link, vocabulary} <= tables()
    assert drifted(meta_model) == []


def test_trash_and_restore_keep_the_tags_and_emptying_the_trash_drops_the_tables():
    meta_model = make_event()
    link, vocabulary = tag_tables(meta_model)
    Event = api.get_model("Event")
    gig = Event.objects.create(title="Gig")
    gig.tags.add("jazz")
    gig.save()
    plan = api.remove_field("Event", "tags", confirm=True)
    assert [i.rows for i in plan.impact] == [1]
    assert not hasattr(api.get_model("Event"), "tags") and {link, vocabulary} <= tables()
    api.restore_field("Event", "tags")
    assert names(api.get_model("Event").objects.get().tags) == ["jazz"]
    api.remove_field("Event", "tags", confirm=True)
    api.empty_trash("Event", confirm=True)
    assert not {link, vocabulary} & tables()
    assert drifted(meta_model) == []
    assert not ContentType.objects.filter(model__startswith="tag_f_").exists()


def test_vocabularies_do_not_mix_unless_shared(admin_client):
    make_event()
    make_event("Product")
    Event, Product = api.get_model("Event"), api.get_model("Product")
    gig = Event.objects.create(title="Gig")
    gig.tags.add("jazz")
    gig.save()
    lamp = Product.objects.create(title="Lamp")
    lamp.tags.add("jade")
    lamp.save()
    # Wagtail's tag autocomplete, as the entry form's widget asks it.
    for model, expected in ((Event, ["jazz"]), (Product, ["jade"])):
        tag_model = model._meta.get_field("tags").related_model
        url = reverse(
            "wagtailadmin_tag_model_autocomplete",
            args=(tag_model._meta.app_label, tag_model._meta.model_name),
        )
        assert admin_client.get(url, {"term": "ja"}).json() == expected
    assert not Tag.objects.exists()

    api.add_field("Event", "labels", "tags", options={"vocabulary": "shared"})
    Event = api.get_model("Event")
    assert Event._meta.get_field("labels").related_model is Tag
    gig = Event.objects.get()
    gig.labels.add("featured")
    gig.save()
    assert list(Tag.objects.values_list("name", flat=True)) == ["featured"]
    assert list(Event.objects.filter(labels__name="featured")) == [gig]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"vocabulary": "everyone"}, "'vocabulary' must be one of own, shared."),
        ({"vocabulary": ["own"]}, "'vocabulary' must be one of own, shared."),
        ({"max_length": 3}, "'max_length' is not an option of Tags."),
    ],
)
def test_hostile_options_are_refused_on_the_option(options, message):
    with pytest.raises(DefinitionError) as refused:
        make_event(**options)
    assert message in str(refused.value)
    assert not MetaModel.objects.filter(name="Event").exists()


def test_required_unique_and_a_vocabulary_change_are_refused():
    with pytest.raises(DefinitionError, match="cannot be required"):
        api.create_type("Event", [{"name": "tags", "kind": "tags", "required": True}])
    meta_model = make_event()
    Event = api.get_model("Event")
    gig = Event.objects.create(title="Gig")
    gig.tags.add("jazz")
    gig.save()
    with pytest.raises(DefinitionError, match="vocabulary of a tags field is fixed"):
        api.alter_field("Event", "tags", options={"vocabulary": "shared"}, confirm=True)
    with pytest.raises(DefinitionError, match="converts to no other kind"):
        api.alter_field("Event", "tags", kind="char", confirm=True)
    assert names(api.get_model("Event").objects.get().tags) == ["jazz"]
    assert drifted(meta_model) == []


def test_a_missing_link_table_is_drift_that_dynamo_check_reports():
    meta_model = make_event()
    link, _vocabulary = tag_tables(meta_model)
    assert check_status()[0] == 0
    with connection.schema_editor() as editor:
        editor.delete_model(api.get_model("Event")._meta.get_field("tags").remote_field.through)
    assert any(f"table {link} is missing" in p for p in drifted(meta_model))
    status, output = check_status()
    assert status != 0 and f"table {link} is missing" in output


def test_an_editor_tags_an_entry_in_the_admin_filters_exports_and_reverts(admin_client):
    make_event()
    api.alter_type("Event", drafts=True, revisions=True)
    Event = api.get_model("Event")
    add = admin_client.get(entry_url(Event, "add"))
    html = add.content.decode()
    assert add.status_code == 200 and 'data-controller="w-tag"' in html
    tag_model = Event._meta.get_field("tags").related_model
    assert f"/admin/tag-autocomplete/{tag_model._meta.app_label}/" in html
    created = admin_client.post(
        entry_url(Event, "add"),
        {"title": "Gig", "tags": "jazz, live", "action-publish": "action-publish"},
    )
    assert created.status_code == 302, created.content.decode()[:3000]
    gig = Event.objects.get()
    assert gig.live and names(gig.tags) == ["jazz", "live"]
    admin_client.post(
        entry_url(Event, "add"),
        {"title": "Talk", "tags": "talk", "action-publish": "action-publish"},
    )
    # A draft does not change the live tags; publishing does.
    admin_client.post(entry_url(Event, "edit", gig.pk), {"title": "Gig", "tags": "jazz, soul"})
    assert names(Event.objects.get(pk=gig.pk).tags) == ["jazz", "live"]
    admin_client.post(
        entry_url(Event, "edit", gig.pk),
        {"title": "Gig", "tags": "jazz, soul", "action-publish": "action-publish"},
    )
    assert names(Event.objects.get(pk=gig.pk).tags) == ["jazz", "soul"]
    # The listing filters by tag.
    listing = admin_client.get(entry_url(Event, "list"), {"tags": "soul"})
    assert listing.status_code == 200 and 'value="jazz"' in listing.content.decode()
    assert list(listing.context["object_list"]) == [gig]
    # Exports give the tag names.
    export = admin_client.get(entry_url(Event, "list"), {"export": "csv"})
    assert "jazz, soul" in export.getvalue().decode()
    # Reverting to the first revision brings its tags back.
    first = Revision.objects.for_instance(gig).order_by("pk").first()
    revert = admin_client.get(entry_url(Event, "revisions_revert", gig.pk, first.pk))
    assert revert.status_code == 200 and "live" in revert.content.decode()
    first.as_object().save_revision().publish()
    assert names(Event.objects.get(pk=gig.pk).tags) == ["jazz", "live"]


def test_templates_list_entries_by_tag_and_render_the_tags():
    make_event()
    Event = api.get_model("Event")
    for title, tags in (("Gig", ["jazz", "live"]), ("Talk", ["talk"]), ("Jam", ["jazz"])):
        entry = Event.objects.create(title=title)
        entry.tags.add(*tags)
        entry.save()
    html = Template(
        "{% load dynamo_tags %}"
        '{% dynamo_entries "Event" tags__slug="jazz" order_by="title" as found %}'
        "{% for e in found %}{{ e.title }};{% endfor %}|"
        '{% dynamo_tag_list "Event" "tags" as cloud %}'
        "{% for t in cloud %}{{ t.name }}={{ t.entries }};{% endfor %}"
    ).render(Context({}))
    assert html == "Gig;Jam;|jazz=2;live=1;talk=1;"
    gig = Event.objects.get(title="Gig")
    (tags,) = [f for f in rendering.entry_fields(gig) if f.name == "tags"]
    assert str(tags.html) == '<ul class="dynamo-tags"><li>jazz</li><li>live</li></ul>'


def test_a_list_of_tagged_entries_costs_the_same_queries_for_5_or_25_entries():
    make_event()
    Event = api.get_model("Event")
    template = Template(
        '{% load dynamo_tags %}{% dynamo_entries "Event" as found %}'
        '{% for e in found %}{% dynamo_field e "tags" %}{% endfor %}'
    )

    def queries_for(count: int) -> int:
        while Event.objects.count() < count:
            entry = Event.objects.create(title=f"Event {Event.objects.count()}")
            entry.tags.add("jazz", f"tag {entry.pk}")
            entry.save()
        with CaptureQueriesContext(connection) as captured:
            html = template.render(Context({}))
        assert html.count("<li>jazz</li>") == count
        return len(captured.captured_queries)

    assert queries_for(5) == queries_for(25)


def test_an_indexed_type_is_searched_by_its_tags_and_public_forms_leave_them_out():
    make_event()
    api.alter_type("Event", search_index=True)
    Event = api.get_model("Event")
    for title, tags in (("Gig", ["jazz"]), ("Talk", ["science"])):
        entry = Event.objects.create(title=title)
        entry.tags.add(*tags)
        entry.save()
    call_command("update_index", stdout=io.StringIO())
    assert [e.title for e in Event.objects.search("jazz")] == ["Gig"]
    api.alter_type("Event", search_fields=["tags"])
    assert [e.title for e in api.get_model("Event").objects.search("science")] == ["Talk"]
    assert public_field_names(api.get_model("Event")) == ["title"]


def test_an_editor_adds_a_tags_field_in_the_builder_and_a_vocabulary_change_shows_there(
    admin_client,
):
    response = admin_client.post(
        add_url(),
        type_form(
            [field("char", "title", required=True), field("tags", "topics", vocabulary="shared")],
            name="Event",
            title_field="title",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    meta_model = MetaModel.objects.get(name="Event")
    assert api.get_model("Event")._meta.get_field("topics").related_model is Tag
    blocks = current_fields(meta_model)
    assert blocks[1][1]["vocabulary"] == "shared"
    blocks[1][1]["vocabulary"] = "own"
    refused = admin_client.post(
        edit_url(meta_model), type_form(blocks, expected_version=1, name="Event")
    )
    assert refused.status_code == 200
    assert "vocabulary of a tags field is fixed" in refused.content.decode()
    assert api.get_model("Event")._meta.get_field("topics").related_model is Tag


def test_export_and_import_carry_a_tags_field_and_its_vocabulary():
    make_event(vocabulary="shared")
    data = api.export_schema()
    (event,) = [t for t in data["types"] if t["name"] == "Event"]
    (tags,) = [f for f in event["fields"] if f["name"] == "tags"]
    assert tags["type"] == "tags" and tags["options"] == {"vocabulary": "shared"}
    api.delete_type("Event", confirm=True)
    api.empty_trash("Event", confirm=True)
    api.import_schema(data, confirm=True)
    Event = api.get_model("Event")
    assert Event._meta.get_field("tags").related_model is Tag
    gig = Event.objects.create(title="Gig")
    gig.tags.add("imported")
    gig.save()
    assert names(Event.objects.get().tags) == ["imported"]
