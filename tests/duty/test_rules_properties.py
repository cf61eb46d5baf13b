import random
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.duty.compiled import compile_problem
from gridgov.duty.grid import to_grid
from gridgov.duty.model import RuleConfig
from gridgov.duty.rules import bind_rules
from gridgov.duty.state import RosterState
from gridgov.duty.validate import evaluate
from gridgov.strategies import duty_problems, rosters

from .brute import brute_costs


@given(st.data())
def test_validate_agrees_with_brute_force(data) -> None:
    problem = data.draw(duty_problems(max_resources=4, max_days=9))
    roster = data.draw(rosters(problem, one_per_day=False))
    ev = evaluate(problem, roster)
    per_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for v in ev.violations:
        per_rule[v.rule][0 if v.hard else 1] += v.penalty
    got = {k: (a, b) for k, (a, b) in per_rule.items() if (a, b) != (0, 0)}
    assert got == brute_costs(problem, roster)
    # the score is the sum of the violations' penalties
    assert ev.score.hard == sum(v.penalty for v in ev.violations if v.hard)
    assert ev.score.soft == sum(v.penalty for v in ev.violations if not v.hard)


@settings(max_examples=40)
@given(
    st.data(),
    st.integers(0, 2**32 - 1),
)
def test_incremental_score_equals_full_rescore(data, seed) -> None:
    extra = (
        RuleConfig("fairness", hard=False, weight=2, params={"measure": "nights"}),
        RuleConfig("continuity", hard=False, weight=1),
    )
    problem = data.draw(duty_problems(max_resources=5, max_days=8, extra_rules=extra))
    roster = data.draw(rosters(problem))
    cp = compile_problem(problem)
    shifts, posts, _ = to_grid(cp, roster)
    st_ = RosterState(cp, bind_rules(cp), shifts, posts)
    rng = random.Random(seed)
    for _ in range(60):
        cells = []
        for _ in range(rng.randint(1, 4)):
            r, d = rng.randrange(cp.R), rng.randrange(cp.D)
            if rng.random() < 0.3:
                cells.append((r, d, -1, -1))
            else:
                cells.append((r, d, rng.randrange(cp.S), rng.randrange(cp.P)))
        before = st_.score
        dh, ds = st_.try_cells(cells)
        if rng.random() < 0.5:
            st_.commit()
            assert (st_.hard, st_.soft) == (before.hard + dh, before.soft + ds)
        else:
            st_.rollback()
            assert st_.score == before
        full = RosterState(
            cp, bind_rules(cp), [r[:] for r in st_.shifts], [r[:] for r in st_.posts]
        )
        assert full.score == st_.score


@settings(max_examples=150)
@given(st.data())
def test_fused_row_scoring_equals_rule_by_rule(data) -> None:
    problem = data.draw(duty_problems(max_resources=3, max_days=14))
    cp = compile_problem(problem)
    rules = bind_rules(cp)
    st_ = RosterState(cp, rules)
    for r in range(cp.R):
        row = data.draw(st.lists(st.integers(-1, cp.S - 1), min_size=cp.D, max_size=cp.D))
        st_.shifts[r] = row
        st_.posts[r] = [0 if s >= 0 else -1 for s in row]
        fast = st_.eval_row(r)
        out: list = []
        slow = st_.eval_row(r, out)
        assert fast == slow
        assert slow[0] == sum(v.penalty for v in out if v.hard)


@settings(max_examples=40)
@given(st.data(), st.integers(0, 2**32 - 1))
def test_windowed_scoring_on_long_rows(data, seed) -> None:
    problem = data.draw(duty_problems(max_resources=3, max_days=40, max_shifts=2, max_posts=1))
    cp = compile_problem(problem)
    roster = data.draw(rosters(problem))
    shifts, posts, _ = to_grid(cp, roster)
    st_ = RosterState(cp, bind_rules(cp), shifts, posts)
    rng = random.Random(seed)
    for _ in range(80):
        r = rng.randrange(cp.R)
        cells = []
        for _ in range(rng.randint(1, 6)):  # scattered and repeated days of one or two rows
            rr = r if rng.random() < 0.7 else rng.randrange(cp.R)
            s = rng.randrange(-1, cp.S)
            cells.append((rr, rng.randrange(cp.D), s, 0 if s >= 0 else -1))
        before = st_.score
        dh, ds = st_.try_cells(cells)
        if rng.random() < 0.6:
            st_.commit()
            assert (st_.hard, st_.soft) == (before.hard + dh, before.soft + ds)
        else:
            st_.rollback()
            assert st_.score == before
        full = RosterState(
            cp, bind_rules(cp), [x[:] for x in st_.shifts], [x[:] for x in st_.posts]
        )
        assert full.score == st_.score
