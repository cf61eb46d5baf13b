"""Daily follow-up of isolated and vulnerable residents."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from gridgov.sweep import Isolation, Outcome, Resident, Visit
from gridgov.sweep.followup import BUCKETS, follow_up, is_due

D0 = dt.date(2020, 2, 10)
Z8 = dt.timezone(dt.timedelta(hours=8))


def _visit(i: int, hh: str, day: int, outcome=Outcome.VERIFIED, seen=(), hour=10) -> Visit:
    at = dt.datetime.combine(D0 + dt.timedelta(days=day), dt.time(hour), Z8)
    return Visit(f"v{i}", "S", hh, at, "w", outcome, residents_seen=tuple(seen))


def test_due_seen_buckets_and_episodes_on_a_hand_example() -> None:
    residents = [
        Resident("iso", "h1", isolation=Isolation(D0, D0 + dt.timedelta(days=2))),
        Resident("old", "h2", elderly=True),
        Resident("mate", "h2"),
        Resident("lost", "h3", homeless=True),
        Resident("late", "h4", disabled=True),
    ]
    visits = [
        _visit(1, "h1", 0),
        _visit(2, "h1", 2, Outcome.PARTLY_VERIFIED, seen=("iso",)),
        _visit(3, "h2", 0, Outcome.PARTLY_VERIFIED, seen=("mate",)),  # not the elderly one
        _visit(4, "h2", 1),
        _visit(5, "h4", 0, Outcome.NOT_AT_HOME),
        _visit(6, "h4", -5),
        # 23:30 UTC on day 2 is day 3 in the county's zone: after the report, not counted
        Visit("v7", "S", "h3", dt.datetime(2020, 2, 12, 17, 30, tzinfo=dt.UTC), "w"),
    ]
    rep = follow_up(residents, visits, D0, D0 + dt.timedelta(days=2), zone=Z8)
    assert [(d.due, d.seen) for d in rep.days] == [(4, 1), (4, 1), (4, 1)]
    assert rep.days[0].missed == ("old", "lost", "late")
    assert rep.last_seen == {"1": 2, "2": 0, "3": 0, ">3": 1, "never": 1}
    assert set(rep.overdue) == {"lost", "late"}
    (ep,) = rep.episodes
    assert (ep.checked_days, ep.missed_days, ep.complete) == (2, (D0 + dt.timedelta(days=1),), True)


def test_an_episode_without_a_check_on_its_last_day_is_not_complete() -> None:
    r = Resident("iso", "h1", isolation=Isolation(D0, D0 + dt.timedelta(days=1)))
    rep = follow_up([r], [_visit(1, "h1", 0)], D0, D0 + dt.timedelta(days=5), zone=Z8)
    assert not rep.episodes[0].complete
    assert rep.last_seen == dict.fromkeys(BUCKETS, 0)  # no longer due on the report day


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.booleans(), st.integers(0, 6), st.integers(0, 6)),
        min_size=1,
        max_size=8,
    ),
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 6), st.booleans()), max_size=20),
)
def test_follow_up_counts_are_consistent(people, checks) -> None:
    residents = []
    for i, (hh, elderly, a, b) in enumerate(people):
        iso = Isolation(D0 + dt.timedelta(days=min(a, b)), D0 + dt.timedelta(days=max(a, b)))
        residents.append(Resident(f"r{i}", f"h{hh}", isolation=iso, elderly=elderly))
    visits = [
        _visit(i, f"h{hh}", day, Outcome.VERIFIED if ok else Outcome.NOT_AT_HOME)
        for i, (hh, day, ok) in enumerate(checks)
    ]
    last = D0 + dt.timedelta(days=4)
    rep = follow_up(residents, visits, D0, last, zone=Z8)
    for d in rep.days:
        due = [r for r in residents if is_due(r, d.day)]
        assert d.due == len(due)
        assert 0 <= d.seen <= d.due
        assert 0.0 <= d.compliance <= 1.0
    assert sum(rep.last_seen.values()) == sum(1 for r in residents if is_due(r, last))
    for ep in rep.episodes:
        days_seen = {
            v.at.date()
            for v in visits
            if v.outcome is Outcome.VERIFIED
            and v.household == f"h{people[int(ep.resident[1:])][0]}"
        }
        assert ep.complete == (ep.end in days_seen and ep.end <= last)


def test_a_visit_in_conflict_does_not_count_as_seen() -> None:
    # issue 12: coverage withdraws a conflicting id; follow-up must too
    old = [Resident("old", "h1", elderly=True)]
    verified = _visit(1, "h1", 0)
    refused = _visit(1, "h1", 0, Outcome.REFUSED)
    assert follow_up(old, [verified], D0, D0).days[0].seen == 1
    assert follow_up(old, [verified, verified], D0, D0).days[0].seen == 1  # a repeat counts once
    assert follow_up(old, [verified, refused], D0, D0).days[0].seen == 0
    assert follow_up(old, [refused, verified], D0, D0).days[0].seen == 0
