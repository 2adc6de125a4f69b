"""The exceptions of the public API, at the bottom of the layers so that every layer can raise them.

:class:`DefinitionError` (a definition that cannot be applied), :class:`ConfirmationRequired`
(a plan that loses data) and :class:`Conflict` (someone else changed the type first). Each is
also importable from :mod:`dynamo_wagtail.api`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from .models import MetaModel
    from .schema.planner import Plan

#: Seconds a schema change waits for another one to finish (MariaDB/MySQL).
LOCK_TIMEOUT = 60


class DefinitionError(ValidationError):
    """A definition that cannot be applied. Nothing was written.

    ``type_errors`` maps a type option to messages; ``field_errors`` maps a field's
    stable id to {option: messages}. As a ValidationError its keys are ``option``
    and ``<field name>.<option>``.
    """

    def __init__(
        self,
        type_errors: dict[str, list[str]],
        field_errors: dict[str, dict[str, list[str]]],
        field_names: dict[str, str],
    ) -> None:
        self.type_errors = type_errors
        self.field_errors = field_errors
        self.field_names = field_names
        flat: dict[str, list[str]] = dict(type_errors)
        for uid, options in field_errors.items():
            for option, messages in options.items():
                flat[f"{field_names.get(uid) or uid}.{option}"] = messages
        super().__init__(flat)


class ConfirmationRequired(Exception):
    """The plan loses data or capacity; run it again with ``confirm=True``."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        super().__init__("This change needs confirmation:\n" + plan.describe())


class Conflict(Exception):
    """The definition changed since the editor opened it (or another change runs)."""

    meta_model: MetaModel | None

    @classmethod
    def busy(cls) -> Conflict:
        error = cls.__new__(cls)
        error.meta_model = None
        Exception.__init__(
            error,
            f"Another schema change has been running for over {LOCK_TIMEOUT} seconds; "
            "nothing was changed. Try again when it has finished.",
        )
        return error

    def __init__(self, meta_model: MetaModel) -> None:
        self.meta_model = meta_model
        who = meta_model.updated_by or "someone"
        super().__init__(
            f"{meta_model.name} was changed by {who} at {meta_model.updated_at:%Y-%m-%d %H:%M:%S}"
            " after you opened it. Reload to see their change."
        )
