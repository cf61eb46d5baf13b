"""Lot quality assurance sampling (LQAS): independent monitoring of a sweep.

Monitors draw ``n`` households at random in each lot (a grid, a community),
check each independently (was this household really visited and registered?)
and count the failures. A lot is *accepted* when the failures are at most the
decision value ``d``, otherwise it is *rejected* and re-swept.

The binomial operating characteristic gives the probability of accepting a lot
whose true coverage is ``p``: ``P(accept) = P(X <= d)`` with
``X ~ Binomial(n, 1 - p)``. :func:`choose_plan` finds the smallest ``n`` (and
its ``d``) that accepts good lots (coverage ≥ ``upper``) with probability at
least ``1 - alpha`` and accepts bad lots (coverage ≤ ``lower``) with
probability at most ``beta``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from math import comb

import attrs


def accept_probability(n: int, d: int, coverage: float) -> float:
    """Probability of accepting a lot of true ``coverage`` with sample ``n``, decision ``d``."""
    _check_plan(n, d)
    if not 0.0 <= coverage <= 1.0:
        raise ValueError("coverage must be within [0, 1]")
    q = 1.0 - coverage
    return sum(comb(n, k) * q**k * (1.0 - q) ** (n - k) for k in range(min(d, n) + 1))


def operating_characteristic(
    n: int, d: int, coverages: Sequence[float] | None = None
) -> list[tuple[float, float]]:
    """``(coverage, P(accept))`` pairs (default coverages 0.00, 0.05, ..., 1.00)."""
    cs = coverages if coverages is not None else [i / 20 for i in range(21)]
    return [(c, accept_probability(n, d, c)) for c in cs]


def _check_plan(n: int, d: int) -> None:
    if n < 1:
        raise ValueError("n must be at least 1")
    if not 0 <= d <= n:
        raise ValueError("d must be within [0, n]")


@attrs.frozen
class Plan:
    """A sampling plan with its error risks."""

    n: int
    d: int
    alpha: float
    """Risk of rejecting a lot at the upper threshold."""
    beta: float
    """Risk of accepting a lot at the lower threshold."""


def choose_plan(
    upper: float, lower: float, *, alpha: float = 0.1, beta: float = 0.1, max_n: int = 200
) -> Plan:
    """The smallest ``n`` (largest feasible ``d``) meeting both risks; ``ValueError`` if none.

    For example upper 0.8, lower 0.5 and 10% risks give the classic n = 19.
    """
    if not 0.0 <= lower < upper <= 1.0:
        raise ValueError("need 0 <= lower < upper <= 1")
    for n in range(1, max_n + 1):
        for d in range(n, -1, -1):
            a = 1.0 - accept_probability(n, d, upper)
            b = accept_probability(n, d, lower)
            if a <= alpha and b <= beta:
                return Plan(n, d, a, b)
            if a > alpha:
                break  # smaller d only raises the risk of rejecting a good lot
    raise ValueError(f"no plan with n <= {max_n} meets alpha={alpha} and beta={beta}")


def draw_samples(lots: Mapping[str, Sequence[str]], n: int, *, seed: int) -> dict[str, list[str]]:
    """``n`` households drawn without replacement from each lot (all of a smaller lot).

    Deterministic for a ``seed``; lots are drawn in sorted order, so adding a lot
    does not change the samples of the others only when its name sorts last.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = random.Random(seed)
    return {lot: rng.sample(list(lots[lot]), min(n, len(lots[lot]))) for lot in sorted(lots)}


@attrs.frozen
class LotDecision:
    """The verdict on one lot."""

    lot: str
    sampled: int
    failures: int
    accepted: bool


def decision_value(d: int, n: int, sampled: int) -> int:
    """The decision value for a lot of which only ``sampled`` of the plan's ``n`` were checked.

    A lot smaller than the sample is checked whole; its allowed failures are the
    plan's, scaled down: ``floor(d * sampled / n)`` (the same failure rate). A
    3-household lot under the plan n = 19, d = 6 may fail 0 checks, not 6.
    """
    _check_plan(n, d)
    if not 0 <= sampled <= n:
        raise ValueError(f"a lot sampled {sampled} households, more than the plan's n = {n}")
    return d * sampled // n


def decide(results: Mapping[str, Sequence[bool]], d: int, *, n: int) -> list[LotDecision]:
    """Accept each lot whose sample has at most ``d`` failures (``False`` = not covered).

    ``n`` is the plan's sample size (:attr:`Plan.n`). A lot with a smaller
    sample (a lot smaller than ``n``, checked whole) is judged by
    :func:`decision_value`, so the sample size is never ignored; a sample
    larger than ``n`` is a ``ValueError``.
    """
    _check_plan(n, d)
    size = n
    out = []
    for lot in sorted(results):
        checks = results[lot]
        failures = sum(1 for ok in checks if not ok)
        allowed = decision_value(d, size, len(checks))
        out.append(LotDecision(lot, len(checks), failures, failures <= allowed))
    return out
