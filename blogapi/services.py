"""What the apps' services share: updating a row by the fields that changed."""

import enum
from typing import Any, TypeVar

from django.db.models import Model

M = TypeVar("M", bound=Model)


class Unset(enum.Enum):
    """An update service's argument the caller left out: the field keeps its value (None
    cannot say that where None is a value, a to-do's due date say)."""

    UNSET = enum.auto()


UNSET = Unset.UNSET


def model_update(*, instance: M, data: dict[str, Any]) -> M:
    """Set the fields of `data` (UNSET: left alone) that differ from the instance's, and save
    those only, with the model's auto_now timestamps; nothing changed, nothing written.

    A column nobody changed is never written: a concurrent edit of another field survives,
    and the cache's write hook (blogapi/caching/writes.py) reads no old owner first for a
    save that does not write the owner."""
    changed = [name for name, value in data.items() if value is not UNSET and getattr(instance, name) != value]
    if not changed:
        return instance
    for name in changed:
        setattr(instance, name, data[name])
    timestamps = [field.name for field in instance._meta.concrete_fields if getattr(field, "auto_now", False)]
    instance.save(update_fields=[*changed, *timestamps])
    return instance
