"""The reference county has the shape of DESIGN.md §2."""

from collections import Counter

from gridgov.examples import reference_county
from gridgov.org import write_csv_text


def test_reference_county_shape() -> None:
    t = reference_county(seed=0)
    levels = Counter(u.level for u in t)
    assert levels["county"] == 1
    assert levels["community"] == 12
    assert levels["grid"] == 33
    assert levels["building"] == 388
    assert len(t.relations.central) == 1116
    assert len(t.relations.gov_units) == 49
    for b in t.at_level("building"):
        assert 20 <= len(t.children(b)) <= 60
    assert all(t[c].party is not None for c in t.at_level("community"))
    assert all(t[g].party.kind == "grid-branch" for g in t.at_level("grid"))  # type: ignore[union-attr]
    assert all(t[b].party.kind == "group" for b in t.at_level("building"))  # type: ignore[union-attr]
    assert t.check() == []
    for central, households in t.relations.central.items():
        assert households, central
        assert all(t.parent(h) == t.parent(central) for h in households)


def test_deterministic_for_a_seed_and_scalable() -> None:
    a = write_csv_text(reference_county(seed=3, scale=0.2), mask=False)
    assert a == write_csv_text(reference_county(seed=3, scale=0.2), mask=False)
    assert a != write_csv_text(reference_county(seed=4, scale=0.2), mask=False)
    small = reference_county(seed=0, scale=0.1)
    assert len(small.at_level("building")) == 39
