"""Content types and permissions of generated models.

Django creates both only for apps with a models module, after migrate; generated
models get theirs here, when a type is created, renamed or deleted. A rename
updates the rows in place, so permissions given to groups, revisions, workflow
states and references stay attached.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from .kinds import get_kind
from .spec import RETIRED, ModelSpec

ACTIONS = ("add", "change", "delete", "view")


def permission_specs(spec: ModelSpec) -> list[tuple[str, str]]:
    """(codename, name) of every permission a type has."""
    model_name = spec.name.lower()
    label = spec.verbose_name or spec.name
    actions = list(ACTIONS)
    if spec.option("drafts"):
        actions.append("publish")
    if spec.option("locking"):
        actions += ["lock", "unlock"]
    return [(f"{action}_{model_name}", f"Can {action} {label}") for action in actions]


def owned_model_names(spec: ModelSpec | None) -> set[str]:
    """Model names of the tables the type's fields own (a tags field's vocabulary: Wagtail's
    tag autocomplete finds it by its content type)."""
    if spec is None or spec.state == RETIRED:
        return set()
    return {name.lower() for f in spec.fields for name in get_kind(f.kind).model_names(f)}


def _follow_owned(old: ModelSpec | None, new: ModelSpec | None, using: str) -> None:
    cts = ContentType.objects.db_manager(using)
    wanted = owned_model_names(new)
    gone = owned_model_names(old) - wanted
    label = (new or old).app_label  # type: ignore[union-attr]
    if gone:
        cts.filter(app_label=label, model__in=gone).delete()
    for name in sorted(wanted):
        cts.get_or_create(app_label=label, model=name)


def follow(old: ModelSpec | None, new: ModelSpec | None, using: str) -> None:
    """Make content type and permission rows match ``new`` (coming from ``old``)."""
    cts = ContentType.objects.db_manager(using)
    if old is not None or new is not None:
        _follow_owned(old, new, using)
    if new is None or new.state == RETIRED:
        if old is not None:
            cts.filter(app_label=old.app_label, model=old.name.lower()).delete()
        cts.clear_cache()
        return
    ct = None
    if old is not None:
        ct = cts.filter(app_label=old.app_label, model=old.name.lower()).first()
    if ct is None:
        ct, _ = cts.get_or_create(app_label=new.app_label, model=new.name.lower())
    elif (ct.app_label, ct.model) != (new.app_label, new.name.lower()):
        ct.app_label, ct.model = new.app_label, new.name.lower()
        ct.save(update_fields=["app_label", "model"])
    cts.clear_cache()
    existing = {
        p.codename.split("_", 1)[0]: p
        for p in Permission.objects.using(using).filter(content_type=ct)
    }
    for codename, name in permission_specs(new):
        action = codename.split("_", 1)[0]
        perm = existing.pop(action, None)
        if perm is None:
            Permission.objects.using(using).create(content_type=ct, codename=codename, name=name)
        elif (perm.codename, perm.name) != (codename, name[:255]):
            perm.codename, perm.name = codename, name[:255]
            perm.save(update_fields=["codename", "name"])
