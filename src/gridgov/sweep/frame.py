"""The household frame of a sweep: every household mapped to its place in the tree once.

Households hang off buildings. Where a household id is itself a unit of the
hierarchy (as in :func:`gridgov.examples.reference_county`), its counts attach
to that unit (which must lie under the household's building), so coverage can
be asked of a single household; otherwise they attach to the building.

A household has a *responsible central household* when
``tree.relations.central_of(household_id)`` names one, or when it is itself a
central household; households that are not units of the tree have none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gridgov.errors import InvalidInput, SourceProblem
from gridgov.org.hierarchy import Hierarchy
from gridgov.sweep.model import Household, Sweep
from gridgov.sweep.rules import INVALID_OCCUPANCY, TimeRule


class HouseholdFrame:
    """Households of one sweep, indexed ``0..n-1``, with their tree positions and flags.

    ``index`` maps household id → number; ``attach[h]`` is the pre-order
    position its counts attach to; ``discovered[h]``, ``register_invalid[h]``
    and ``no_central[h]`` are 0/1 flags. Households outside the sweep's scope
    are kept apart in ``outside`` (visits to them are rejected). Bad households
    (empty or repeated id, unknown building) raise
    :class:`~gridgov.errors.InvalidInput` naming every one.
    """

    __slots__ = (
        "attach",
        "discovered",
        "ids",
        "index",
        "no_central",
        "outside",
        "register_invalid",
        "rule",
        "sweep",
        "tree",
    )

    def __init__(self, tree: Hierarchy, households: Iterable[Household], sweep: Sweep) -> None:
        hhs = list(households)
        self._build(
            tree,
            sweep,
            [h.id for h in hhs],
            [h.building for h in hhs],
            [1 if h.discovered else 0 for h in hhs],
            [1 if h.occupancy in INVALID_OCCUPANCY else 0 for h in hhs],
            None,
            None,
        )

    @classmethod
    def from_columns(
        cls,
        tree: Hierarchy,
        sweep: Sweep,
        ids: Sequence[str],
        buildings: Sequence[str],
        discovered: Sequence[int],
        register_invalid: Sequence[int],
        *,
        file: str | None = None,
        rows: Sequence[int] | None = None,
    ) -> HouseholdFrame:
        """Build from parallel columns (the CSV fast path); ``rows`` locate errors."""
        self = cls.__new__(cls)
        self._build(tree, sweep, ids, buildings, discovered, register_invalid, file, rows)
        return self

    def _build(
        self,
        tree: Hierarchy,
        sweep: Sweep,
        ids: Sequence[str],
        buildings: Sequence[str],
        discovered: Sequence[int],
        register_invalid: Sequence[int],
        file: str | None,
        rows: Sequence[int] | None,
    ) -> None:
        self.tree = tree
        self.sweep = sweep
        try:
            self.rule = TimeRule.of(sweep)
        except ValueError as exc:
            raise InvalidInput([SourceProblem(str(exc), field="sweep")]) from None
        idx = tree.index
        pos, size = idx.pos, idx.size
        if sweep.scope not in pos:
            raise InvalidInput(
                [SourceProblem(f"unknown scope unit {sweep.scope!r}", field="scope")]
            )
        lo = pos[sweep.scope]
        hi = lo + size[lo]
        rel = tree.relations
        looked_after, centrals = rel.looked_after, rel.central
        out_ids: list[str] = []
        index: dict[str, int] = {}
        attach: list[int] = []
        disc: list[int] = []
        reg: list[int] = []
        no_central: list[int] = []
        outside: set[str] = set()
        errors: list[SourceProblem] = []
        seen: set[str] = set()
        bcache: dict[str, int] = {}

        def err(n: int, message: str, field: str, hid: str | None = None) -> None:
            row = rows[n] if rows is not None else None
            errors.append(SourceProblem(message, field=field, row=row, file=file, unit_id=hid))

        for n, hid in enumerate(ids):
            if hid in seen:
                err(n, f"household {hid!r} appears twice", "id", hid)
                continue
            if not hid.strip():
                err(n, "empty id", "id")
                continue
            seen.add(hid)
            building = buildings[n]
            b = bcache.get(building)
            if b is None:
                b = pos.get(building, -1)
                bcache[building] = b
            if b < 0:
                err(n, f"unknown building {building!r}", "building", hid)
                continue
            p = pos.get(hid, b)
            if p != b and not (b <= p < b + size[b]):
                err(
                    n,
                    f"household {hid!r} is a unit of the tree but not under building {building!r}",
                    "building",
                    hid,
                )
                continue
            if not (lo <= p < hi):
                outside.add(hid)
                continue
            index[hid] = len(out_ids)
            out_ids.append(hid)
            attach.append(p)
            disc.append(discovered[n])
            reg.append(register_invalid[n])
            no_central.append(0 if (hid in looked_after or hid in centrals) else 1)
        if errors:
            raise InvalidInput(errors)
        self.ids = out_ids
        self.index = index
        self.attach = attach
        self.discovered = disc
        self.register_invalid = reg
        self.no_central = no_central
        self.outside = outside

    def __len__(self) -> int:
        return len(self.ids)
