"""Relations beside the tree: central households, and government units paired with communities."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

import attrs

from gridgov.errors import ChangeRefused, SourceProblem

if TYPE_CHECKING:
    from gridgov.org.hierarchy import Hierarchy


@attrs.frozen
class GovUnit:
    """A government unit (a bureau, a department) paired with communities in an emergency."""

    id: str = attrs.field(validator=attrs.validators.instance_of(str))
    name: str = attrs.field(default="", validator=attrs.validators.instance_of(str))
    cadres: int = attrs.field(
        default=0,
        validator=[attrs.validators.instance_of(int), attrs.validators.ge(0)],
    )
    """Cadres the unit can send: a whole number, 0 or more."""


class Relations:
    """Non-tree links of a :class:`~gridgov.org.hierarchy.Hierarchy`, validated on entry.

    - *Central households*: a party-member household that looks after a handful of
      nearby households. Both ends are units at the household level of the scheme
      (:attr:`gridgov.org.Levels.household`: the level named ``household`` unless the
      scheme declares another, never simply the deepest); a household is looked after
      by at most one central household.
    - *Pairings*: a :class:`GovUnit` paired with one or more units at the
      ``community`` level (or the level given).
    """

    __slots__ = ("_tree", "central", "gov_units", "looked_after", "pairings")

    def __init__(self, tree: Hierarchy) -> None:
        self._tree = tree
        self.central: dict[str, tuple[str, ...]] = {}
        self.looked_after: dict[str, str] = {}
        self.gov_units: dict[str, GovUnit] = {}
        self.pairings: dict[str, tuple[str, ...]] = {}

    def copy_for(self, tree: Hierarchy) -> Relations:
        """A copy bound to ``tree``."""
        other = Relations(tree)
        other.central = dict(self.central)
        other.looked_after = dict(self.looked_after)
        other.gov_units = dict(self.gov_units)
        other.pairings = dict(self.pairings)
        return other

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Relations):
            return NotImplemented
        return (
            self.central == other.central
            and self.gov_units == other.gov_units
            and self.pairings == other.pairings
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def household_level(self) -> str | None:
        """The level both ends of a central-household link must be at: the household level
        of the tree's scheme (:attr:`gridgov.org.Levels.household`), ``None`` if it has none."""
        return self._tree.levels.household

    def _household_level(self, role: str) -> str:
        level = self.household_level
        if level is None:
            raise ChangeRefused(
                f"{role}: the level scheme ({', '.join(self._tree.levels.names)}) has no "
                "household level; name it (household_level under [org] in gridgov.toml, "
                "or Levels(..., household=LEVEL))"
            )
        return level

    def _require(self, unit_id: str, level: str, role: str) -> None:
        unit = self._tree.get(unit_id)
        if unit is None:
            raise ChangeRefused(f"{role} {unit_id!r} is not a unit of the hierarchy")
        if unit.level != level:
            raise ChangeRefused(f"{role} {unit_id!r} is at level {unit.level!r}, not {level!r}")

    def link_central_household(self, central: str, households: Iterable[str]) -> None:
        """Record that ``central`` looks after ``households`` (added to any it had)."""
        level = self._household_level(f"central household {central!r}")
        self._require(central, level, "central household")
        new = list(dict.fromkeys(households))
        for hh in new:
            self._require(hh, level, "household")
            if hh == central:
                raise ChangeRefused(f"central household {central!r} cannot look after itself")
            owner = self.looked_after.get(hh)
            if owner is not None and owner != central:
                raise ChangeRefused(f"household {hh!r} is already looked after by {owner!r}")
        have = self.central.get(central, ())
        merged = have + tuple(h for h in new if h not in have)
        self.central[central] = merged
        for hh in merged:
            self.looked_after[hh] = central

    def central_of(self, household: str) -> str | None:
        """The central household looking after ``household``, if any."""
        return self.looked_after.get(household)

    def pair(self, gov: GovUnit, units: Iterable[str], *, level: str | None = "community") -> None:
        """Pair ``gov`` with ``units`` (each at ``level``; ``None``: any unit of the tree).

        Readers of files pass ``level=None``: a file's pairings are kept as written,
        whatever the level scheme calls its communities.
        """
        ids = list(dict.fromkeys(units))
        for uid in ids:
            if level is None:
                if uid not in self._tree:
                    raise ChangeRefused(f"paired unit {uid!r} is not a unit of the hierarchy")
                continue
            self._require(uid, level, "paired unit")
        self.gov_units[gov.id] = gov
        have = self.pairings.get(gov.id, ())
        self.pairings[gov.id] = have + tuple(u for u in ids if u not in have)

    def paired_with(self, unit_id: str) -> list[GovUnit]:
        """Government units paired with ``unit_id``."""
        return [self.gov_units[g] for g, us in self.pairings.items() if unit_id in us]

    def links_leaving(self, inside: Collection[str]) -> list[str]:
        """Every link with one end in ``inside`` and the other outside it, one line each
        (``central household 'A' -> 'B'``, ``pairing 'GOV' -> 'U'``), naming the outside
        end: what a subtree of the tree cannot hold (``gridgov org export --root``)."""
        out: list[str] = []
        for central, hhs in self.central.items():
            c_in = central in inside
            for hh in hhs:
                if c_in != (hh in inside):
                    outside = hh if c_in else central
                    out.append(f"central household {central!r} -> {hh!r} ({outside!r} is outside)")
        for gov, uids in self.pairings.items():
            if any(u in inside for u in uids):
                out += [
                    f"pairing {gov!r} -> {u!r} ({u!r} is outside)" for u in uids if u not in inside
                ]
        return out

    def forget(self, gone: set[str]) -> None:
        """Drop every link that touches a removed unit."""
        for central in list(self.central):
            if central in gone:
                for hh in self.central.pop(central):
                    self.looked_after.pop(hh, None)
                continue
            kept = tuple(h for h in self.central[central] if h not in gone)
            for hh in self.central[central]:
                if hh in gone:
                    self.looked_after.pop(hh, None)
            if kept:
                self.central[central] = kept
            else:
                del self.central[central]
        for gov in list(self.pairings):
            self.pairings[gov] = tuple(u for u in self.pairings[gov] if u not in gone)

    def check(self) -> list[SourceProblem]:
        """Every link whose endpoint is missing or at the wrong level."""
        errors: list[SourceProblem] = []
        level = self.household_level
        for central, hhs in self.central.items():
            for uid in (central, *hhs):
                unit = self._tree.get(uid)
                if unit is None or level is None or unit.level != level:
                    errors.append(
                        SourceProblem(
                            f"central household link {central!r} -> {uid!r}: "
                            + (
                                f"not a unit at level {level!r}"
                                if level is not None
                                else "the level scheme has no household level"
                            ),
                            field="central_household",
                            unit_id=uid,
                        )
                    )
        for gov, uids in self.pairings.items():
            for uid in uids:
                if uid not in self._tree:
                    errors.append(
                        SourceProblem(
                            f"pairing {gov!r} -> {uid!r}: unknown unit",
                            field="pairing",
                            unit_id=uid,
                        )
                    )
        return errors
