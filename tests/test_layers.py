"""The package keeps its layers: no import of its own modules inside a function.

import-linter (``make lint``) checks that imports run downwards; this test checks the
other half of the rule of docs/architecture.md, which a layers contract cannot see: an
import placed inside a function to dodge a cycle. Allowed: ``AppConfig.ready()`` (the
wiring runs once the models are loaded) and ``if TYPE_CHECKING:`` blocks (module level).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dynamo_wagtail"


def is_own_import(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").startswith("dynamo_wagtail")
    if isinstance(node, ast.Import):
        return any(alias.name.startswith("dynamo_wagtail") for alias in node.names)
    return False


def own_imports_in_functions(source: str) -> list[tuple[int, str]]:
    """(line, function) of every import of the package's own modules inside a function."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
                continue
            if function is not None and function != "ready" and is_own_import(child):
                found.append((child.lineno, function))
            visit(child, function)

    visit(ast.parse(source), None)
    return found


def test_no_package_import_inside_a_function() -> None:
    found = {
        f"{path.relative_to(PACKAGE.parent)}:{line} in {function}()"
        for path in PACKAGE.rglob("*.py")
        for line, function in own_imports_in_functions(path.read_text(encoding="utf-8"))
    }
    assert not found, sorted(found)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    from . import api\n", [(2, "f")]),
        ("def f():\n    import dynamo_wagtail.api\n", [(2, "f")]),
        ("class C:\n    def save(self):\n        from ..x import y\n", [(3, "save")]),
        ("class A:\n    def ready(self):\n        from . import wiring\n", []),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .models import M\n", []),
        ("def f():\n    from django.db import models\n", []),
    ],
)
def test_the_check_sees_what_it_should(source: str, expected: list[tuple[int, str]]) -> None:
    assert own_imports_in_functions(source) == expected
