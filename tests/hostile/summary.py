"""Outcomes of corpus runs and their counts (used by the tests and by the reliability page)."""

from __future__ import annotations

import json
import re
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
            sorted(Counter(f"{o.expect} → {o.result or '?'}" for o in outcomes).items())
        ),
        "problems": {key: problems.get(key, 0) for key in PROBLEMS},
        "ok": sum(o.ok for o in outcomes),
    }


def start_file(path: str | Path, **extra: Any) -> None:
    """A results file: JSON lines, the first with ``extra``, then one per outcome."""
    Path(path).write_text(json.dumps(extra, ensure_ascii=True) + "\n", encoding="utf-8")


def append(path: str | Path, outcome: Outcome) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(outcome), ensure_ascii=True) + "\n")


def load(path: str | Path) -> tuple[list[Outcome], dict[str, Any]]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    extra = json.loads(lines[0]) if lines else {}
    outcomes = []
    for line in lines[1:]:
        item = json.loads(line)
        item["problems"] = tuple(item.get("problems", ()))
        outcomes.append(Outcome(**item))
    return outcomes, extra


#: Absolute paths before a package name (older result files, messages quoting a file).
_PATH = re.compile(
    r"(?:/[\w.+-]+)+/(?:site-packages/)?(?=(?:dynamo_wagtail|tests|django|wagtail)/)"
)


def clean_paths(text: str) -> str:
    return _PATH.sub("", text)


def cause(outcome: Outcome) -> str:
    """A short root-cause key: the exception and where it was raised, or the category."""
    if outcome.problem in ("wrongly_accepted", "wrong_option", "refused_valid"):
        return f"{outcome.problem}: {outcome.category}"
    detail = clean_paths(outcome.detail)
    match = re.search(r"([A-Z]\w+(?:Error|Exception|Required|Conflict|Warning)|status \d+)", detail)
    where = re.search(r"\(at ([^)]+)\)", detail)
    step = detail.split(":", 1)[0] if outcome.problem == "accepted_broken" else ""
    parts = [
        outcome.problem or "",
        step,
        match.group(1) if match else "",
        where.group(1) if where else "",
    ]
    return " ".join(p for p in parts if p)


def failures_by_cause(outcomes: Iterable[Outcome]) -> dict[str, list[Outcome]]:
    """Failed runs grouped by :func:`cause`, the largest group first."""
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        if not o.ok:
            groups.setdefault(cause(o), []).append(o)
    return dict(sorted(groups.items(), key=lambda item: -len(item[1])))
