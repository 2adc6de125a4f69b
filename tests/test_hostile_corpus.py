"""The hostile corpus (tests/hostile/corpus.json) through the API, ORM saves and the builder.

Every input ends as a clear error naming the option with nothing written, or as a type
that works end to end; after each, the process keeps working. One database serves the
whole module (a transactional one: schema changes really run); generated tables are
dropped between cases.

``DYNAMO_CORPUS_RESULTS=<path>`` writes every outcome as JSON, line by line (the
reliability page reads it); ``DYNAMO_CORPUS_ONLY=<a>,<b>`` runs the cases whose ids
contain one of the parts; ``DYNAMO_CORPUS_CHANNELS=api,orm`` picks channels and
``DYNAMO_CORPUS_PART=k/n`` runs every n-th case from the k-th on (k counts from 1), to split
a CI run between databases.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import setup_databases, teardown_databases

from tests.conftest import drop_generated_tables
from tests.hostile import cases, runner, summary

ONLY = [part for part in os.environ.get("DYNAMO_CORPUS_ONLY", "").split(",") if part]
CHANNELS = os.environ.get("DYNAMO_CORPUS_CHANNELS", ",".join(cases.CHANNELS)).split(",")
RESULTS = os.environ.get("DYNAMO_CORPUS_RESULTS")
PART, PARTS = (int(n) for n in os.environ.get("DYNAMO_CORPUS_PART", "1/1").split("/"))
PARAMS = [
    pytest.param(case, channel, id=f"{case['id']}-{channel}")
    for index, case in enumerate(cases.interleaved(cases.load_cases()))
    if index % PARTS == PART - 1
    if not ONLY or any(part in case["id"] for part in ONLY)
    for channel in cases.channels_for(case)
    if channel in CHANNELS
]


@pytest.fixture(scope="module")
def corpus_env(django_db_setup: None, django_db_blocker: object) -> Iterator[runner.Env]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        # pytest-django creates test databases only for sessions with a django_db test.
        created = None
        if connection.settings_dict["NAME"] != connection.settings_dict["TEST"]["NAME"]:
            created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        env = runner.Env.start()
        if RESULTS:
            summary.start_file(RESULTS, vendor=connection.vendor)
        yield env
        runner.reset_database()
        call_command("flush", interactive=False, verbosity=0)
        if created is not None:
            teardown_databases(created, verbosity=0)


@pytest.mark.corpus
@pytest.mark.parametrize(("case", "channel"), PARAMS)
def test_hostile_input(corpus_env: runner.Env, case: dict, channel: str) -> None:
    try:
        outcome = runner.run(case, channel, corpus_env)
    finally:
        runner.reset_database()
    corpus_env.outcomes.append(outcome)
    if RESULTS:
        summary.append(RESULTS, outcome)
    assert outcome.ok, outcome.describe()


def test_the_corpus_covers_every_category_of_the_issue() -> None:
    loaded = cases.load_cases()
    assert len(loaded) >= 300
    categories = {c["category"] for c in loaded}
    assert {
        "type-names",
        "field-names",
        "reverse-names",
        "generated-names",
        "feature-names",
        "wrong-types",
        "nul-bytes",
        "kind-options",
        "defaults",
        "choices",
        "data-impact",
        "feature-switches",
        "relations",
        "case-clashes",
        "lengths",
    } <= categories
    for case in loaded:
        assert case["expect"] in ("error", "valid", "either"), case["id"]
        if case["expect"] != "valid":
            assert cases.expected_options(case), case["id"]
        assert cases.channels_for(case), case["id"]


@pytest.mark.django_db(transaction=True)
def test_the_runner_tells_a_refusal_from_an_acceptance(dynamo: None) -> None:
    """The judge itself: a good type passes, a refusal on the wrong option is caught,
    and a refusal that leaves a table behind is counted as a leftover."""
    env = runner.Env.start()
    good = {
        "id": "t-good",
        "category": "t",
        "name": "Good",
        "expect": "valid",
        "fields": [{"name": "title", "kind": "char"}],
    }
    assert runner.run(good, "api", env).ok
    drop_generated_tables()
    bad = {
        "id": "t-bad",
        "category": "t",
        "name": "Bad",
        "expect": "error",
        "option": "fields.0.default",
        "fields": [{"name": "class", "kind": "char"}],
    }
    outcome = runner.run(bad, "api", env)
    assert outcome.problem == "wrong_option" and "fields.0.name" in outcome.detail
    before = runner.snapshot()
    from dynamo_wagtail import api

    api.create_type("Left", [{"name": "title", "kind": "char"}])
    assert any("tables" in d for d in runner.differences(before, runner.snapshot()))
