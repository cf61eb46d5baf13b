"""The difference between two versions of a hierarchy."""

from __future__ import annotations

import attrs

from gridgov.org.hierarchy import Hierarchy


@attrs.frozen
class Moved:
    """A unit whose parent changed."""

    id: str
    old_parent: str | None
    new_parent: str | None


@attrs.frozen
class Changed:
    """A unit whose name, level, attributes or party organisation changed."""

    id: str
    fields: tuple[str, ...]


@attrs.frozen
class HierarchyDiff:
    """What :func:`diff` found: ids added and removed, units moved and changed."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    moved: tuple[Moved, ...] = ()
    changed: tuple[Changed, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.moved or self.changed)


_FIELDS = ("name", "level", "attributes", "party")


def diff(old: Hierarchy, new: Hierarchy) -> HierarchyDiff:
    """Compare two versions unit by unit (ids are the identity)."""
    old_ids = old.parent_map()
    new_ids = new.parent_map()
    added = tuple(i for i in new_ids if i not in old_ids)
    removed = tuple(i for i in old_ids if i not in new_ids)
    moved: list[Moved] = []
    changed: list[Changed] = []
    for uid, old_parent in old_ids.items():
        if uid not in new_ids:
            continue
        new_parent = new_ids[uid]
        if new_parent != old_parent:
            moved.append(Moved(uid, old_parent, new_parent))
        a, b = old[uid], new[uid]
        if a != b:
            fields = tuple(f for f in _FIELDS if getattr(a, f) != getattr(b, f))
            changed.append(Changed(uid, fields))
    return HierarchyDiff(added, removed, tuple(moved), tuple(changed))
