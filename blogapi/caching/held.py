"""Values other than responses held the same way: under the tags of what they were read
from, in the near cache, served only while a leased stamp confirms them (the user a JWT
names, so a per-user hit needs no database)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .dependencies import Dependency, tags_of
from .generations import CacheUnavailable, current_stamp
from .near import Copy, near


class HeldValue(Copy):
    __slots__ = ("value",)

    def __init__(self, stamp: str, value: Any, nbytes: int) -> None:
        super().__init__(stamp, nbytes)
        self.value = value


def held(key: tuple, depends_on: Iterable[Dependency], load: Callable[[], Any], *, nbytes: int = 512) -> Any:
    """`load()`'s value, kept under `key` until a write drops one of `depends_on`. The stamp
    is read before `load()` runs, so a write racing it leaves the copy dead, never stale.
    Keep values immutable (or copy them on the way out): every request shares them."""
    if not near.enabled:
        return load()
    try:
        stamp = current_stamp(tags_of(depends_on, None))
    except CacheUnavailable:
        return load()
    copy = near.get(key, stamp)
    if copy is not None:
        return copy.value
    value = load()
    near.put(key, HeldValue(stamp, value, nbytes))
    return value
