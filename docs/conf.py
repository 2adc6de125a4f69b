"""Sphinx configuration for the dynamo-wagtail documentation."""

import re
import sys
from pathlib import Path

# Local extensions: the layers diagram, drawn from the import-linter contract.
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

_init = (Path(__file__).resolve().parent.parent / "dynamo_wagtail" / "__init__.py").read_text()
release = re.search(r'^__version__ = "([^"]+)"', _init, re.M).group(1)
version = release

project = "dynamo-wagtail"
author = "dynamo-wagtail contributors"
copyright = "dynamo-wagtail contributors"

extensions = ["myst_parser", "layers"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = f"dynamo-wagtail {release}"
