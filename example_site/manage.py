#!/usr/bin/env python
"""Django's command-line utility for the dynamo_wagtail example site."""

import os
import sys
from pathlib import Path


def main():
    # Make the repository root importable so `dynamo_wagtail` works without installing it.
    sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
