"""Feed one corpus case through one channel and judge the answer.

Channels: ``api`` (dynamo_wagtail.api), ``orm`` (MetaModel/MetaField ``.save()``, one
row at a time as django-dynamo did) and ``admin`` (the builder form posted by a
logged-in superuser). A refusal must be a :class:`DefinitionError` naming the option,
with the database exactly as before the refused save; an acceptance must work end to
end (:mod:`tests.hostile.exercise`). After every case the process must keep working.
"""

from __future__ import annotations

import re
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test import Client
from wagtail.models import Collection, Locale, Page, Site

from dynamo_wagtail import api, pipeline
from dynamo_wagtail.conf import settings as dynamo_settings
from dynamo_wagtail.definitions import DefinitionError
from dynamo_wagtail.models import MetaField, MetaModel, SchemaState
from tests.admin_utils import add_url, current_fields, edit_url, field, type_form
from tests.hostile import exercise
from tests.hostile.cases import ADMIN_BOOL_OPTIONS, ADMIN_TEXT_OPTIONS, admin_expect
from tests.hostile.summary import Outcome

NAMESPACE = uuid.UUID("5b0b6a52-6d1c-4b8e-9a57-0f6e4d2b9c10")
PROBE = "ProbeAfterCase"


class Refused(Exception):
    """A channel's answer was a refusal: ``paths`` are the options it names."""

    def __init__(self, paths: set[str], text: str) -> None:
        self.paths = paths
        self.text = text
        super().__init__(text)


class Crashed(Exception):
    """A channel's answer was neither an acceptance nor a clear refusal."""

    def __init__(self, problem: str, detail: str) -> None:
        self.problem = problem
        self.detail = detail
        super().__init__(detail)


@dataclass
class Env:
    """What the cases share: a superuser, a logged-in client and the outcomes so far."""

    user: Any
    client: Client
    outcomes: list[Outcome] = dc_field(default_factory=list)

    @classmethod
    def start(cls) -> Env:
        User = get_user_model()
        user = User.objects.filter(username="corpus").first() or User.objects.create_superuser(
            "corpus", "corpus@example.com", "pw"
        )
        client = Client()
        client.force_login(user)
        locale = Locale.objects.get_or_create(language_code="en")[0]
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root", locale=locale)
        if Collection.get_first_root_node() is None:
            Collection.add_root(name="Root")
        Site.objects.get_or_create(
            hostname="localhost", defaults={"root_page": root, "is_default_site": True}
        )
        return cls(user=user, client=client)


# -- snapshots -------------------------------------------------------------------------------


def snapshot() -> dict[str, Any]:
    """Everything a refused change must leave as it was."""
    prefix = f"{dynamo_settings.DYNAMO_DEFAULT_APP}_"
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        generated = {}
        for table in tables:
            if table.startswith(prefix) and not table.startswith("dynamo_wagtail_"):
                columns = [
                    c.name for c in connection.introspection.get_table_description(cursor, table)
                ]
                constraints = sorted(connection.introspection.get_constraints(cursor, table))
                generated[table] = (columns, constraints)
    return {
        "tables": tables,
        "generated": generated,
        "types": list(MetaModel.objects.order_by("pk").values()),
        "fields": list(MetaField.objects.order_by("pk").values()),
        "state": list(SchemaState.objects.values_list("version", flat=True)),
        "content_types": list(
            ContentType.objects.filter(app_label=dynamo_settings.DYNAMO_DEFAULT_APP)
            .order_by("pk")
            .values_list("pk", "model")
        ),
        "permissions": Permission.objects.count(),
    }


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    found = []
    for key in before:
        if before[key] == after[key]:
            continue
        if key == "tables":
            new = sorted(set(after[key]) - set(before[key]))
            gone = sorted(set(before[key]) - set(after[key]))
            found.append(f"tables +{new} -{gone}")
        elif key == "generated":
            changed = sorted(
                t
                for t in set(before[key]) | set(after[key])
                if before[key].get(t) != after[key].get(t)
            )
            found.append(f"columns/indexes of {changed}")
        else:
            found.append(f"{key} rows changed")
    return found


