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
    """What :func:`diff` found: ids added and removed, units moved and changed, and relations.

    ``central_added``/``central_removed`` are ``(central, household)`` links,
    ``paired``/``unpaired`` are ``(government unit, unit)`` pairs, and
    ``gov_changed`` the government units whose name or cadres changed.
    """

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    moved: tuple[Moved, ...] = ()
    changed: tuple[Changed, ...] = ()
    central_added: tuple[tuple[str, str], ...] = ()
    central_removed: tuple[tuple[str, str], ...] = ()
    paired: tuple[tuple[str, str], ...] = ()
    unpaired: tuple[tuple[str, str], ...] = ()
    gov_changed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return any(getattr(self, a.name) for a in attrs.fields(HierarchyDiff))


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
    ra, rb = old.relations, new.relations
    ca = {(c, h) for c, hs in ra.central.items() for h in hs}
    cb = {(c, h) for c, hs in rb.central.items() for h in hs}
    pa = {(g, u) for g, us in ra.pairings.items() for u in us}
    pb = {(g, u) for g, us in rb.pairings.items() for u in us}
    gov = tuple(
        sorted(
            g for g in set(ra.gov_units) & set(rb.gov_units) if ra.gov_units[g] != rb.gov_units[g]
        )
    )
    return HierarchyDiff(
        added,
        removed,
        tuple(moved),
        tuple(changed),
        tuple(sorted(cb - ca)),
        tuple(sorted(ca - cb)),
        tuple(sorted(pb - pa)),
        tuple(sorted(pa - pb)),
        gov,
    )
