"""Definition rows → :class:`~dynamo_wagtail.spec.ModelSpec`, with every check.

Whatever a person typed is validated here, before any plan exists: names, kinds,
options, defaults, choices and relation targets. Problems come back as one
:class:`DefinitionError` naming the field and option of each message.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models

from . import constraints
from .conf import settings
from .contenttypes import permission_specs
from .errors import DefinitionError
from .kinds import get_kind
from .kinds import group as group_items
from .kinds.registry import offered_kinds
from .kinds.values import json_problem, text_problem
from .references import check_references, follow_conditions, follow_fields, follower
from .runtime.apps import RuntimeConfig
from .spec import (
    ACTIVE,
    FIELD_OPTION_KEYS,
    TRASHED,
    TYPE_OPTION_KEYS,
    FieldSpec,
    ModelSpec,
    freeze_options,
)
from .validation import icon_errors, name_errors, reverse_name_errors

if TYPE_CHECKING:
    from .models import MetaField, MetaModel


#: Attributes of definition rows the engine sets itself (never typed by anyone).
INTERNAL_ATTRS = frozenset({"table", "column", "former_names", "applied_spec", "schema_version"})


def _choices_text(value: Any) -> str:
    """Choices given as a list (["red", "blue"] or [["r", "Red"], ...]) as stored text."""
    lines = []
    for item in value:
        if isinstance(item, str):
            item = (item, "")
        if (
            not isinstance(item, (list, tuple))
            or not 1 <= len(item) <= 2
            or not all(isinstance(part, str) for part in item)
        ):
            raise ValidationError("Give choices as text or as a list of values or (value, label).")
        value_part, label = (*item, "")[:2]
        if "|" in value_part or "\n" in value_part or "\n" in label:
            raise ValidationError(f"The choice {value_part!r} cannot contain | or a line break.")
        # value|label keeps one choice a line (commas in values stay).
        lines.append(f"{value_part}|{label or value_part}")
    return "\n".join(lines)


def parse_attribute(row: models.Model, field: models.Field, value: Any) -> Any:
    """One attribute of a definition row as the Python value its column holds.

    ValidationError (or ValueError/TypeError) when it cannot be: nothing is coerced
    by ``str()`` and no NUL character reaches a backend.
    """
    name = field.name
    if isinstance(field, (models.CharField, models.TextField)):
        if value is None:
            if not field.blank:
                raise ValidationError("Enter a value.")
            value = ""
        if name == "choices" and isinstance(value, (list, tuple)):
            value = _choices_text(value)
        if not isinstance(value, str):
            raise ValidationError(f"Must be text, not {type(value).__name__}.")
        problem = text_problem(value)
        if problem:
            raise ValidationError(problem)
    elif isinstance(field, models.BooleanField):
        if isinstance(value, str) and value.lower() in ("true", "false"):
            value = value.lower() == "true"
        value = field.to_python(value)
    elif isinstance(field, models.IntegerField):
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValidationError("Must be a whole number.")
        value = field.to_python(value)
        if value is None and not field.null:
            raise ValidationError("Must be a whole number.")
    elif isinstance(field, models.JSONField):
        if value is None and not field.null:
            value = field.get_default()
        problem = json_problem(value)
        if problem:
            raise ValidationError(problem)
    elif isinstance(field, models.UUIDField):
        value = field.to_python(value)
    else:
        return value
    if value not in field.empty_values or isinstance(field, models.BooleanField):
        field.run_validators(value)
    return value


def parse_row(row: models.Model) -> dict[str, list[str]]:
    """Parse every attribute a person sets on ``row`` in place; messages by attribute.

    The same rules run for ORM saves, the API, the builder and imports, before
    anything is written (``MetaModel.save()`` / ``MetaField.save()`` call it).
    """
    errors: dict[str, list[str]] = {}
    for field in row._meta.concrete_fields:
        if field.primary_key or field.is_relation or field.name in INTERNAL_ATTRS:
            continue
        if not field.editable and field.name != "uid":
            continue
        raw = getattr(row, field.attname)
        if field.name == "options" and isinstance(raw, dict):
            # Kind options are told apart: a problem is named by its option.
            problems = {str(k): json_problem({k: v}) for k, v in raw.items()}
            if any(problems.values()):
                errors.update({k: [f"'{k}': {p}"] for k, p in problems.items() if p})
                continue
        try:
            value = parse_attribute(row, field, raw)
        except ValidationError as exc:
            errors[field.name] = [f"'{field.name}': {m}" for m in exc.messages]
        except (TypeError, ValueError, ArithmeticError) as exc:
            errors[field.name] = [f"'{field.name}': {exc}"]
        else:
            setattr(row, field.attname, value)
    return errors


def check_row(row: MetaModel | MetaField) -> None:
    """:func:`parse_row` for a MetaModel or MetaField; raises :class:`DefinitionError`."""
    errors = parse_row(row)
    if not errors:
        return
    if hasattr(row, "meta_model_id"):
        uid = str(row.uid)
        raise DefinitionError({}, {uid: errors}, {uid: str(row.name)})
    raise DefinitionError(errors, {}, {})


def parse_choices(text: str) -> tuple[tuple[str, str], ...]:
    """django-dynamo's comma list, or one choice a line as ``value`` or ``value|label``."""
    text = (text or "").strip()
    if not text:
        return ()
    items = text.splitlines() if "\n" in text or "|" in text else text.split(",")
    choices = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        value, _, label = item.partition("|")
        choices.append((value.strip(), label.strip() or value.strip()))
    return tuple(choices)