# -- errors -----------------------------------------------------------------------------------


def _norm(option: str) -> str:
    option = option.removeprefix("options.")
    return "type" if option == "kind" else option


def definition_paths(exc: ValidationError, uids: dict[str, int]) -> set[str]:
    """The option paths a refusal names (``name``, ``fields.0.default``...)."""
    paths: set[str] = set()
    if isinstance(exc, DefinitionError):
        for option in exc.type_errors:
            paths.add(_norm(option))
        for uid, options in exc.field_errors.items():
            index = uids.get(str(uid))
            prefix = f"fields.{index}" if index is not None else f"field {exc.field_names.get(uid)}"
            for option in options:
                paths.add(f"{prefix}.{_norm(option)}")
    elif hasattr(exc, "error_dict"):
        paths.update(_norm(key) for key in exc.error_dict)
    return paths


def classify(exc: BaseException, uids: dict[str, int]) -> Exception:
    if isinstance(exc, ValidationError) and (
        isinstance(exc, DefinitionError) or hasattr(exc, "error_dict")
    ):
        return Refused(definition_paths(exc, uids), "; ".join(exc.messages)[:300])
    return Crashed("crash", _exception_text(exc))


def _exception_text(exc: BaseException) -> str:
    """The exception and the innermost engine frame it passed (else the innermost frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    engine = [f for f in frames if "/dynamo_wagtail/" in f.filename]
    frame = (engine or frames or [None])[-1]
    where = ""
    if frame is not None:
        path = frame.filename.replace("\\", "/")
        for marker in ("site-packages/", "/dynamo_wagtail/", "/tests/"):
            if marker in path:
                path = marker.strip("/") + "/" + path.split(marker, 1)[1]
                path = path.removeprefix("site-packages/")
                break
        where = f" (at {path}:{frame.lineno})"
    return f"{type(exc).__name__}: {str(exc)[:240]}{where}"


# -- setup ------------------------------------------------------------------------------------


def field_uids(case: dict[str, Any], channel: str) -> list[str]:
    return [
        str(uuid.uuid5(NAMESPACE, f"{case['id']}/{channel}/{i}"))
        for i in range(len(case.get("fields", ())))
    ]


def api_fields(fields: list[dict[str, Any]], uids: list[str] | None = None) -> list[dict]:
    result = []
    for index, spec in enumerate(fields):
        spec = dict(spec)
        if uids:
            spec["uid"] = uids[index]
        result.append(spec)
    return result


def run_setup(case: dict[str, Any]) -> None:
    for item in case.get("setup", ()):
        api.create_type(item["name"], api_fields(item.get("fields", [])), **item.get("options", {}))
        model = api.get_model(item["name"])
        for _ in range(item.get("entries", 0)):
            exercise.make_entry(model)
        if item.get("trashed"):
            api.delete_type(item["name"])


# -- the channels -----------------------------------------------------------------------------

FIELD_REFERENCES = (
    "listing_columns",
    "search_fields",
    "ordering",
    "title_field",
    "constraints",
)


def via_api(case: dict[str, Any], uids: list[str], step: Callable) -> None:
    action = case.get("action", "create")
    fields = api_fields(case.get("fields", []), uids)
    if action == "create":
        step(lambda: api.create_type(case["name"], fields, **case.get("options", {})))
    elif action == "add_field":
        for spec in fields:
            spec = dict(spec)
            name, kind = spec.pop("name"), spec.pop("kind")
            step(partial(api.add_field, case["type"], name, kind, confirm=True, **spec))
    else:
        step(lambda: api.alter_type(case["type"], confirm=True, **case.get("options", {})))


def _meta_field(meta_model: MetaModel, spec: dict[str, Any], uid: str, order: int) -> MetaField:
    attrs = {k: v for k, v in spec.items() if k not in ("name", "kind")}
    attrs.setdefault("order", order)
    return MetaField(
        meta_model=meta_model, uid=uid, name=spec.get("name"), type=spec.get("kind"), **attrs
    )


def via_orm(case: dict[str, Any], uids: list[str], step: Callable) -> None:
    action = case.get("action", "create")
    options = dict(case.get("options", {}))
    fields = case.get("fields", [])
    if action == "create":
        later = {k: options.pop(k) for k in FIELD_REFERENCES if k in options}
        meta_model = MetaModel(name=case["name"], **options)
        step(meta_model.save)
        for index, spec in enumerate(fields):
            step(_meta_field(meta_model, spec, uids[index], index).save)
        if later:
            for key, value in later.items():
                setattr(meta_model, key, value)
            step(meta_model.save)
    elif action == "add_field":
        meta_model = MetaModel.objects.get(name=case["type"])
        last = meta_model.fields.aggregate(models.Max("order"))["order__max"] or 0
        for index, spec in enumerate(fields):
            step(_meta_field(meta_model, spec, uids[index], last + 1 + index).save)
    else:
        meta_model = MetaModel.objects.get(name=case["type"])
        for key, value in options.items():
            setattr(meta_model, key, value)
        step(meta_model.save)


def _form_options(meta_model: MetaModel | None, changes: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if meta_model is not None:
        values["name"] = meta_model.name
        values["app"] = meta_model.app
        for key in (*ADMIN_TEXT_OPTIONS, *ADMIN_BOOL_OPTIONS):
            values[key] = getattr(meta_model, key)
        for key in ("listing_columns", "search_fields", "ordering"):
            values[key] = getattr(meta_model, key)
    values.update(changes)
    for key in ("listing_columns", "search_fields", "ordering"):
        if key in values:
            values[key] = ", ".join(values[key])
    return values


def _block(spec: dict[str, Any], uid: str) -> tuple:
    from wagtail import blocks

    from dynamo_wagtail.admin.builder import COMMON_ATTRS, builder_block

    attrs: dict[str, Any] = {}
    children = builder_block().child_blocks[spec["kind"]].child_blocks
    for name, child in children.items():
        # What the builder's inputs hold before the editor types anything.
        default = child.get_default()
        typed = isinstance(child, (blocks.IntegerBlock, blocks.ChoiceBlock))
        if name not in COMMON_ATTRS and typed and default not in (None, ""):
            attrs[name] = str(default)
    attrs.update({k: v for k, v in spec.items() if k not in ("name", "kind", "options")})
    for key, value in (spec.get("options") or {}).items():
        attrs[key] = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if isinstance(attrs.get("related_model"), str) and "." in attrs["related_model"]:
        attrs["related_model"] = attrs["related_model"].lower()
    return field(spec["kind"], spec["name"], block_id=uid, **attrs)


def via_admin(case: dict[str, Any], uids: list[str], env: Env) -> dict[int, int]:
    """Post the builder; returns stream index -> case field index."""
    action = case.get("action", "create")
    blocks = [_block(spec, uids[i]) for i, spec in enumerate(case.get("fields", []))]
    if action == "create":
        url = add_url()
        data = type_form(
            blocks, **_form_options(None, {"name": case["name"], **case.get("options", {})})
        )
        offset = 0
    else:
        meta_model = MetaModel.objects.get(name=case["type"])
        existing = current_fields(meta_model)
        offset = len(existing)
        changes = case.get("options", {}) if action == "alter_type" else {}
        data = type_form(
            existing + blocks,
            expected_version=meta_model.schema_version,
            **_form_options(meta_model, changes),
        )
        url = edit_url(meta_model)
    data = _multiple_values(data)
    data["dynamo_confirm"] = "1"
    try:
        response = env.client.post(url, data)
    except Exception as exc:  # the test client re-raises what the view raised: a 500
        raise Crashed("http_500", _exception_text(exc)) from exc
    if response.status_code == 302:
        if "login" in response.url:
            raise Crashed("crash", f"redirected to {response.url}: the editor is logged out")
        return {}
    if response.status_code >= 500:
        raise Crashed("http_500", f"status {response.status_code}")
    if response.status_code != 200 or "form" not in (response.context or {}):
        raise Crashed("crash", f"status {response.status_code} without a form")
    form = response.context["form"]
    if not form.errors:
        raise Crashed("crash", "status 200, no errors on the form (review page?)")
    index = {offset + i: i for i in range(len(blocks))}
    raise Refused(admin_paths(form, index, case), "; ".join(_form_messages(form))[:300])


def _multiple_values(data: dict[str, Any]) -> dict[str, Any]:
    """nested_form_data spreads a list over numbered keys; a multiple choice input sends
    one key with several values."""
    from wagtail import blocks

    from dynamo_wagtail.admin.builder import builder_block

    multiple = {
        name
        for kind in builder_block().child_blocks.values()
        for name, child in kind.child_blocks.items()
        if isinstance(child, blocks.MultipleChoiceBlock)
    }
    result: dict[str, Any] = {}
    for key, value in data.items():
        match = re.match(r"^(field_definitions-\d+-value-(\w+?))-\d+$", key)
        if match and match.group(2) in multiple:
            result.setdefault(match.group(1), []).append(value)
        else:
            result[key] = value
    return result


def _form_messages(form: Any) -> list[str]:
    return [str(m) for errors in form.errors.as_data().values() for e in errors for m in e.messages]


def admin_paths(form: Any, index: dict[int, int], case: dict[str, Any]) -> set[str]:
    wanted = {p.rsplit(".", 1)[-1] for p in _expected(case)}
    paths: set[str] = set()
    for key, errors in form.errors.as_data().items():
        if key == "field_definitions":
            for error in errors:
                for position, block_error in getattr(error, "block_errors", {}).items():
                    prefix = f"fields.{index.get(position, f'existing {position}')}"
                    for option in getattr(block_error, "block_errors", {}):
                        paths.add(f"{prefix}.{_norm(option)}")
                    for message in getattr(block_error, "non_block_errors", []):
                        paths.update(f"{prefix}.{w}" for w in wanted if w in str(message))
        elif key == "__all__":
            for error in errors:
                for message in error.messages:
                    for i, spec in enumerate(case.get("fields", ())):
                        for w in wanted:
                            if f"{spec.get('name')} ({w})" in message:
                                paths.add(f"fields.{i}.{w}")
        else:
            paths.add(key)
    return paths


def _expected(case: dict[str, Any]) -> list[str]:
    from tests.hostile.cases import expected_options

    return expected_options(case)


# -- one run ----------------------------------------------------------------------------------


def run(case: dict[str, Any], channel: str, env: Env) -> Outcome:
    expect = admin_expect(case) if channel == "admin" else case["expect"]
    outcome = Outcome(case["id"], case["category"], channel, expect)
    try:
        run_setup(case)
    except Exception as exc:
        outcome.fail("setup_failed", _exception_text(exc))
        return outcome
    uids = field_uids(case, channel)
    by_uid = {uid: i for i, uid in enumerate(uids)}
    answer: Exception | None = None
    before = snapshot()

    def step(save: Callable[[], Any]) -> None:
        nonlocal before
        before = snapshot()
        try:
            try:
                save()
            except pipeline.ConfirmationRequired:
                if channel != "orm":
                    raise
                # A destructive ORM save: nothing is written; the documented way on is to
                # save again inside pipeline.change(confirm=True).
                found = differences(before, snapshot())
                if found:
                    raise Crashed(
                        "leftover", "needs confirmation, yet " + ", ".join(found)
                    ) from None
                with pipeline.change(confirm=True):
                    save()
        except (Refused, Crashed):
            raise
        except Exception as exc:
            raise classify(exc, by_uid) from exc

    try:
        if channel == "api":
            via_api(case, uids, step)
        elif channel == "orm":
            via_orm(case, uids, step)
        else:
            via_admin(case, uids, env)
    except (Refused, Crashed) as exc:
        answer = exc
    except Exception as exc:
        answer = Crashed("crash", _exception_text(exc))

    if isinstance(answer, Crashed):
        outcome.result = "error"
        outcome.fail(answer.problem, answer.detail)
        _check_nothing_written(outcome, before)
    elif isinstance(answer, Refused):
        outcome.result = "error"
        judge_refusal(outcome, case, answer)
        _check_nothing_written(outcome, before)
    else:
        outcome.result = "valid"
        if expect == "error":
            outcome.fail("wrongly_accepted", f"accepted; expected an error on {_expected(case)}")
        else:
            problems = exercise.end_to_end(_type_name(case, channel), case, env)
            if problems:
                outcome.fail("accepted_broken", "; ".join(problems))
    health = process_health(env, probe=outcome.result != "valid")
    if health:
        outcome.fail("crash", f"process no longer works after the case: {health}")
    return outcome


def _type_name(case: dict[str, Any], channel: str) -> str:
    """The name the accepted type has (the builder trims what is typed)."""
    if case.get("action", "create") == "create":
        name = case["name"]
    else:
        name = (case.get("options") or {}).get("name") or case["type"]
    if not isinstance(name, str):
        return str(name)
    return name.strip() if channel == "admin" else name


def judge_refusal(outcome: Outcome, case: dict[str, Any], answer: Refused) -> None:
    if outcome.expect == "valid":
        outcome.fail("refused_valid", f"refused: {sorted(answer.paths)}: {answer.text}")
        return
    wanted = _expected(case)
    if not any(w in answer.paths for w in wanted):
        outcome.fail(
            "wrong_option", f"named {sorted(answer.paths)}, expected {wanted}: {answer.text}"
        )


def _check_nothing_written(outcome: Outcome, before: dict[str, Any]) -> None:
    try:
        found = differences(before, snapshot())
    except Exception as exc:
        outcome.fail("crash", f"database unusable after the refusal: {_exception_text(exc)}")
        return
    if found:
        outcome.fail("leftover", ", ".join(found))


def process_health(env: Env, probe: bool = True) -> str:
    """Queries (users load: the admin can log in) and, after a refusal, a fresh change."""
    try:
        MetaModel.objects.count()
        list(get_user_model().objects.all())
        list(Page.objects.all()[:2])
        if not probe:
            return ""
        api.create_type(PROBE, [{"name": "value", "kind": "char"}])
        probe = api.get_model(PROBE)
        probe.objects.create(value="ok")
        if list(probe.objects.values_list("value", flat=True)) != ["ok"]:
            return "probe entry not read back"
    except Exception as exc:
        return _exception_text(exc)
    return ""


def reset_database() -> None:
    """Back to a database without generated types, whatever the case left behind."""
    from tests.conftest import drop_generated_tables

    repair_connection()
    try:
        drop_generated_tables()
    except Exception:
        repair_connection()
        _drop_by_hand()
    for model in _created_models():
        model._default_manager.all().delete()
    # Content types of dropped types (the cleanup drops tables, not through the pipeline).
    ContentType.objects.filter(app_label=dynamo_settings.DYNAMO_DEFAULT_APP).delete()
    ContentType.objects.clear_cache()
    User = get_user_model()
    User.objects.exclude(username="corpus").delete()


def _created_models() -> list[type[models.Model]]:
    from django.contrib.auth.models import Group
    from wagtail.documents.models import Document
    from wagtail.images.models import Image
    from wagtail.models import ModelLogEntry, Revision, WorkflowState

    return [WorkflowState, Revision, ModelLogEntry, Image, Document, Group]


def repair_connection() -> None:
    """A failed change may leave the connection in a broken transaction: start afresh."""
    if connection.in_atomic_block or connection.needs_rollback:
        connection.needs_rollback = False
        connection.in_atomic_block = False
        connection.savepoint_ids = []
        connection.atomic_blocks = []
        connection.close()
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        connection.close()


def _drop_by_hand() -> None:
    from dynamo_wagtail import sync
    from dynamo_wagtail.registry import registry

    prefix = f"{dynamo_settings.DYNAMO_DEFAULT_APP}_"
    with connection.cursor() as cursor:
        tables = [
            t
            for t in connection.introspection.table_names(cursor)
            if t.startswith(prefix) and not t.startswith("dynamo_wagtail_")
        ]
    with connection.constraint_checks_disabled(), connection.cursor() as cursor:
        for table in tables:
            suffix = " CASCADE" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}{suffix}")
        for model in (MetaField, MetaModel):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    with registry.lock:
        registry.sync([])
        registry.version = None
    sync.forget_tables()
