"""Rules across fields: unique together (optionally ignoring case) and comparisons between two
fields, as real database constraints. Refused over rows that break them, enforced after, kept
through renames, conversions and the trash."""

from __future__ import annotations

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from dynamo_wagtail import api, constraints, pipeline
from dynamo_wagtail.errors import DefinitionError
from dynamo_wagtail.models import MetaModel
from dynamo_wagtail.schema import applier
from dynamo_wagtail.schema.inspect import drift
from dynamo_wagtail.spec import ModelSpec
from tests.admin_utils import layout_form

pytestmark = pytest.mark.usefixtures("dynamo")

UNIQUE_EMAIL = {"type": "unique", "fields": ["email", "survey"], "ignore_case": True}
ENDS_AFTER = {
    "type": "compare",
    "field": "ends",
    "is": "gte",
    "other": "starts",
    "message": "A session cannot end before it starts.",
}


def make_answer(*, required: bool = True, **options):
    """Answers; email and survey required (MariaDB leaves no empty text out of a unique
    rule) unless ``required`` is False."""
    return api.create_type(
        "Answer",
        [
            {"name": "email", "kind": "email", "required": required, "default": "a@b.example"},
            {
                "name": "survey",
                "kind": "char",
                "options": {"max_length": 40},
                "required": required,
                "default": "-",
            },
            {"name": "score", "kind": "integer"},
        ],
        **options,
    )


def make_session(**options):
    return api.create_type(
        "Session",
        [
            {"name": "title", "kind": "char", "required": True, "default": "untitled"},
            {"name": "starts", "kind": "datetime"},
            {"name": "ends", "kind": "datetime"},
        ],
        **options,
    )


def db_constraints(table: str) -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def rule_names(meta_model: MetaModel) -> set[str]:
    meta_model.refresh_from_db()
    found = set(db_constraints(meta_model.table))
    return {n for n in found if n.startswith("dyn_")}


def drifted(meta_model: MetaModel) -> list[str]:
    meta_model.refresh_from_db()
    spec = ModelSpec.from_json(meta_model.applied_spec)
    return drift(spec, applier.Context(pipeline.others(spec.uid, "default")))


def at(hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 12, 1, hour, tzinfo=datetime.UTC)


def test_a_unique_rule_is_a_database_constraint_that_ignores_case():
    answer = make_answer(constraints=[UNIQUE_EMAIL])
    assert len(rule_names(answer)) == 1
    Answer = api.get_model("Answer")
    Answer.objects.create(email="Ann@example.com", survey="spring")
    Answer.objects.create(email="ann@example.com", survey="autumn")
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(email="ANN@example.com", survey="spring")
    # Model validation puts the message on the rule's last field.
    with pytest.raises(ValidationError) as caught:
        Answer(email="ann@EXAMPLE.com", survey="spring").full_clean()
    assert caught.value.message_dict["survey"] == [
        "Another entry already has this email and survey."
    ]
    assert "__all__" not in caught.value.message_dict
    Answer(email="bob@example.com", survey="spring").full_clean()


def test_a_unique_rule_over_duplicate_rows_is_refused_with_the_count_then_added():
    answer = make_answer()
    Answer = api.get_model("Answer")
    Answer.objects.create(email="a@example.com", survey="s1")
    Answer.objects.create(email="A@example.com", survey="s1")
    Answer.objects.create(email="b@example.com", survey="s1")
    with pytest.raises(DefinitionError) as caught:
        api.alter_type("Answer", constraints=[UNIQUE_EMAIL])
    errors = caught.value.message_dict
    assert "1 value(s) occur in more than one entry (a@example.com, s1)" in errors["constraints"][0]
    assert errors["survey.constraints"] == errors["constraints"]
    assert rule_names(answer) == set()
    assert MetaModel.objects.get(pk=answer.pk).constraints == []
    if connection.vendor == "mysql":
        # MariaDB's collation (utf8mb4_unicode_ci) compares text without case: the two
        # rows are the same there with or without ignore_case.
        with pytest.raises(DefinitionError):
            api.alter_type("Answer", constraints=[{**UNIQUE_EMAIL, "ignore_case": False}])
        return
    # Case kept: without ignore_case the two differ.
    api.alter_type("Answer", constraints=[{**UNIQUE_EMAIL, "ignore_case": False}])
    assert len(rule_names(answer)) == 1
    Answer = api.get_model("Answer")
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(email="b@example.com", survey="s1")
    assert Answer.objects.count() == 3


def test_a_comparison_is_checked_by_the_database_and_by_the_form_on_its_field():
    session = make_session(constraints=[ENDS_AFTER])
    assert len(rule_names(session)) == 1
    Session = api.get_model("Session")
    Session.objects.create(title="ok", starts=at(9), ends=at(10))
    Session.objects.create(title="open", starts=at(9))  # a missing value breaks no rule
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(title="bad", starts=at(10), ends=at(9))
    with pytest.raises(ValidationError) as caught:
        Session(title="bad", starts=at(10), ends=at(9)).full_clean()
    assert caught.value.message_dict == {"ends": ["A session cannot end before it starts."]}