class TypeIndex:
    """The other defined types by lower-cased name → (uid, app), asked name by name.

    A definition names a few types (its own name, its links' targets): each is one
    lookup of the indexed ``name_key``, whatever the number of types.
    """

    def __init__(self, rows: type[MetaModel], exclude_uid: str | None) -> None:
        self.rows = rows
        self.exclude_uid = exclude_uid
        self._found: dict[str, tuple[str, str] | None] = {}

    def get(self, name: str) -> tuple[str, str] | None:
        key = name.lower()
        if key not in self._found:
            query = self.rows._default_manager.filter(name_key=key)
            self._found[key] = next(
                (
                    (str(uid), app)
                    for uid, app in query.values_list("uid", "app")
                    if str(uid) != self.exclude_uid
                ),
                None,
            )
        return self._found[key]

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None


def resolve_target(
    related_model: str, own: tuple[str, str], others: TypeIndex
) -> tuple[str, str | None]:
    """(target, error) for a relation's ``related_model`` text."""
    text = related_model.strip()
    if not text:
        return "", "Choose what this field links to."
    own_uid, own_name = own
    if text.lower() in (own_name.lower(), "self"):
        return f"type:{own_uid}", None
    name = text.split(".")[-1] if text.split(".")[0] == settings.DYNAMO_DEFAULT_APP else text
    if "." not in name:
        found = others.get(name.lower())
        if found is None:
            return "", f"There is no content type called '{text}'."
        return f"type:{found[0]}", None
    try:
        model = apps.get_model(text)
    except (LookupError, ValueError):
        return "", f"'{text}' is not an installed model (use app_label.Model)."
    allowed = settings.DYNAMO_RELATION_TARGETS
    label = model._meta.label_lower
    if allowed is not None and label not in {a.lower() for a in allowed}:
        return "", f"Links to {model._meta.label} are not allowed here."
    return label, None


