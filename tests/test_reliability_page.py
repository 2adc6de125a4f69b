"""The reliability page script renders what the runs measured, and says what they did not."""

from __future__ import annotations

from tests import reliability
from tests.hostile.summary import Outcome, append, counts, load, start_file


def test_outcomes_round_trip_and_are_counted(tmp_path):
    path = tmp_path / "corpus-sqlite.json"
    start_file(path, vendor="sqlite")
    good = Outcome("a", "names", "api", "error", result="error")
    bad = Outcome("b", "names", "admin", "valid", result="error")
    bad.fail("http_500", "IntegrityError: boom (at dynamo_wagtail/schema/applier.py:128)")
    for outcome in (good, bad):
        append(path, outcome)
    outcomes, extra = load(path)
    assert extra == {"vendor": "sqlite"} and [o.case for o in outcomes] == ["a", "b"]
    figures = counts(outcomes)
    assert figures["problems"]["http_500"] == 1 and figures["problems"]["crash"] == 0
    assert figures["ok"] == 1 and figures["by_channel"] == {"admin": 1, "api": 1}


def test_the_page_has_the_figures_and_names_what_was_not_measured(tmp_path, monkeypatch):
    # As if no module had left its figures (other runs may have, in tests/artifacts).
    monkeypatch.setattr(reliability, "available_figures", lambda: [])
    path = tmp_path / "corpus-sqlite.json"
    start_file(path, vendor="sqlite")
    broken = Outcome("rn-x", "reverse-names", "orm", "error", result="valid")
    broken.fail("wrongly_accepted", "accepted; expected an error on ['fields.0.related_name']")
    append(path, broken)
    page = reliability.render([reliability.read_results("sqlite", tmp_path)])
    assert "| wrongly_accepted | a bad input accepted | 1 |" in page
    assert "`rn-x` (orm)" in page
    # No evolution results and no fault injection module: said so, section by section.
    evolution = page.split("## Random schema evolution")[1].split("## ")[0]
    assert "Not measured in this run." in evolution
    assert page.count("Not measured in this run.") == 1 + len(reliability.OTHER_FIGURES)
