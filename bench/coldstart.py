"""Cold-start and memory probes, each run in a fresh process.

``python -m bench.coldstart setup --types N --fields F --static-dir DIR``
    bring the cold-start database to N types × F fields (through the API) and write
    ``DIR/bench_static_N``: the same models as static code (same tables and columns),
    registered as snippets the way the generated types are.
``python -m bench.coldstart measure --mode dynamic|static|bare --types N``
    time django.setup(), building and registering the types, and the first admin
    response; prints JSON. ``bare`` is the static side's settings without its models:
    the start that neither side can avoid (no listing to request, only its django.setup()).
``python -m bench.coldstart memory --rebuilds R``
    RSS with every type loaded, then after R rebuilds of one type; prints JSON.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import weakref  # noqa: E402
from pathlib import Path  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def type_name(index: int) -> str:
    return f"Cold{index:04d}"


def field_defs(count: int) -> list[dict]:
    # Imported here: the module's own imports are timed (T0) and stay the standard library's.
    from bench.population import simple_fields

    return simple_fields(count)


def login_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    User = get_user_model()
    user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
        "bench", "bench@example.com", "bench"
    )
    client = Client()
    client.force_login(user)
    return client


# -- setup -------------------------------------------------------------------------------


def setup(types: int, fields: int, static_dir: Path) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    from dynamo_wagtail import api
    from dynamo_wagtail.models import MetaModel

    call_command("migrate", verbosity=0, interactive=False)
    from bench.population import create_types

    login_client()
    existing = MetaModel.objects.count()
    start = time.perf_counter()
    create_types(
        (type_name(index), field_defs(fields), {"title_field": "f0"})
        for index in range(existing, types)
    )
    api.get_model(type_name(0))  # this process's classes current (write_static reads them)
    created = time.perf_counter() - start
    write_static(types, static_dir)
    return {"created": types - existing, "seconds": created}


def write_static(types: int, static_dir: Path) -> None:
    """The installed types as a static app (same tables, same columns)."""
    from django.db import models

    from dynamo_wagtail import api

    label = f"bench_static_{types}"
    package = static_dir / label
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "apps.py").write_text(
        "from django.apps import AppConfig\n\n\n"
        f"class StaticConfig(AppConfig):\n    name = {label!r}\n"
        "    default_auto_field = 'django.db.models.BigAutoField'\n"
    )
    lines = ["from django.db import models", "import django.db.models", ""]
    hooks = [
        "from wagtail.admin.panels import FieldPanel",
        "from wagtail.snippets.models import register_snippet",
        "from wagtail.snippets.views.snippets import SnippetViewSet",
        "",
        "from . import models",
        "",
    ]
    for index in range(types):
        model = api.get_model(type_name(index))
        spec = model.dynamo_spec
        lines.append(f"class {model.__name__}(models.Model):")
        lines.append("    id = models.BigAutoField(primary_key=True)")
        names, filters = [], {}
        for field in model._meta.local_fields:
            if field.primary_key:
                continue
            name, path, args, kwargs = field.deconstruct()
            kwargs.pop("validators", None)
            lines.append(f"    {name} = {path}(*{args!r}, **{kwargs!r})")
            names.append(name)
            if isinstance(field, (models.DateField, models.TimeField)):
                filters[name] = ["gte", "lte"]
            elif isinstance(field, models.BooleanField):
                filters[name] = ["exact"]
        lines.append("")
        lines.append("    class Meta:")
        lines.append(f"        db_table = {spec.table!r}")
        lines.append(f"        verbose_name = {model._meta.verbose_name!r}")
        lines.append("")
        lines.append("    def __str__(self):")
        lines.append("        return str(self.f0)")
        lines.append("")
        hooks.append(
            f"register_snippet(type('{model.__name__}ViewSet', (SnippetViewSet,), dict("
            f"model=models.{model.__name__}, icon='snippet', add_to_admin_menu=False, "
            f"list_display=['f0'], list_filter={filters!r}, list_export={names!r}, "
            "search_fields=None, copy_view_enabled=True, inspect_view_enabled=True, "
            f"panels=[FieldPanel(n) for n in {names!r}])))"
        )
    (package / "models.py").write_text("\n".join(lines) + "\n")
    (package / "wagtail_hooks.py").write_text("\n".join(hooks) + "\n")


# -- measure -----------------------------------------------------------------------------


def measure(mode: str, types: int, profile: str | None) -> dict:
    import django

    from bench.common import rss_kib

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    django.setup()
    t_setup = time.perf_counter()
    steps = {"django.setup()": t_setup - T0}
    if mode == "dynamic":
        from dynamo_wagtail import sync
        from dynamo_wagtail.registry import registry

        listener_time = [0.0]

        def timed_listener(listener):
            def wrapper(installed, removed):
                start = time.perf_counter()
                try:
                    listener(installed, removed)
                finally:
                    listener_time[0] += time.perf_counter() - start

            return wrapper

        registry.listeners[:] = [timed_listener(listener) for listener in registry.listeners]
        start = time.perf_counter()
        sync.ensure_current()
        built = time.perf_counter()
        assert len(registry.classes) == types, (len(registry.classes), types)
        steps["build classes (registry)"] = built - start - listener_time[0]
        steps["register snippets (admin listener)"] = listener_time[0]
    registered = time.perf_counter()
    if mode == "bare":
        return {"mode": mode, "types": 0, "build_register": registered - T0, "steps": steps}
    client = login_client()
    logged_in = time.perf_counter()
    steps["log in (test client)"] = logged_in - registered
    model_name = type_name(0).lower()
    app = "dynamo" if mode == "dynamic" else f"bench_static_{types}"
    response = client.get(f"/admin/snippets/{app}/{model_name}/")
    assert response.status_code == 200, response.status_code
    first = time.perf_counter()
    steps["first admin response (listing)"] = first - logged_in
    response = client.get(f"/admin/snippets/{app}/{model_name}/")
    second = time.perf_counter()
    steps["second admin response"] = second - first
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    return {
        "mode": mode,
        "types": types,
        "build_register": registered - T0,
        "first_response": first - T0 - steps["log in (test client)"],
        "steps": steps,
        "rss_kib": rss_kib(),
    }


# -- memory ------------------------------------------------------------------------------


def memory(rebuilds: int) -> dict:
    import django

    from bench.common import rss_kib

    django.setup()
    base = rss_kib()
    from dynamo_wagtail import api, sync
    from dynamo_wagtail.registry import registry

    sync.ensure_current()
    client = login_client()
    name = type_name(0)
    assert client.get(f"/admin/snippets/dynamo/{name.lower()}/").status_code == 200
    gc.collect()
    loaded = rss_kib()
    types = len(registry.classes)
    old: list[weakref.ref] = []
    samples = []
    for index in range(rebuilds):
        old.append(weakref.ref(api.get_model(name)))
        api.alter_type(name, verbose_name=f"cold type {index}")
        # A request on the new class (admin registration, URL tables, caches all used).
        assert client.get(f"/admin/snippets/dynamo/{name.lower()}/").status_code == 200
        if index in (9, rebuilds - 1) or index == rebuilds // 2:
            gc.collect()
            samples.append((index + 1, rss_kib()))
    gc.collect()
    alive = sum(1 for ref in old if ref() is not None)
    return {
        "types": types,
        "rss_setup_kib": base,
        "rss_loaded_kib": loaded,
        "samples": samples,
        "old_classes_alive": alive,
        "rebuilds": rebuilds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["setup", "measure", "memory"])
    parser.add_argument("--types", type=int, default=0)
    parser.add_argument("--fields", type=int, default=20)
    parser.add_argument("--static-dir", default="")
    parser.add_argument("--mode", default="dynamic")
    parser.add_argument("--rebuilds", type=int, default=100)
    parser.add_argument("--profile", default="")
    args = parser.parse_args()
    if args.static_dir:
        sys.path.insert(0, args.static_dir)
    if args.command == "setup":
        result = setup(args.types, args.fields, Path(args.static_dir))
    elif args.command == "measure":
        result = measure(args.mode, args.types, args.profile or None)
    else:
        result = memory(args.rebuilds)
    print("BENCH-RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
