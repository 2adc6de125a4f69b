"""The per-process registry: rebuilds leak nothing and warn about nothing, Django's
commands see generated models as models, and a fresh process loads them."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import types
import warnings
import weakref
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from dynamo_wagtail import api
from dynamo_wagtail.models import MetaModel
from dynamo_wagtail.registry import registry

pytestmark = pytest.mark.usefixtures("dynamo")

REPO = Path(__file__).resolve().parent.parent


def make_types() -> None:
    api.create_type("Tag", [{"name": "label", "kind": "char"}])
    api.create_type(
        "Product",
        [
            {"name": "title", "kind": "char", "required": True},
            {"name": "price", "kind": "decimal"},
            {
                "name": "owner",
                "kind": "foreign_key",
                "related_model": "auth.User",
                "options": {"related_name": "products"},
            },
            {"name": "tags", "kind": "many_to_many", "related_model": "Tag"},
        ],
    )
    api.create_type(
        "Review",
        [
            {"name": "text", "kind": "text"},
            {"name": "product", "kind": "foreign_key", "related_model": "Product"},
        ],
    )


def _forget_classes() -> None:
    """What a new process starts with: no generated class loaded."""
    with registry.lock:
        registry.sync([])
        registry.version = None


# -- rebuilds ------------------------------------------------------------------


def _holder(obj: object, ignore: tuple = (), max_depth: int = 10) -> str:
    """The chain of references from a module global to ``obj``, to name a leak."""
    roots = {
        id(m.__dict__): name for name, m in list(sys.modules.items()) if hasattr(m, "__dict__")
    }
    skip = {id(x) for x in ignore}
    frontier: list = [(obj, [obj])]
    seen = {id(obj)}
    for _ in range(max_depth):
        found: list = []
        skip.add(id(found))
        for current, path in frontier:
            for ref in gc.get_referrers(current):
                if id(ref) in seen or id(ref) in skip or isinstance(ref, types.FrameType):
                    continue
                seen.add(id(ref))
                if id(ref) in roots:
                    return _chain(roots[id(ref)], [ref, *path])
                found.append((ref, [ref, *path]))
        skip.add(id(frontier))
        frontier = found
    return "no chain from a module global found (held by a frame or a C-level cache?)"


def _chain(module: str, path: list) -> str:
    lines = [f"module {module}"]
    for holder, held in zip(path, path[1:], strict=False):
        if isinstance(holder, dict):
            keys = [k for k, v in holder.items() if v is held] or [k for k in holder if k is held]
            where = f"[{keys[0]!r}]" if keys else "[?]"
        elif isinstance(holder, (list, tuple, set, frozenset)):
            where = f"(item of a {type(holder).__name__})"
        else:
            where = f"(attribute of {type(holder).__qualname__})"
        lines.append(f"  {where} -> {type(held).__qualname__} {str(held)[:90]!r}")
    return "\n".join(lines)


def _rebuild_many_times(count: int) -> list[weakref.ref]:
    """Rebuild Product ``count`` times; weak references to every replaced class."""
    old: list[weakref.ref] = []
    user = get_user_model().objects.create_user("owner")
    for i in range(count):
        Product = api.get_model("Product")
        Review = api.get_model("Review")
        old.append(weakref.ref(Product))
        old.append(weakref.ref(Review))
        old.append(weakref.ref(Product._meta.get_field("tags").remote_field.through))
        # Use the class (instances, queries, reverse accessors) before replacing it.
        tag = api.get_model("Tag").objects.create(label=f"t{i}")
        product = Product.objects.create(title=f"p{i}", owner=user)
        product.tags.add(tag)
        Review.objects.create(text="ok", product=product)
        assert user.products.filter(pk=product.pk).exists()
        del Product, Review, tag, product
        if i % 4 == 0:
            api.add_field("Product", f"extra_{i}", "integer")  # DDL
        else:
            api.alter_type("Product", verbose_name=f"Product v{i}")  # no DDL, new class
    return old


def test_rebuilding_twenty_times_warns_nothing_and_frees_old_classes():
    make_types()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = _rebuild_many_times(20)
    runtime = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert runtime == []

    Product = api.get_model("Product")
    assert Product._meta.verbose_name == "Product v19"
    assert [f.name for f in Product._meta.fields if f.name.startswith("extra_")] == [
        f"extra_{i}" for i in range(0, 20, 4)
    ]
    assert Product.objects.count() == 20
    assert api.get_model("Review")._meta.get_field("product").related_model is Product
    # Exactly one Product class and one link model in Django's registry.
    dynamo_models = apps.all_models["dynamo"]
    assert dynamo_models["product"] is Product
    assert sum(1 for m in dynamo_models.values() if m.__name__ == "Product") == 1
    assert len(dynamo_models) == 4  # Tag, Product, Product's link model, Review

    gc.collect()
    alive = [ref() for ref in old if ref() is not None]
    if alive:
        names = sorted({m.__name__ for m in alive})
        report = _holder(alive[0], ignore=(alive, old))
        del alive
        pytest.fail(f"{len(old)} replaced classes, still alive: {names}; one is held by:\n{report}")


def test_a_removed_type_leaves_no_class_behind():
    make_types()
    Review = api.get_model("Review")
    ref = weakref.ref(Review)
    del Review
    api.delete_type("Review")
    api.empty_trash("Review", confirm=True)
    assert "review" not in apps.all_models["dynamo"]
    with pytest.raises(LookupError):
        api.get_model("Review")
    gc.collect()
    assert ref() is None, _holder(ref())


# -- Django's commands ---------------------------------------------------------


def test_makemigrations_check_stays_clean_with_types_defined():
    make_types()
    api.add_field("Product", "sku", "char", unique=True, indexed=True)
    assert apps.get_model("dynamo", "Product") is api.get_model("Product")
    # SystemExit(1) if Django wanted a migration for any app (generated models included).
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_remove_stale_contenttypes_keeps_dynamic_types_also_in_the_trash():
    make_types()
    api.create_type("Old", [{"name": "note", "kind": "text"}])
    api.delete_type("Old")  # in the trash: restorable, its content type must stay
    assert MetaModel.objects.get(name="Old").trashed_at is not None
    stale = ContentType.objects.create(app_label="dynamo", model="ghost")
    expected = {"tag", "product", "review", "old"}
    assert set(ContentType.objects.filter(app_label="dynamo").values_list("model", flat=True)) == (
        expected | {"ghost"}
    )
    permissions = Permission.objects.filter(content_type__app_label="dynamo").count()
    assert permissions == 16

    _forget_classes()  # as in a fresh process running the command
    call_command("remove_stale_contenttypes", "--noinput", verbosity=0)

    remaining = set(ContentType.objects.filter(app_label="dynamo").values_list("model", flat=True))
    assert remaining == expected  # the real stale row went, proving the command ran
    assert not ContentType.objects.filter(pk=stale.pk).exists()
    assert Permission.objects.filter(content_type__app_label="dynamo").count() == permissions
    assert ContentType.objects.get(app_label="dynamo", model="old").model_class() is not None
    # The trashed type can come back with its content type row untouched.
    old_ct = ContentType.objects.get(app_label="dynamo", model="old").pk
    api.restore_type("Old")
    assert ContentType.objects.get_for_model(api.get_model("Old")).pk == old_ct


# -- a fresh process -----------------------------------------------------------


def _database_url() -> str:
    """The test database as a DATABASE_URL another process can open."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        name = s["NAME"]
        assert name and name != ":memory:" and Path(name).is_file()
        return f"sqlite:///{name}"
    scheme = {"postgresql": "postgres", "mysql": "mysql"}[connection.vendor]
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s["HOST"] or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"{scheme}://{auth}@{host}{port}/{s['NAME']}"


