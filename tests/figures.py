"""Figures a test measures, kept for the reliability page (``python -m tests.reliability``).

A test stores what it counted with :func:`save` as ``tests/artifacts/<name>-<vendor>.json``;
the page reads every backend's file back with :func:`load` and prints a table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).parent / "artifacts"


def save(name: str, vendor: str, data: dict[str, Any]) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}-{vendor}.json"
    path.write_text(json.dumps(data, indent=1, sort_keys=True))
    return path


def load(name: str, directory: Path = ARTIFACTS) -> dict[str, dict[str, Any]]:
    """Stored figures of ``name`` by backend."""
    return {
        path.stem.removeprefix(f"{name}-"): json.loads(path.read_text())
        for path in sorted(directory.glob(f"{name}-*.json"))
    }


def races_table() -> str:
    """Two processes saving one type at once: outcomes per kind of trial and backend."""
    lines = ["| backend | trial | trials | outcomes |", "|---|---|---|---|"]
    for vendor, tallies in load("races").items():
        for test, outcomes in sorted(tallies.items()):
            shown = ", ".join(f"{key}: {n}" for key, n in sorted(outcomes.items()))
            lines.append(f"| {vendor} | {test} | {sum(outcomes.values())} | {shown} |")
    return "\n".join(lines) if len(lines) > 2 else ""


def writers_table() -> str:
    """Writer processes during schema changes: what they wrote and what was lost."""
    header = "| backend | writers | schema changes | entries | edits | lost | retried |"
    lines = [header, "|---|---|---|---|---|---|---|"]
    for vendor, f in load("writers").items():
        lines.append(
            f"| {vendor} | {f['writers']} | {f['changes']} | {f['entries']} | {f['edits']} "
            f"| {f['lost']} | {f['retries']} |"
        )
    return "\n".join(lines) if len(lines) > 2 else ""
