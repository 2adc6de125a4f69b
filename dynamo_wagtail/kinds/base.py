"""The base class of field kinds.

A kind knows its Django field and options, how to validate those options, how to
parse a default, and how values of other kinds convert into it. Adding a kind is a
subclass and a dotted path in ``DYNAMO_FIELD_TYPES``::

    class ColourKind(CharKind):
        name = "colour"
        label = "Colour"
        option_defaults = {"max_length": 7}
        extra_validators = [RegexValidator(r"^#[0-9a-f]{6}$")]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import date, time
from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models

from .. import conditions
from .. import fields as dynamo_fields
from ..conf import settings
from ..spec import FieldSpec
from . import editor_blocks
from . import rules as field_rules

#: The setting that lists each of django-dynamo's groups of kinds (None: by the kind's group).
GROUP_SETTINGS = {
    "standard": "STANDARD_FIELD_TYPES",
    "integer": "INTEGER_FIELD_TYPES",
    "string": "STRING_FIELD_TYPES",
    "relation": "RELATION_FIELD_TYPES",
}


#: A field with no options set: what a kind's rule values are parsed with.
_DEFAULT_SPEC = FieldSpec(uid="", name="", kind="", column="")


@lru_cache(maxsize=256)
def _value_field(kind: FieldKind, spec: FieldSpec) -> models.Field:
    return kind.build(spec)


Errors = dict[str, list[str]]


STANDARD = "standard"
INTEGER = "integer"
STRING = "string"
RELATION = "relation"

#: The groups of the builder's kind picker, in the order it shows them.
PICKER_GROUPS = {
    "text": "Text",
    "numbers": "Numbers",
    "dates": "Dates and times",
    "choices": "Choices",
    "media": "Media",
    "relations": "Relations",
    "structure": "Structure",
}


class FieldKind:
    #: Stable kind name stored in MetaField.type.
    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    #: django-dynamo's name of the same type (for the group settings).
    legacy_name: ClassVar[str] = ""
    django_field: ClassVar[type[models.Field]] = models.Field
    #: One of STANDARD, INTEGER, STRING, RELATION (the group settings override it).
    group: ClassVar[str] = STANDARD
    #: Kind-specific options and their defaults (stored in MetaField.options).
    option_defaults: ClassVar[dict[str, Any]] = {}
    #: Options whose change alters the column.
    physical_options: ClassVar[tuple[str, ...]] = ()
    #: Whether the builder offers "Required" (links and tags cannot be required in the
    #: database).
    supports_required: ClassVar[bool] = True
    supports_unique: ClassVar[bool] = True
    supports_index: ClassVar[bool] = True
    supports_default: ClassVar[bool] = True
    supports_choices: ClassVar[bool] = False
    #: Kinds whose values always convert into this one without loss.
    lossless_from: ClassVar[frozenset[str]] = frozenset()
    #: Validators added to the Django field.
    extra_validators: ClassVar[list[Callable[[Any], None]]] = []
    icon: ClassVar[str] = "form"
    #: The kind picker's group, a key of PICKER_GROUPS; empty: by ``group`` (see
    #: :meth:`picker_group_key`).
    picker_group: ClassVar[str] = ""
    #: One line shown under the label in the kind picker; not set on a kind: the first line
    #: of its own docstring, if it has one (see :meth:`picker_description`).
    description: ClassVar[str] = ""
    #: What its values are ("string", "number", "date", …; empty: a sort of its own). A field can
    #: change to a kind whose values are of the same sort (see :meth:`converts_from`).
    values: ClassVar[str] = ""
    #: Kinds (by name) and sorts of values (as ``values``) it also converts from, e.g.
    #: numbers parse plain text ("char", "text").
    accepts: ClassVar[frozenset[str]] = frozenset()
    #: Options whose value becomes an attribute of another class (a relation's way back):
    #: the definition checks them as reverse names.
    reverse_name_options: ClassVar[tuple[str, ...]] = ()
    #: Validation rules this kind takes (:mod:`dynamo_wagtail.kinds.rules`); each is an
    #: option too, with ``enforce`` beside them.
    rules: ClassVar[tuple[str, ...]] = ()
    #: Whether a range rule is also a database check (numbers).
    range_in_database: ClassVar[bool] = False
    #: One value a column can sort by and show in a cell (not a body of blocks, a list).
    single_value: ClassVar[bool] = True
    #: Searched by default when the type is indexed (text kinds are, by their group).
    searchable_text: ClassVar[bool] = False
    #: Whether a field can change to or from this kind (each value then converted).
    convertible: ClassVar[bool] = True
    #: Whether the field is a column (or a link table) of the type's table; a group's items
    #: are rows of a table of their own.
    has_column: ClassVar[bool] = True
    #: Whether the field has tables of its own (:meth:`companions`) instead of a column.
    owns_tables: ClassVar[bool] = False
    #: Whether the type's class must be a ``ClusterableModel`` (child rows in revisions).
    needs_cluster: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The rules' options join the kind's own; a subclass that takes fewer rules than
        # its base leaves the others out (an own option of that name has a default).
        super().__init_subclass__(**kwargs)
        own = {**field_rules.defaults(cls.rules), conditions.OPTION: None}
        kept = {
            k: v
            for k, v in cls.option_defaults.items()
            if k in own or k not in field_rules.RULE_KEYS or v is not None
        }
        cls.option_defaults = {**own, **kept}

    def __repr__(self) -> str:
        return f"<kind {self.name}>"

    # -- groups ---------------------------------------------------------------

    def in_group(self, group: str) -> bool:
        return in_group(self, group)

    @property
    def is_relation(self) -> bool:
        return self.in_group(RELATION)

    @property
    def is_string(self) -> bool:
        return self.in_group(STRING)

    # -- builder ---------------------------------------------------------------

    def picker_group_key(self) -> str:
        """The kind picker's group: ``picker_group``, else text for strings, numbers for
        integers, relations for relations and structure for the rest."""
        if self.picker_group in PICKER_GROUPS:
            return self.picker_group
        if self.is_relation:
            return "relations"
        if self.is_string:
            return "text"
        if self.in_group(INTEGER):
            return "numbers"
        return "structure"

    def picker_description(self) -> str:
        """The kind picker's line under the label: the class's own ``description``, else the
        first line of its own docstring, else the ``description`` it inherits."""
        own = type(self).__dict__
        if own.get("description"):
            return str(own["description"])
        doc = (own.get("__doc__") or "").strip()
        return doc.splitlines()[0] if doc else self.description

    def converts_from(self, source: FieldKind) -> bool:
        """Whether a field of kind ``source`` may change to this kind (the builder's
        "Change kind to" lists the kinds for which this is true).

        Never to or from a relation (its values are keys of another table, or links in one).
        Otherwise when this kind converts every value of ``source`` (``lossless_from``), when
        both hold the same sort of value (``values``: one text kind to another, one number
        kind to another, …) or when this kind converts that kind or sort (``accepts``: numbers
        and dates parse plain text, plain text takes numbers and dates). Each value is still checked
        when the change runs: the change is refused, with the entries that do not fit, if
        one does not convert (``schema.impact.check_conversion``).
        """
        if source.name == self.name or self.is_relation or source.is_relation:
            return False
        if not (self.convertible and source.convertible):
            return False
        return (
            source.name in self.lossless_from
            or bool(self.values and source.values == self.values)
            or source.name in self.accepts
            or bool(source.values and source.values in self.accepts)
        )

    def option_blocks(self) -> list[tuple[str, Any]]:
        """Builder blocks for this kind's own options (names as in ``option_defaults``)."""
        return []

    # -- options --------------------------------------------------------------

    def parse_option(self, key: str, value: Any) -> Any:
        """``value`` of option ``key`` as its Python type; ValueError naming what is wrong.

        The type is the type of the option's default (a whole number, yes/no, text, a
        list of names); kinds with options of other shapes override this.
        """
        if key in field_rules.RULE_KEYS and key in field_rules.defaults(self.rules):
            return field_rules.parse(key, value, self.rule_value)
        if key == conditions.OPTION:
            return conditions.parse(value)
        default = self.option_defaults[key]
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            raise ValueError(f"'{key}' must be true or false.")
        if isinstance(default, int):
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"'{key}' must be a whole number.")
            return value
        if isinstance(default, str):
            if not isinstance(value, str):
                raise ValueError(f"'{key}' must be text, not {type(value).__name__}.")
            return value.strip()
        if isinstance(default, (list, tuple)):
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"'{key}' must be a list of names.")
            return list(value)
        return value

    def parse_options(self, raw: Any, errors: Errors) -> dict[str, Any]:
        """The kind options of a definition row, each parsed; messages keyed by option.

        An option set to nothing (None or "") takes its default.
        """
        if not isinstance(raw, dict):
            errors.setdefault("options", []).append(
                f"Kind options must be a mapping of option to value, not {type(raw).__name__}."
            )
            return {}
        parsed: dict[str, Any] = {}
        for key, value in raw.items():
            if not isinstance(key, str) or key not in self.option_defaults:
                errors.setdefault(str(key), []).append(f"'{key}' is not an option of {self.label}.")
                continue
            if value is None or value == "":
                continue
            if key in field_rules.RULE_KEYS and field_rules.is_default(key, value):
                continue  # "all entries" is what no value means
            try:
                value = self.parse_option(key, value)
            except ValueError as exc:
                errors.setdefault(key, []).append(str(exc))
            else:
                if value is not None:  # an empty condition is none
                    parsed[key] = value
        return parsed

    def options(self, spec: FieldSpec) -> dict[str, Any]:
        return {k: spec.option(k, v) for k, v in self.option_defaults.items()}

    def validate(self, spec: FieldSpec, errors: Errors) -> None:
        """Add messages keyed by option name for anything this kind refuses."""
        unknown = {k for k, _ in spec.options} - set(self.option_defaults)
        for key in sorted(unknown):
            errors.setdefault(key, []).append(f"'{key}' is not an option of {self.label}.")
        for key, messages in field_rules.check(self.rule_values(spec), self.rule_value).items():
            errors.setdefault(key, []).extend(messages)
        if spec.choices and not self.is_relation:
            if self.single_value:
                self._check_choices(spec, errors)
            else:  # a body of blocks, a list of tags
                errors.setdefault("choices", []).append(f"{self.label} fields take no choices.")
        if spec.unique and not self.supports_unique:
            errors.setdefault("unique", []).append(f"{self.label} fields cannot be unique.")
        if spec.indexed and not self.supports_index:
            errors.setdefault("indexed", []).append(f"{self.label} fields cannot be indexed.")
        if spec.default:
            if not self.supports_default:
                errors.setdefault("default", []).append(f"{self.label} fields take no default.")
            else:
                try:
                    default = self.parse_default(spec)
                except ValidationError as exc:
                    errors.setdefault("default", []).extend(exc.messages)
                except (TypeError, ValueError, ArithmeticError) as exc:
                    errors.setdefault("default", []).append(str(exc))
                else:
                    self._check_default_in_choices(spec, default, errors)

    def _check_default_in_choices(self, spec: FieldSpec, default: Any, errors: Errors) -> None:
        if not spec.choices or "choices" in errors:
            return
        allowed = [value for value, _label in self.typed_choices(spec)]
        values = default if isinstance(default, list) else [default]
        bad = [str(v) for v in values if v not in allowed]
        if bad:
            errors.setdefault("default", []).append(
                f"The default {', '.join(bad)} is not one of the choices."
            )

    def _check_choices(self, spec: FieldSpec, errors: Errors) -> None:
        """Choices restrict values of any scalar kind; each value must be a valid value."""
        field = self.django_field(**self.kind_kwargs(spec))
        for value, _label in spec.choices:
            try:
                field.run_validators(self.check_value(field.to_python(value)))
            except (ValidationError, TypeError, ValueError, ArithmeticError):
                errors.setdefault("choices", []).append(
                    f"'{value}' is not a valid {self.label} value."
                )

    def check_value(self, value: Any) -> Any:
        """``value`` if every database can store it (kinds refuse NaN and the like)."""
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(f"{value} is not a number every database can store.")
        return value

    # -- the Django field -----------------------------------------------------

    def kind_kwargs(self, spec: FieldSpec) -> dict[str, Any]:
        """Django field arguments from the kind-specific options (rules aside)."""
        own = {**field_rules.defaults(self.rules), conditions.OPTION: None}
        return {k: v for k, v in self.options(spec).items() if v is not None and k not in own}

    # -- rules ----------------------------------------------------------------

    def rule_values(self, spec: FieldSpec) -> dict[str, Any]:
        """The field's rule options that are set."""
        return {k: spec.option(k) for k in self.rules if spec.option(k) is not None} | (
            {field_rules.ENFORCE: spec.option(field_rules.ENFORCE)}
            if spec.option(field_rules.ENFORCE)
            else {}
        )

    def rule_value(self, value: Any) -> Any:
        """A range rule's value as a value of this kind."""
        field = self.django_field(**self.kind_kwargs(_DEFAULT_SPEC))
        parsed = self.check_value(field.to_python(value))
        field.run_validators(parsed)  # a decimal's digits
        return parsed

    def rule_validators(self, spec: FieldSpec) -> list[Callable[[Any], None]]:
        return field_rules.build_validators(self.rule_values(spec), self.rule_value)

    def rule_blocks(self) -> list[tuple[str, Any]]:
        """Builder blocks for this kind's rules (after its own options)."""
        return editor_blocks.rule_blocks(self.rules)

    def null_when_optional(self) -> bool:
        # django-dynamo: optional strings are blank but not NULL.
        return not self.is_string

    def common_kwargs(self, spec: FieldSpec, *, physical: bool) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "db_column": spec.column,
            "verbose_name": spec.verbose_name or spec.name.replace("_", " "),
            "help_text": spec.help_text,
            # A field shown on a condition is required only while it holds (clean()).
            "blank": not spec.db_required,
            "null": not spec.db_required and self.null_when_optional(),
        }
        if spec.unique:
            kwargs["unique"] = True
        if spec.indexed:
            kwargs["db_index"] = True
        if spec.default and self.supports_default:
            kwargs["default"] = self.parse_default(spec)
        if spec.choices and "choices" not in kwargs:
            kwargs["choices"] = self.typed_choices(spec)
        if physical and not spec.is_active:
            # A field in the trash keeps its column, which must accept new rows.
            kwargs["null"] = True
        return kwargs

    def typed_choices(self, spec: FieldSpec) -> list[tuple[Any, str]]:
        field = self.django_field(**self.kind_kwargs(spec))
        return [(field.to_python(v), label or v) for v, label in spec.choices]

    def build(
        self, spec: FieldSpec, *, target: Any = None, physical: bool = False, table: str = ""
    ) -> models.Field:
        """The Django field for ``spec``.

        ``target`` is the related model (class or "app_label.Model") of a relation;
        ``physical`` asks for the field as the table has it (trashed fields too);
        ``table`` is the owning table, for kinds that name a table of their own.
        """
        kwargs = {**self.kind_kwargs(spec), **self.common_kwargs(spec, physical=physical)}
        if not kwargs.get("null"):
            # A database default, so processes still on the class from before this
            # column keep inserting while a change runs (they leave the column out).
            empty = "" if self.is_string and self.django_field.empty_strings_allowed else None
            default = kwargs.get("default", empty)
            if isinstance(default, (str, int, float, Decimal, date, time)):  # bool is int
                kwargs["db_default"] = default
        found = [*self.extra_validators, *self.rule_validators(spec)]
        if found:
            kwargs["validators"] = found
        if field_rules.needs_a_value(self.rule_values(spec)):
            kwargs["blank"] = False
        field_class: type[models.Field] = self.django_field
        if self.range_in_database:
            low, high = field_rules.database_range(self.rule_values(spec), self.rule_value)
            if low is not None or high is not None:
                field_class = dynamo_fields.range_checked(self.django_field)
                kwargs.update(db_min=low, db_max=high)
        return field_class(**kwargs)

    # -- values ---------------------------------------------------------------

    def value_field(self, spec: FieldSpec) -> models.Field:
        """A Django field for checking values of ``spec``, built once per spec.

        Conversions check every row: building the field per value was most of their cost.
        """
        return _value_field(self, spec)

    def parse_default(self, spec: FieldSpec) -> Any:
        field = self.django_field(**self.kind_kwargs(spec))
        value = self.check_value(field.to_python(spec.default))
        for validator in [*field.validators, *self.extra_validators]:
            validator(value)
        return value

    def convert(self, value: Any, new: FieldSpec) -> Any:
        """Value of another kind as a value of this kind; ValidationError if it can't be."""
        if value is None:
            return None
        field = self.value_field(new)
        converted = field.to_python(value if not isinstance(value, (dict, list)) else str(value))
        field.run_validators(converted)
        return converted

    def fits(self, value: Any, new: FieldSpec) -> bool:
        """Whether an existing value of this kind stays valid under ``new`` options."""
        if value is None:
            return True
        if new.option(field_rules.ENFORCE) == "new":
            # The rules hold for new and edited entries only: existing ones stay as they are.
            rule_keys = field_rules.RULE_KEYS
            new = replace(new, options=tuple(o for o in new.options if o[0] not in rule_keys))
        try:
            field = self.value_field(new)
            field.run_validators(field.to_python(value))
        except ValidationError:
            return False
        return True

    def companions(
        self, model_spec: Any, spec: FieldSpec, *, apps: Any, physical: bool
    ) -> list[type[models.Model]]:
        """The models of a kind that ``owns_tables``, in creation order; the field goes
        through the last one."""
        return []

    def model_names(self, spec: FieldSpec) -> list[str]:
        """Names of the :meth:`companions` that need a content type."""
        return []

    def refused_change(self, old: FieldSpec, new: FieldSpec) -> tuple[str, str] | None:
        """(option, message) if the field cannot change from ``old`` to ``new`` options."""
        return None

    def is_narrowing(self, old: FieldSpec, new: FieldSpec) -> bool:
        """Whether the new options accept fewer values than the old ones."""
        return False

    def loses(self, value: Any, old: FieldSpec, new: FieldSpec) -> bool:
        """Whether a value no longer shows whole under a narrowing change (it is kept)."""
        return False

    def loss_text(self, old: FieldSpec, new: FieldSpec) -> str:
        """What :meth:`loses` means, after "N entries" in the review of a change."""
        return "accepts fewer values than before"


def in_group(kind: FieldKind, group: str) -> bool:
    """Whether ``kind`` belongs to a django-dynamo group; the group setting wins."""
    names = getattr(settings, GROUP_SETTINGS[group])
    if names is None:
        if group == "standard":
            return kind.group != "relation"
        return kind.group == group
    return kind.name in names or (bool(kind.legacy_name) and kind.legacy_name in names)