CHILD = """
import json
import django

django.setup()
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

def describe(model):
    return {
        "fields": [f.name for f in model._meta.get_fields() if not f.auto_created],
        "table": model._meta.db_table,
        "owner_target": model._meta.get_field("owner").related_model._meta.label,
        "tags_target": model._meta.get_field("tags").related_model.__name__,
        "titles": sorted(model.objects.values_list("title", flat=True)),
        "tags_of_lamp": sorted(
            model.objects.get(title="Lamp").tags.values_list("label", flat=True)
        ),
    }

first = FIRST
if first == "apps":
    by_apps = apps.get_model("dynamo", "Product")
    by_ct = ContentType.objects.get(app_label="dynamo", model="product").model_class()
else:
    by_ct = ContentType.objects.get(app_label="dynamo", model="product").model_class()
    by_apps = apps.get_model("dynamo", "Product")
print(json.dumps({"same": by_apps is by_ct, "apps": describe(by_apps), "ct": describe(by_ct)}))
"""


@pytest.mark.parametrize("first", ["apps", "ct"])
def test_a_fresh_process_loads_the_types_from_the_database(first):
    make_types()
    Product, Tag = api.get_model("Product"), api.get_model("Tag")
    owner = get_user_model().objects.create_user("owner")
    lamp = Product.objects.create(title="Lamp", price="9.99", owner=owner)
    Product.objects.create(title="Desk")
    lamp.tags.set([Tag.objects.create(label="red"), Tag.objects.create(label="blue")])
    api.rename_field("Product", "price", "cost")  # a changed type, not only a created one

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
    }
    result = subprocess.run(
        [sys.executable, "-c", CHILD.replace("FIRST", repr(first))],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(result.stdout.strip().splitlines()[-1])
    expected = {
        "fields": ["id", "title", "cost", "owner", "tags"],
        "table": Product._meta.db_table,
        "owner_target": "auth.User",
        "tags_target": "Tag",
        "titles": ["Desk", "Lamp"],
        "tags_of_lamp": ["blue", "red"],
    }
    assert data == {"same": True, "apps": expected, "ct": expected}


def _reverse_relations() -> dict[str, set[tuple[str, str]]]:
    """Every installed model's reverse relations, by label: (source model, field)."""
    return {
        model._meta.label: {
            (rel.related_model._meta.label, rel.field.name)
            for rel in model._meta.get_fields(include_hidden=True)
            if rel.auto_created and not rel.concrete
        }
        for model in apps.get_models(include_auto_created=True)
    }


def test_changes_keep_every_models_reverse_relations_as_django_computes_them():
    """The registry updates the relation graph of the models a change touches only;
    what every model then reports must be what Django works out from scratch."""
    make_types()
    api.create_type(
        "Shelf",
        [
            {"name": "name", "kind": "char"},
            {"name": "items", "kind": "group"},
        ],
    )
    api.add_field("ShelfItems", "note", "char")
    api.add_field("ShelfItems", "tag", "foreign_key", related_model="Tag")
    get_user_model()._meta.get_fields()  # a static target whose tree was computed before
    steps = [
        lambda: api.add_field("Review", "author", "foreign_key", related_model="auth.User"),
        lambda: api.rename_type("Product", "Article"),
        lambda: api.add_field("Tag", "parent", "foreign_key", related_model="Tag"),
        lambda: api.add_field("Shelf", "products", "many_to_many", related_model="Article"),
        lambda: api.remove_field("Review", "product", confirm=True),
        lambda: api.empty_trash("Review", confirm=True),
        lambda: api.delete_type("Review"),
        lambda: api.empty_trash("Review", confirm=True),
        lambda: api.rename_type("Tag", "Topic"),
        lambda: api.remove_field("Shelf", "items", confirm=True),
        lambda: api.empty_trash("Shelf", confirm=True),
    ]
    for step in steps:
        step()
        seen = _reverse_relations()
        apps.clear_cache()
        assert seen == _reverse_relations(), step
    user = get_user_model()._meta.label
    assert ("dynamo.Article", "owner") in _reverse_relations()[user]