def build_field_spec(
    field: MetaField, own: tuple[str, str], others: TypeIndex
) -> tuple[FieldSpec, dict[str, list[str]]]:
    errors: dict[str, list[str]] = parse_row(field)
    if errors:
        return _unparsed_field(field), errors
    for message in name_errors(field.name):
        errors.setdefault("name", []).append(message)
    try:
        kind = get_kind(field.type)
    except LookupError:
        kind = None
        errors.setdefault("type", []).append(f"Unknown field kind '{field.type}'.")
    if kind is not None and kind not in offered_kinds():
        errors.setdefault("type", []).append(f"The kind '{field.type}' is not available.")
    target = ""
    if kind is not None and kind.is_relation:
        fixed = kind.target_string()  # type: ignore[attr-defined]
        if fixed:
            target = fixed.lower()
        else:
            target, error = resolve_target(field.related_model, own, others)
            if error:
                errors.setdefault("related_model", []).append(error)
            elif hasattr(kind, "check_target") and not target.startswith("type:"):
                kind.check_target(apps.get_model(target), errors)
    elif field.related_model:
        errors.setdefault("related_model", []).append("Only relation kinds link to a model.")
    options: dict[str, Any] = {}
    if kind is not None:
        options = {
            **{k: v for k, v in kind.option_defaults.items() if v is not None},
            **kind.parse_options(field.options, errors),
        }
    try:
        choices = parse_choices(field.choices)
    except ValueError as exc:  # pragma: no cover - parse_choices does not raise today
        choices = ()
        errors.setdefault("choices", []).append(str(exc))
    integer = kind is not None and kind.in_group("integer")
    if integer and choices and not all(v.lstrip("-").isdigit() for v, _ in choices):
        # django-dynamo: labels alone on an integer field are numbered from 0.
        choices = tuple((str(i), label) for i, (_v, label) in enumerate(choices))
    values = [v for v, _ in choices]
    if len(set(values)) != len(values):
        errors.setdefault("choices", []).append("Each choice value must be different.")
    if any(not v for v in values):
        errors.setdefault("choices", []).append("A choice value cannot be empty.")
    spec = FieldSpec(
        uid=str(field.uid),
        name=field.name,
        kind=kind.name if kind else field.type,
        column=field.column or f"f_{uuid.UUID(str(field.uid)).hex[:12]}",
        verbose_name=field.verbose_name,
        help_text=field.help,
        description=field.description,
        required=field.required,
        unique=field.unique,
        indexed=field.indexed,
        unique_together=field.unique_together,
        default=field.default,
        choices=choices,
        target=target,
        options=freeze_options(options),
        order=field.order,
        state=TRASHED if field.trashed_at else ACTIVE,
        former_names=tuple(field.former_names or ()),
    )
    if kind is not None and not errors:
        kind.validate(spec, errors)
        for option in kind.reverse_name_options:
            if spec.option(option):
                for message in reverse_name_errors(spec.option(option)):
                    errors.setdefault(option, []).append(message)
    return spec, errors


def _unparsed_field(field: MetaField) -> FieldSpec:
    """A placeholder spec for a row whose attributes did not parse (errors go back)."""
    return FieldSpec(uid=str(field.uid), name=str(field.name), kind=str(field.type), column="")


def build_spec(meta_model: MetaModel, fields: Iterable[MetaField] | None = None) -> ModelSpec:
    """The desired spec of ``meta_model``; raises :class:`DefinitionError`."""
    if fields is None:
        fields = list(meta_model.fields.all()) if meta_model.pk else []
    uid = str(meta_model.uid)
    others = TypeIndex(type(meta_model), uid)
    type_errors: dict[str, list[str]] = parse_row(meta_model)
    if type_errors:
        raise DefinitionError(type_errors, {}, {})
    for message in name_errors(meta_model.name, type_name=True):
        type_errors.setdefault("name", []).append(message)
    if meta_model.name.lower() in others:
        type_errors.setdefault("name", []).append(
            f"A content type called '{meta_model.name}' already exists."
        )
    app_errors = _app_errors(meta_model.app)
    if app_errors:
        type_errors["app"] = app_errors
    field_specs: list[FieldSpec] = []
    field_errors: dict[str, dict[str, list[str]]] = {}
    seen: dict[str, str] = {}
    own = (uid, meta_model.name)
    for field in sorted(fields, key=lambda f: (f.order, f.pk or 0)):
        field_spec, errors = build_field_spec(field, own, others)
        if field_spec.is_active:
            folded = field_spec.name.lower()
            if folded in seen:
                errors.setdefault("name", []).append(
                    f"Another field is already called '{seen[folded]}'."
                )
            seen[folded] = field_spec.name
        if errors:
            field_errors[field_spec.uid] = errors
        field_specs.append(field_spec)
    field_specs, condition_errors = follow_conditions(field_specs)
    for uid, errors in condition_errors.items():
        field_errors.setdefault(uid, {}).update(errors)
    references = follow_fields({k: getattr(meta_model, k) for k in FIELD_OPTION_KEYS}, field_specs)
    _check_type_options(meta_model, references, field_specs, type_errors, field_errors)
    rules = _rules(meta_model.constraints, field_specs, type_errors, field_errors)
    parent = _parent(meta_model, type_errors)
    group_items.check(meta_model, parent, field_specs, type_errors, field_errors)
    if type_errors or field_errors:
        raise DefinitionError(type_errors, field_errors, {f.uid: f.name for f in field_specs})
    spec = ModelSpec(
        uid=uid,
        name=meta_model.name,
        app_label=meta_model.app,
        table=meta_model.table or f"{meta_model.app}_{uuid.UUID(str(meta_model.uid)).hex[:16]}",
        verbose_name=meta_model.verbose_name,
        verbose_name_plural=meta_model.verbose_name_plural,
        description=meta_model.description,
        admin=meta_model.admin,
        options=freeze_options(
            {
                **{k: getattr(meta_model, k) for k in TYPE_OPTION_KEYS},
                **references,
                constraints.OPTION: constraints.resolve(rules, field_specs),
                group_items.PARENT: parent,
            }
        ),
        fields=tuple(field_specs),
        state=TRASHED if meta_model.trashed_at else ACTIVE,
    )
    _check_permission_names(spec)
    return spec