def test_a_comparison_over_rows_that_break_it_is_refused_with_examples():
    session = make_session()
    Session = api.get_model("Session")
    Session.objects.create(title="ok", starts=at(9), ends=at(10))
    bad = Session.objects.create(title="bad", starts=at(11), ends=at(10))
    with pytest.raises(DefinitionError) as caught:
        api.alter_type("Session", constraints=[ENDS_AFTER])
    message = caught.value.message_dict["ends.constraints"][0]
    assert f"1 entry (e.g. id {bad.pk}) do not have ends ≥ starts" in message
    assert rule_names(session) == set()
    Session.objects.filter(pk=bad.pk).update(ends=at(12))
    plan = api.alter_type("Session", constraints=[ENDS_AFTER])
    assert "Add the rule ends ≥ starts" in plan.describe()
    assert len(rule_names(session)) == 1


def test_renaming_a_field_keeps_the_rule_without_ddl_and_the_definition_follows():
    session = make_session(constraints=[ENDS_AFTER])
    before = rule_names(session)
    plan = api.rename_field("Session", "ends", "finishes")
    assert not any("rule" in line for line in plan.describe().splitlines())
    assert rule_names(session) == before
    stored = MetaModel.objects.get(pk=session.pk).constraints
    assert stored[0]["field"] == "finishes" and stored[0]["other"] == "starts"
    Session = api.get_model("Session")
    with pytest.raises(ValidationError) as caught:
        Session(title="x", starts=at(10), finishes=at(9)).full_clean()
    assert "finishes" in caught.value.message_dict


def test_a_message_change_runs_no_ddl_and_shows_the_new_message():
    session = make_session(constraints=[ENDS_AFTER])
    before = rule_names(session)
    api.alter_type("Session", constraints=[{**ENDS_AFTER, "message": "Ends first? No."}])
    assert rule_names(session) == before
    with pytest.raises(ValidationError) as caught:
        api.get_model("Session")(title="x", starts=at(10), ends=at(9)).full_clean()
    assert caught.value.message_dict == {"ends": ["Ends first? No."]}


def test_converting_a_field_of_a_rule_keeps_the_rule_and_the_values():
    answer = make_answer(constraints=[{"type": "unique", "fields": ["survey", "score"]}])
    Answer = api.get_model("Answer")
    Answer.objects.create(email="a@example.com", survey="s", score=1)
    Answer.objects.create(email="b@example.com", survey="s", score=2)
    api.alter_field(
        "Answer", "score", kind="decimal", options={"max_digits": 6, "decimal_places": 2}
    )
    assert len(rule_names(answer)) == 1
    Answer = api.get_model("Answer")
    assert sorted(Answer.objects.values_list("score", flat=True)) == [1, 2]
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(email="c@example.com", survey="s", score="2.00")
    assert drifted(answer) == []


def test_trashing_a_field_drops_its_rule_and_the_definition_says_so():
    session = make_session(constraints=[ENDS_AFTER])
    api.remove_field("Session", "ends", confirm=True)
    assert rule_names(session) == set()
    assert MetaModel.objects.get(pk=session.pk).constraints == []
    api.restore_field("Session", "ends")
    Session = api.get_model("Session")
    Session.objects.create(title="free again", starts=at(10), ends=at(9))


@pytest.mark.parametrize(
    ("rules", "where", "text"),
    [
        ("not a list", "constraints", "Give a list of rules."),
        ([{"type": "sql", "check": "1=1"}], "constraints", "must be 'unique' or 'compare'"),
        ([{"type": "unique", "fields": ["nope"]}], "constraints", "unknown fields: nope"),
        ([{"type": "unique", "fields": "email"}], "constraints", "as a list of names"),
        ([{**ENDS_AFTER, "is": "; DROP TABLE"}], "constraints", "'is' must be one of"),
        ([{**ENDS_AFTER, "other": "title"}], "ends.constraints", "cannot be compared"),
        ([{**ENDS_AFTER, "other": "ends"}], "ends.constraints", "with another field"),
        ([{**ENDS_AFTER, "message": "x" * 300}], "constraints", "at most 255"),
        ([ENDS_AFTER, ENDS_AFTER], "constraints", "there twice"),
        ([{**ENDS_AFTER, "sql": "x"}], "constraints", "unknown keys sql"),
    ],
)
def test_hostile_rules_are_refused_where_they_were_typed(rules, where, text):
    make_session()
    with pytest.raises(DefinitionError) as caught:
        api.alter_type("Session", constraints=rules)
    assert any(text in m for m in caught.value.message_dict[where]), caught.value.message_dict
    assert MetaModel.objects.get(name="Session").constraints == []


def test_export_and_import_carry_the_rules():
    make_session(constraints=[ENDS_AFTER])
    data = api.export_schema()
    (exported,) = [t for t in data["types"] if t["name"] == "Session"]
    assert exported["constraints"][0]["field"] == "ends"
    session = MetaModel.objects.get(name="Session")
    api.alter_type("Session", constraints=[])
    assert rule_names(session) == set()
    api.import_schema(data)
    assert len(rule_names(session)) == 1
    assert drifted(session) == []


