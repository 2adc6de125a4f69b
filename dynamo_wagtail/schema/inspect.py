"""Compare an applied spec with what the database really has (``dynamo_check``).

Checks tables, columns, NULL-ability, a coarse column type, unique and index
constraints, and link tables. Returns one readable line per difference.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.fields.related import RelatedField

from ..constraints import constraint_name, rules_of
from ..factory import owned_models
from ..spec import ModelSpec
from .applier import Context

#: Django field types grouped by how backends store them.
FAMILIES = {
    "AutoField": "int",
    "BigAutoField": "int",
    "SmallAutoField": "int",
    "IntegerField": "int",
    "BigIntegerField": "int",
    "SmallIntegerField": "int",
    "PositiveIntegerField": "int",
    "PositiveBigIntegerField": "int",
    "PositiveSmallIntegerField": "int",
    "CharField": "text",
    "TextField": "text",
    "SlugField": "text",
    "EmailField": "text",
    "URLField": "text",
    "FileField": "text",
    "ImageField": "text",
    "FilePathField": "text",
    "GenericIPAddressField": "text",
    "DecimalField": "decimal",
    "FloatField": "float",
    "DateField": "date",
    "DateTimeField": "datetime",
    "TimeField": "time",
}


#: Names of the constraints of rules across fields (``constraints.constraint_name``).
RULE_PREFIXES = ("dyn_u_", "dyn_c_")


def _family(internal_type: str) -> str | None:
    return FAMILIES.get(internal_type)


def drift(spec: ModelSpec, context: Context, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Differences between ``spec`` and the database; empty when they agree."""
    connection = connections[using]
    model = context.model(spec)
    problems: list[str] = []
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if spec.table not in tables:
            return [f"{spec.name}: table {spec.table} is missing"]
        description = {
            c.name: c for c in connection.introspection.get_table_description(cursor, spec.table)
        }
        constraints = connection.introspection.get_constraints(cursor, spec.table)
        expected: dict[str, models.Field] = {f.column: f for f in model._meta.local_concrete_fields}
        for column, field in expected.items():
            info = description.get(column)
            name = getattr(spec.field_by_uid(_uid(spec, column)), "name", column)
            if info is None:
                problems.append(f"{spec.name}.{name}: column {column} is missing")
                continue
            if bool(info.null_ok) != bool(field.null) and not field.primary_key:
                want = "NULL" if field.null else "NOT NULL"
                problems.append(f"{spec.name}.{name}: column {column} should be {want}")
            found = connection.introspection.get_field_type(info.type_code, info)
            wanted = _stored_type(field)
            want_family, got_family = _family(wanted), _family(found)
            if want_family and got_family and want_family != got_family:
                problems.append(
                    f"{spec.name}.{name}: column {column} is {found}, expected {wanted}"
                )
            if not field.primary_key:
                _check_constraints(spec.name, name, column, field, constraints, problems)
        for column in sorted(set(description) - set(expected)):
            problems.append(f"{spec.name}: column {column} is not in the applied spec")
        if spec.unique_together:
            together = list(spec.unique_together)
            if not any(
                c["unique"] and sorted(c["columns"]) == sorted(together)
                for c in constraints.values()
            ):
                problems.append(f"{spec.name}: unique-together rule on {together} is missing")
        wanted_rules = {constraint_name(spec, r) for r in rules_of(spec)}
        found_rules = {n for n in constraints if n.startswith(RULE_PREFIXES)}
        for missing in sorted(wanted_rules - found_rules):
            problems.append(f"{spec.name}: constraint {missing} of a rule across fields is missing")
        for extra in sorted(found_rules - wanted_rules):
            problems.append(f"{spec.name}: constraint {extra} is not in the applied spec")
        for m2m in model._meta.local_many_to_many:
            for owned in owned_models(model, m2m):
                table = owned._meta.db_table
                if table not in tables:
                    problems.append(f"{spec.name}.{m2m.name}: table {table} is missing")
    return problems


def _stored_type(field: models.Field) -> str:
    """The internal type of what the column stores: a link stores its target's key."""
    if field.many_to_one or field.one_to_one:
        assert isinstance(field, RelatedField)  # a concrete link: a foreign key
        return field.target_field.get_internal_type()
    return field.get_internal_type()


def _uid(spec: ModelSpec, column: str) -> str:
    for f in spec.fields:
        if f.column == column:
            return f.uid
    return ""


def _check_constraints(type_name, name, column, field, constraints, problems) -> None:
    single = [
        c
        for n, c in constraints.items()
        if c["columns"] == [column] and not n.startswith(RULE_PREFIXES)
    ]
    is_unique = any(c["unique"] for c in single)
    if field.unique and not is_unique:
        problems.append(f"{type_name}.{name}: column {column} should be unique")
    if not field.unique and is_unique and not field.one_to_one:
        problems.append(f"{type_name}.{name}: column {column} should not be unique")
    if field.db_index and not field.unique and not any(c["index"] or c["unique"] for c in single):
        problems.append(f"{type_name}.{name}: column {column} should be indexed")
