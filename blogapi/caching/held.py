"""Values other than responses held the same way: under the tags of what they were read
from, in the near cache, served only while a leased stamp confirms them (the user a JWT
names, so a per-user hit needs no database)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .dependencies import Dependency
from .generations import EPOCH, CacheUnavailable, fetch_stamp, leased_stamp
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
    tags = [EPOCH]
    for dependency in depends_on:
        tags.extend(dependency.tags(None))
    stamp = leased_stamp(tags)
    if stamp is None:
        try:
            stamp = fetch_stamp(tags)[0]
        except CacheUnavailable:
            return load()
    copy = near.get(key, stamp)
    if copy is not None:
        return copy.value
    value = load()
    near.put(key, HeldValue(stamp, value, nbytes))
    return value