def test_constraint_names_come_from_ids_not_from_text():
    session = make_session(constraints=[ENDS_AFTER])
    (name,) = rule_names(session)
    assert drifted(session) == []
    assert name.startswith("dyn_c_") and len(name) <= 30
    spec = api.get_model("Session").dynamo_spec
    assert constraints.constraint_name(spec, constraints.rules_of(spec)[0]) == name


def layout_url(meta_model: MetaModel) -> str:
    return reverse("wagtailsnippets_dynamo_wagtail_metamodel:layout", args=[meta_model.pk])


def test_an_editor_adds_rules_on_the_layout_page_and_sees_them_in_the_entry_form(admin_client):
    session = make_session()
    Session = api.get_model("Session")
    bad = Session.objects.create(title="late", starts=at(11), ends=at(10))
    session.refresh_from_db()
    page = admin_client.get(layout_url(session)).content.decode()
    assert "Rules across fields" in page and "Unique together" in page
    rules = [ENDS_AFTER, {"type": "unique", "fields": ["title", "starts"], "ignore_case": True}]

    def post(version: int):
        data = {**layout_form([], rules), "expected_version": str(version)}
        return admin_client.post(layout_url(session), data)

    # Existing entries break the comparison: refused on the rules, nothing changed.
    refused = post(session.schema_version)
    assert refused.status_code == 200
    (message,) = refused.context["form"].errors["constraints"]
    assert message.startswith(f"1 entry (e.g. id {bad.pk}) do not have ends ≥ starts")
    # On the rules' blocks (Wagtail's block widget carries its errors as JSON).
    assert f"1 entry (e.g. id {bad.pk}) do not have ends" in html.unescape(refused.content.decode())
    assert rule_names(session) == set()
    Session.objects.filter(pk=bad.pk).update(ends=at(12))
    session.refresh_from_db()
    saved = post(session.schema_version)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    session.refresh_from_db()
    assert session.constraints == [
        {**ENDS_AFTER},
        {"type": "unique", "fields": ["title", "starts"], "ignore_case": True},
    ]
    assert len(rule_names(session)) == 2
    # The page shows the rules again, chosen fields checked.
    again = admin_client.get(layout_url(session)).content.decode()
    assert "A session cannot end before it starts." in again
    # The entry form shows each rule's message on its field.
    add = "/admin/snippets/dynamo/session/add/"
    answer = admin_client.post(
        add, {"title": "Late", "starts": "2026-12-01 11:00", "ends": "2026-12-01 10:00"}
    )
    assert answer.status_code == 200
    form = answer.context["form"]
    assert form.errors["ends"] == ["A session cannot end before it starts."]
    answer = admin_client.post(add, {"title": "LATE", "starts": "2026-12-01 11:00"})
    assert answer.context["form"].errors["starts"] == [
        "Another entry already has this title and starts."
    ]
    assert Session.objects.count() == 1
    # A field not of the type is refused on its block, and no rule is half-saved.
    session.refresh_from_db()
    data = {
        **layout_form([], [{"type": "unique", "fields": ["nope"]}]),
        "expected_version": str(session.schema_version),
    }
    refused = admin_client.post(layout_url(session), data)
    assert "nope is not one of the available choices" in html.unescape(refused.content.decode())
    session.refresh_from_db()
    assert len(session.constraints) == 2


def test_a_unique_rule_leaves_out_empty_optional_text_or_is_refused_on_mariadb():
    rule = {"type": "unique", "fields": ["email"], "ignore_case": True}
    if connection.vendor == "mysql":
        make_answer(required=False)
        with pytest.raises(DefinitionError) as caught:
            api.alter_type("Answer", constraints=[rule])
        assert (
            "cannot leave empty values of 'email' out"
            in caught.value.message_dict["email.constraints"][0]
        )
        assert rule_names(MetaModel.objects.get(name="Answer")) == set()
        # Required, the field has no empty values to leave out.
        api.alter_field("Answer", "email", required=True, default="x@example.com", confirm=True)
        api.alter_type("Answer", constraints=[rule])
        assert len(rule_names(MetaModel.objects.get(name="Answer"))) == 1
        return
    answer = make_answer(required=False, constraints=[rule])
    Answer = api.get_model("Answer")
    Answer.objects.create(survey="anonymous", email="")
    Answer.objects.create(survey="anonymous too", email="")
    Answer(survey="third", email="").full_clean()
    Answer.objects.create(email="Ann@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(email="ann@example.com")
    # Made required, the field has no empty values: the constraint is rebuilt without
    # the exception, over the existing rows.
    before = rule_names(answer)
    with pytest.raises(DefinitionError) as caught:
        api.alter_field("Answer", "email", required=True, confirm=True)
    assert "1 value(s) occur in more than one entry" in caught.value.message_dict["constraints"][0]
    assert rule_names(answer) == before
    Answer.objects.filter(survey="anonymous").update(email="y@example.com")
    Answer.objects.filter(survey="anonymous too").update(email="z@example.com")
    api.alter_field("Answer", "email", required=True, confirm=True)
    after = rule_names(answer)
    assert len(after) == 1 and after != before
    assert drifted(answer) == []
