"""Outcomes of corpus runs and their counts (used by the tests and by the reliability page)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

#: What can go wrong with one input; the goal is 0 of each.
PROBLEMS = {
    "crash": "an exception that is not a definition error (or a broken connection)",
    "accepted_broken": "accepted, but the type does not work end to end",
    "wrongly_accepted": "a bad input accepted",
    "wrong_option": "refused, but the message names another option or none",
    "refused_valid": "a good input refused",
    "leftover": "refused, but definition rows, tables, columns or indexes were left behind",
    "http_500": "the builder answered 500",
    "setup_failed": "the case's setup (valid types created through the API) failed",
}


@dataclass
class Outcome:
    case: str
    category: str
    channel: str
    expect: str
    #: "error" or "valid": how the engine answered.
    result: str = ""
    #: None when the answer is what the issue demands; else a key of PROBLEMS.
    problem: str | None = None
    detail: str = ""
    #: Every problem found (a refusal can both name the wrong option and leave rows).
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is None

    def fail(self, problem: str, detail: str) -> None:
        if self.problem is None:
            self.problem = problem
            self.detail = detail
        else:
            self.detail += f"; {problem}: {detail}"
        self.problems = (*self.problems, problem)

    def describe(self) -> str:
        return f"{self.case} [{self.channel}] expected {self.expect}: {self.problem}: {self.detail}"


def counts(outcomes: Iterable[Outcome]) -> dict[str, Any]:
    """Cases per category and channel, answers, and the count of each problem."""
    outcomes = list(outcomes)
    problems = Counter(p for o in outcomes for p in o.problems)
    return {
        "runs": len(outcomes),
        "cases": len({o.case for o in outcomes}),
        "by_channel": dict(sorted(Counter(o.channel for o in outcomes).items())),
        "by_category": {
            category: dict(
                sorted(Counter(o.channel for o in outcomes if o.category == category).items())
            )
            for category in sorted({o.category for o in outcomes})
        },
        "results": dict(
            sorted(Counter(f"{o.expect}->{o.result or '?'}" for o in outcomes).items())
        ),
        "problems": {key: problems.get(key, 0) for key in PROBLEMS},
        "ok": sum(o.ok for o in outcomes),
    }


def dump(outcomes: Iterable[Outcome], path: str | Path, **extra: Any) -> None:
    data = {"outcomes": [asdict(o) for o in outcomes], **extra}
    Path(path).write_text(json.dumps(data, indent=1, ensure_ascii=True), encoding="utf-8")


def load(path: str | Path) -> tuple[list[Outcome], dict[str, Any]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    outcomes = []
    for item in data.pop("outcomes"):
        item["problems"] = tuple(item.get("problems", ()))
        outcomes.append(Outcome(**item))
    return outcomes, data


def failures_by_cause(outcomes: Iterable[Outcome]) -> dict[str, list[Outcome]]:
    """Failed runs grouped by problem and the first line of their detail's exception."""
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        if o.ok:
            continue
        cause = o.detail.split(":", 1)[0] if ":" in o.detail else o.detail
        groups.setdefault(f"{o.problem}: {cause[:80]}", []).append(o)
    return dict(sorted(groups.items(), key=lambda item: -len(item[1])))