def _parent(meta_model: MetaModel, errors: dict[str, list[str]]) -> dict[str, str] | None:
    """What an item type belongs to: the type and the group field (None: not an item type)."""
    if not meta_model.group_field:
        return None
    rows = apps.get_model("dynamo_wagtail", "MetaField").objects
    using = meta_model._state.db or "default"
    field = (
        rows.using(using).filter(uid=meta_model.group_field).select_related("meta_model").first()
    )
    if field is None:
        errors.setdefault("name", []).append("The group field these items belong to is gone.")
        return None
    return {"type": str(field.meta_model.uid), "field": str(field.uid), "name": field.name}


def _rules(
    raw: Any,
    fields: list[FieldSpec],
    errors: dict[str, list[str]],
    field_errors: dict[str, dict[str, list[str]]],
) -> list[dict[str, Any]]:
    """The rules across fields, naming fields as they are called now (a rule on a field in
    the trash is dropped); problems go on the option and on the fields concerned."""
    try:
        rules = constraints.follow(constraints.parse(raw), follower(fields))
    except constraints.ConstraintError as exc:
        errors.setdefault(constraints.OPTION, []).append(str(exc))
        return []
    on_option, on_fields = constraints.problems(rules, fields)
    if on_option:
        errors.setdefault(constraints.OPTION, []).extend(on_option)
    for uid, messages in on_fields.items():
        field_errors.setdefault(uid, {}).setdefault(constraints.OPTION, []).extend(messages)
    return rules


def _check_permission_names(spec: ModelSpec) -> None:
    """The label must fit the names of the type's permissions ("Can publish <label>")."""
    limit = Permission._meta.get_field("name").max_length
    assert limit is not None  # auth's Permission.name is a CharField(max_length=255)
    longest = max(len(name) for _codename, name in permission_specs(spec))
    if longest > limit:
        room = limit - (longest - len(spec.verbose_name or spec.name))
        raise DefinitionError(
            {"verbose_name": [f"A label can have at most {room} characters with these features."]},
            {},
            {},
        )


def _app_errors(app: str) -> list[str]:
    config = apps.app_configs.get(app)
    if not isinstance(config, RuntimeConfig):
        return [f"'{app}' is not an installed dynamo_wagtail runtime app."]
    return []


def _check_type_options(
    meta_model: Any,
    references: dict[str, Any],
    fields: list[FieldSpec],
    errors: dict[str, list[str]],
    field_errors: dict[str, dict[str, list[str]]],
) -> None:
    on_options, on_fields = check_references(references, fields)
    for option, messages in on_options.items():
        errors.setdefault(option, []).extend(messages)
    for uid, options in on_fields.items():
        for option, messages in options.items():
            field_errors.setdefault(uid, {}).setdefault(option, []).extend(messages)
    for message in icon_errors(meta_model.icon):
        errors.setdefault("icon", []).append(message)
    if meta_model.workflows and not (meta_model.drafts and meta_model.revisions):
        errors.setdefault("workflows", []).append("Workflows need drafts and revisions on.")
    if meta_model.drafts and not meta_model.revisions:
        errors.setdefault("drafts", []).append("Drafts need revisions on.")
    if meta_model.locking and not meta_model.revisions:
        errors.setdefault("locking", []).append("Locking needs revisions on.")
