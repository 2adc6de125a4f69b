"""A writer process for tests/test_live_writers.py.

Run as ``python -m tests.writer_loop NAME STOP OUT`` with DJANGO_SETTINGS_MODULE and
DATABASE_URL set. Until the file STOP exists it inserts entries of the type ``Ledger``
tagged ``NAME-<n>`` and edits its own earlier entries (a full ``save()`` adding one to
``qty``), checking the schema version first as the middleware does for a request. A
write that fails as :class:`~dynamo_wagtail.stale.SchemaChanged` is tried again once
the classes are rebuilt; any other error is kept. At the end it writes a JSON report
to OUT: tags created, increments per tag, retries, errors.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

LIMIT = 300.0  # seconds: a writer never outlives a broken test


def main() -> None:
    name, stop, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.apps import apps

    from dynamo_wagtail import stale, sync

    rng = random.Random(name)
    created: list[str] = []
    increments: dict[str, int] = {}
    retries = 0
    errors: list[str] = []
    messages: set[str] = set()
    started = time.monotonic()
    pending: tuple[str, str] | None = None
    while not stop.exists() and time.monotonic() - started < LIMIT:
        sync.ensure_current()
        model = apps.get_model("dynamo", "Ledger")
        if pending is None:
            if created and rng.random() < 0.5:
                pending = ("edit", rng.choice(created))
            else:
                pending = ("create", f"{name}-{len(created)}")
        action, tag = pending
        time.sleep(rng.random() / 50)  # a request's work between its check and its write
        try:
            with stale.guard(model):
                if action == "create":
                    model.objects.create(tag=tag, qty=0)
                else:
                    entry = model.objects.get(tag=tag)
                    entry.qty += 1
                    entry.save()
        except stale.SchemaChanged as exc:
            retries += 1
            messages.add(str(exc))
            continue  # the same write again, with the classes rebuilt
        except Exception as exc:
            errors.append(f"{action} {tag}: {type(exc).__name__}: {exc}")
        else:
            if action == "create":
                created.append(tag)
            else:
                increments[tag] = increments.get(tag, 0) + 1
        pending = None
    report = {
        "created": created,
        "increments": increments,
        "retries": retries,
        "errors": errors,
        "messages": sorted(messages),
    }
    out.write_text(json.dumps(report))


if __name__ == "__main__":
    main()
