"""The ``layers-diagram`` directive: the import-linter layers contract drawn as an SVG.

The picture is read from ``pyproject.toml`` at build time, so it cannot drift from what
``make lint`` checks. Each line of the directive's content names one layer, top first;
a count that differs from the contract's is a build error.

    ```{layers-diagram}
    :contract: layers
    wiring
    surfaces
    ```
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import tomllib
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
PACKAGE = "dynamo_wagtail."

WIDTH = 760
LABEL_WIDTH = 150
ROW = 34
GAP = 8
PAD = 10
# One colour per layer band, light enough for dark text in both furo themes.
FILLS = ("#e8f0fe", "#fef7e0", "#e6f4ea", "#fce8e6", "#f3e8fd", "#e0f7fa")


def load_contract(contract_id: str) -> dict:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    for contract in config["tool"]["importlinter"]["contracts"]:
        if contract.get("id") == contract_id:
            return contract
    raise LookupError(f"no import-linter contract with id {contract_id!r} in pyproject.toml")


def parse_layer(text: str) -> tuple[list[str], bool]:
    """The modules of one layer, short names, and whether they are independent ("|")."""
    independent = "|" in text
    parts = [p.strip() for p in text.replace("|", ":").split(":") if p.strip()]
    return [p.removeprefix(PACKAGE) for p in parts], independent


def svg_start(height: int, label: str, title: str) -> list[str]:
    """The opening of an SVG picture as wide as the docs' text, with its accessible names."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{escape(label)}" '
        f'style="max-width:{WIDTH}px;font-family:sans-serif;font-size:12px">',
        f"<title>{escape(title)}</title>",
    ]


def render_svg(names: list[str], layers: list[str]) -> str:
    height = PAD * 2 + len(layers) * (ROW + GAP) - GAP
    box_area = WIDTH - LABEL_WIDTH - PAD * 2
    parts = svg_start(
        height,
        "The layers of dynamo_wagtail, top first",
        "The layers of dynamo_wagtail, top first: each imports only from those below",
    )
    for index, (name, layer) in enumerate(zip(names, layers, strict=True)):
        modules, independent = parse_layer(layer)
        y = PAD + index * (ROW + GAP)
        fill = FILLS[index % len(FILLS)]
        parts.append(
            f'<rect x="{PAD}" y="{y}" width="{WIDTH - 2 * PAD}" height="{ROW}" rx="4" '
            f'fill="{fill}" stroke="#5f6368" stroke-width="0.8"/>'
        )
        parts.append(
            f'<text x="{PAD + 8}" y="{y + ROW / 2 + 4}" fill="#202124" '
            f'font-weight="bold">{escape(name)}</text>'
        )
        width = box_area / len(modules)
        for position, module in enumerate(modules):
            x = PAD + LABEL_WIDTH + position * width
            dash = ' stroke-dasharray="4 2"' if independent else ""
            parts.append(
                f'<rect x="{x + 2:.1f}" y="{y + 5}" width="{width - 4:.1f}" height="{ROW - 10}" '
                f'rx="3" fill="#ffffff" stroke="#80868b" stroke-width="0.8"{dash}/>'
            )
            parts.append(
                f'<text x="{x + width / 2:.1f}" y="{y + ROW / 2 + 4}" text-anchor="middle" '
                f'fill="#202124" font-family="monospace">{escape(module)}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts)


def render_flow(steps: list[tuple[str, str, str]]) -> str:
    """Boxes top to bottom joined by arrows; each arrow is labelled with who does the step."""
    box_height, arrow = 40, 34
    height = PAD * 2 + len(steps) * box_height + (len(steps) - 1) * arrow
    box_width = 340
    x = PAD
    parts = svg_start(
        height,
        "The data path",
        "The data path: definition, spec, plan, apply, class, registry, sync",
    )
    parts += [
        '<defs><marker id="dynamo-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#5f6368"/></marker></defs>',
    ]
    for index, (title, note, via) in enumerate(steps):
        y = PAD + index * (box_height + arrow)
        fill = FILLS[index % len(FILLS)]
        parts.append(
            f'<rect x="{x}" y="{y}" width="{box_width}" height="{box_height}" rx="4" '
            f'fill="{fill}" stroke="#5f6368" stroke-width="0.8"/>'
        )
        parts.append(
            f'<text x="{x + box_width / 2}" y="{y + box_height / 2 + 4}" text-anchor="middle" '
            f'fill="#202124" font-weight="bold">{escape(title)}</text>'
        )
        parts.append(
            f'<text x="{x + box_width + 16}" y="{y + box_height / 2 + 4}" '
            f'fill="#3c4043">{escape(note)}</text>'
        )
        if index < len(steps) - 1:
            top, bottom = y + box_height, y + box_height + arrow
            middle = x + box_width / 2
            parts.append(
                f'<line x1="{middle}" y1="{top}" x2="{middle}" y2="{bottom - 1}" '
                'stroke="#5f6368" stroke-width="1.2" marker-end="url(#dynamo-arrow)"/>'
            )
            if via:
                parts.append(
                    f'<text x="{middle + 10}" y="{top + arrow / 2 + 4}" fill="#1a73e8" '
                    f'font-family="monospace">{escape(via)}</text>'
                )
    parts.append("</svg>")
    return "\n".join(parts)


class FlowDiagram(SphinxDirective):
    """``flow-diagram``: one line per step, ``title | note | module that leads to the next``."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        steps = []
        for line in self.content:
            if not line.strip():
                continue
            cells = [c.strip() for c in line.split("|")]
            if len(cells) != 3:
                raise self.error(f"flow-diagram: give 'title | note | via', not {line!r}")
            steps.append((cells[0], cells[1], cells[2]))
        svg = render_flow(steps)
        return [nodes.raw("", f'<figure class="dynamo-flow">{svg}</figure>', format="html")]


class LayersDiagram(SphinxDirective):
    has_content = True
    option_spec = {"contract": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        contract = load_contract(self.options.get("contract", "layers"))
        layers = contract["layers"]
        names = [line.strip() for line in self.content if line.strip()]
        if len(names) != len(layers):
            raise self.error(
                f"layers-diagram: {len(names)} names for the {len(layers)} layers of contract "
                f"{contract.get('id')!r} in pyproject.toml"
            )
        self.env.note_dependency(str(PYPROJECT))
        svg = render_svg(names, layers)
        return [nodes.raw("", f'<figure class="dynamo-layers">{svg}</figure>', format="html")]


def setup(app: Sphinx) -> dict[str, object]:
    app.add_directive("layers-diagram", LayersDiagram)
    app.add_directive("flow-diagram", FlowDiagram)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
