"""A unit of the hierarchy and the party organisation attached to it."""

from __future__ import annotations

import math
from collections.abc import Mapping

import attrs

from gridgov.frozen import FrozenDict, frozen_dict
from gridgov.values import AttrValue

__all__ = ["AttrValue", "PartyOrg", "Unit"]


def _no_nul(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    """Texts are ``str`` without NUL: no text file holds one and PostgreSQL cannot store it."""
    del instance
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be text, got {value!r}")
    if "\x00" in value:
        raise ValueError(f"{attribute.name} must not contain a NUL character")


def _check_attributes(
    instance: object,
    attribute: attrs.Attribute[Mapping[str, AttrValue]],
    value: Mapping[str, AttrValue],
) -> None:
    del instance, attribute
    for key, item in value.items():
        if not isinstance(key, str) or not key or "\x00" in key:
            raise ValueError(f"attribute names must be non-empty text without NUL, got {key!r}")
        if isinstance(item, bool) or not isinstance(item, int | float | str):
            raise TypeError(f"attribute {key!r} must be a number or text, got {item!r}")
        if isinstance(item, str) and "\x00" in item:
            raise ValueError(f"attribute {key!r} must not contain a NUL character")
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError(f"attribute {key!r} must be a finite number, got {item!r}")


def _to_frozen(value: Mapping[str, AttrValue] | None) -> FrozenDict[str, AttrValue]:
    return frozen_dict(value)


@attrs.frozen
class PartyOrg:
    """The party organisation responsible at a unit.

    ``kind`` is e.g. ``branch`` (community), ``grid-branch``, ``group`` (building)
    or ``central-household``; ``secretary`` is a person's name and is masked in
    exports unless the caller asks otherwise.
    """

    kind: str = attrs.field(validator=_no_nul)
    name: str = attrs.field(default="", validator=_no_nul)
    secretary: str = attrs.field(default="", validator=_no_nul)


@attrs.frozen(hash=False)
class Unit:
    """One unit of the hierarchy: a county, community, grid, building, household...

    ``attributes`` maps names to numbers or short texts (``households``,
    ``residents``, ``party_members``...); numeric ones can be rolled up the tree.
    Change a unit with :func:`attrs.evolve`.
    """

    id: str = attrs.field(validator=_no_nul)
    level: str = attrs.field(validator=_no_nul)
    name: str = attrs.field(default="", validator=_no_nul)
    attributes: Mapping[str, AttrValue] = attrs.field(
        factory=FrozenDict, converter=_to_frozen, validator=_check_attributes
    )
    party: PartyOrg | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(PartyOrg))
    )

    @classmethod
    def trusted(
        cls,
        id: str,
        level: str,
        name: str,
        attributes: dict[str, AttrValue],
        party: PartyOrg | None = None,
    ) -> Unit:
        """Build without running validators, for readers that have already checked the values.

        The caller guarantees what ``__init__`` would check: texts are ``str``,
        attribute values are finite numbers or texts, and ``attributes`` is a new dict.
        """
        unit = object.__new__(cls)
        setter = object.__setattr__
        setter(unit, "id", id)
        setter(unit, "level", level)
        setter(unit, "name", name)
        setter(unit, "attributes", FrozenDict.adopt(attributes))
        setter(unit, "party", party)
        return unit

    def number(self, attribute: str) -> int | float | None:
        """The numeric value of ``attribute``, or ``None`` when absent or text."""
        value = self.attributes.get(attribute)
        if value is None or isinstance(value, str):
            return None
        return value
