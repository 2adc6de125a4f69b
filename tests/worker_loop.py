"""A long-lived second process for tests/test_sync.py.

Run as ``python -m tests.worker_loop`` with DJANGO_SETTINGS_MODULE and DATABASE_URL set. It
prints one JSON line when ready, then reads a type name per stdin line and answers one JSON
line: the field names of ``apps.get_model("dynamo", name)`` as this process sees them now, or
the error it got. It never restarts between commands: whatever it learns of schema changes,
it learns through the runtime app's ``get_model``.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.apps import apps

    print(json.dumps({"ready": True, "pid": os.getpid()}), flush=True)
    for line in sys.stdin:
        name = line.strip()
        if not name:
            continue
        try:
            model = apps.get_model("dynamo", name)
            reply = {"fields": [f.name for f in model._meta.fields]}
        except LookupError as exc:
            reply = {"error": f"LookupError: {exc}"}
        except Exception as exc:  # report anything else to the test instead of dying
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
