"""``gridgov sweep follow-up | lqas plan | lqas decide | reinforce``: the rest of gridgov.sweep.

- ``follow-up``: daily follow-up of isolated and vulnerable residents, due versus
  seen per unit, with the time-since-last-seen buckets (:mod:`gridgov.sweep.followup`).
- ``lqas plan``: the sampling plan (n, d) for two coverage thresholds and, with
  ``--org``, the households to check in each lot (:mod:`gridgov.sweep.lqas`).
- ``lqas decide``: accept or reject each lot from the monitors' checks.
- ``reinforce``: the dispatch of paired government units' cadres where households
  per worker are highest (:mod:`gridgov.sweep.reinforce`).

Every table names each unit beside its id.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gridgov.cli.common import UsageError, add_levels_option, emit_table, levels_for, load_tree
from gridgov.cli.groups import command_group
from gridgov.errors import InvalidInput, SourceProblem
from gridgov.fsutil import atomic_write_text

if TYPE_CHECKING:  # loaded only when a command runs (fast start-up)
    from gridgov.org.hierarchy import Hierarchy
    from gridgov.sweep.model import Household


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sweep follow-up``, ``sweep lqas plan|decide`` and ``sweep reinforce``."""
    sweep = command_group(sub, "sweep", "door-to-door sweeps")

    p = sweep.add_parser(
        "follow-up", help="daily follow-up: residents due versus seen per unit, and buckets"
    )
    _tree_inputs(p)
    p.add_argument("--residents", required=True, metavar="RESIDENTS.jsonl")
    p.add_argument("--visits", required=True, metavar="VISITS.csv")
    p.add_argument("--sweep", default=None, metavar="ID", help="only this sweep's visits")
    p.add_argument(
        "--by", default="community", metavar="LEVEL", help="one row per unit (community)"
    )
    p.add_argument("--from", dest="first", default=None, metavar="DATE", help="first day (--to)")
    p.add_argument(
        "--to", dest="last", default=None, metavar="DATE", help="report day (last visit)"
    )
    p.add_argument("--tz", default="UTC", help="the zone visit days are counted in")
    p.add_argument("--format", choices=("csv", "json", "table"), default="table")
    p.set_defaults(func=cmd_follow_up)

    lqas = sweep.add_parser("lqas", help="lot quality assurance sampling: plan and decide")
    lsub = lqas.add_subparsers(dest="lqas_command", metavar="SUBCOMMAND", required=True)
    p = lsub.add_parser("plan", help="sample size n and decision value d; samples per lot")
    p.add_argument("--upper", type=float, default=0.8, help="coverage of a good lot (0.8)")
    p.add_argument("--lower", type=float, default=0.5, help="coverage of a bad lot (0.5)")
    p.add_argument("--alpha", type=float, default=0.1, help="risk of rejecting a good lot")
    p.add_argument("--beta", type=float, default=0.1, help="risk of accepting a bad lot")
    p.add_argument("--org", default=None, metavar="ORG.csv", help="draw samples from this tree")
    p.add_argument("--households", default=None, metavar="HH.csv")
    p.add_argument("--by", default="grid", metavar="LEVEL", help="the lots (grid)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, metavar="FILE", help="write the samples here (CSV)")
    add_levels_option(p)
    p.set_defaults(func=cmd_lqas_plan)

    p = lsub.add_parser("decide", help="accept or reject each lot from the monitors' checks")
    p.add_argument("results", metavar="CHECKS.csv", help="lot,household,covered (yes/no)")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--d", type=int, default=None, help="the decision value (with --n, the sample size)"
    )
    group.add_argument(
        "--upper", type=float, default=None, help="with --lower: d from the plan for these"
    )
    p.add_argument("--lower", type=float, default=0.5)
    p.add_argument(
        "--n",
        type=int,
        default=None,
        help="with --d: the plan's sample size (default: the largest sample); a lot "
        "sampled fewer households is judged by d scaled to its sample",
    )
    p.add_argument("--org", default=None, metavar="ORG.csv", help="names for the lots")
    add_levels_option(p)
    p.add_argument("--format", choices=("csv", "json", "table"), default="table")
    p.set_defaults(func=cmd_lqas_decide)

    p = sweep.add_parser(
        "reinforce", help="cadres of paired government units sent where the need is highest"
    )
    _tree_inputs(p, households_required=False)
    p.add_argument("--level", default="community", help="the paired units' level (community)")
    p.add_argument("--workers", default="cadres,volunteers", help="attributes counted as workers")
    p.add_argument("--show", choices=("dispatch", "needs"), default="dispatch")
    p.add_argument("--format", choices=("csv", "json", "table"), default="table")
    p.set_defaults(func=cmd_reinforce)


def _tree_inputs(p: argparse.ArgumentParser, *, households_required: bool = True) -> None:
    p.add_argument("--org", required=True, metavar="ORG.csv", help="the hierarchy")
    p.add_argument("--households", required=households_required, metavar="HH.csv")
    add_levels_option(p)


def _level(tree: Hierarchy, level: str, option: str) -> str:
    if level not in tree.levels:
        raise UsageError(
            f"{option}: unknown level {level!r} (expected one of {', '.join(tree.levels)})"
        )
    return level


def _unit_of(tree: Hierarchy, households: list[Household], level: str) -> dict[str, str | None]:
    """Household id → its unit at ``level`` (through its building when not in the tree)."""
    out: dict[str, str | None] = {}
    for hh in households:
        anchor = hh.id if hh.id in tree else hh.building
        out[hh.id] = tree.level_of_ancestor(anchor, level) if anchor in tree else None
    return out


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option}: not an ISO date: {text!r}") from None


def cmd_follow_up(args: argparse.Namespace) -> int:
    """Due versus seen per unit on each day; buckets on the report day."""
    from gridgov.cli.sweep_cmd import parse_zone
    from gridgov.sweep.csv_io import read_households
    from gridgov.sweep.followup import BUCKETS, follow_up
    from gridgov.sweep.residents_io import read_residents
    from gridgov.sweep.visit_format import read_visits

    tree = load_tree(args.org, levels_for(args))
    level = _level(tree, args.by, "--by")
    zone = parse_zone(args.tz)
    households = read_households(args.households)
    residents = read_residents(args.residents)
    visits = read_visits(args.visits, sweep=args.sweep)
    if args.sweep is not None:
        visits = [v for v in visits if v.sweep == args.sweep]
    days = sorted(v.at.astimezone(zone).date() if v.at.tzinfo else v.at.date() for v in visits)
    last = _date(args.last, "--to") or (days[-1] if days else None)
    if last is None:
        raise UsageError("no visits to count and no --to day given")
    first = _date(args.first, "--from") or last
    if last < first:
        raise UsageError("--to is before --from")
    unit_of = _unit_of(tree, households, level)
    groups: dict[str | None, list[Any]] = {}
    unknown = 0
    for r in residents:
        if r.household not in unit_of:
            unknown += 1
        groups.setdefault(unit_of.get(r.household), []).append(r)
    order: list[str | None] = [u for u in tree.at_level(level) if u in groups]
    if None in groups:
        order.append(None)
    rows = []
    total_due = total_seen = 0
    buckets: Counter[str] = Counter()
    for unit in order:
        report = follow_up(groups[unit], visits, first, last, zone=zone)
        due = sum(d.due for d in report.days)
        seen = sum(d.seen for d in report.days)
        total_due += due
        total_seen += seen
        buckets.update(report.last_seen)
        rows.append(
            (
                unit or "",
                tree[unit].name if unit else "(outside the tree)",
                due,
                seen,
                round(seen / due, 4) if due else 1.0,
                *(report.last_seen[b] for b in BUCKETS),
            )
        )
    header = ("unit_id", "name", "due", "seen", "compliance", *(f"last_seen_{b}" for b in BUCKETS))
    emit_table(header, rows, args.format)
    share = total_seen / total_due if total_due else 1.0
    print(
        f"follow-up {first} to {last}: {total_seen:,} of {total_due:,} due checks done "
        f"({share:.1%}); " + ", ".join(f"{buckets[b]:,} last seen {b}" for b in BUCKETS),
        file=sys.stderr,
    )
    if unknown:
        print(
            f"gridgov: {unknown} resident(s) of households not in {args.households}",
            file=sys.stderr,
        )
    return 0


def cmd_lqas_plan(args: argparse.Namespace) -> int:
    """Print the plan; with ``--org`` and ``--households``, the samples of every lot."""
    from gridgov.sweep.lqas import choose_plan, draw_samples

    try:
        plan = choose_plan(args.upper, args.lower, alpha=args.alpha, beta=args.beta)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print(
        f"sample n={plan.n} households a lot, accept when at most d={plan.d} fail "
        f"(risk of rejecting a {args.upper:.0%} lot {plan.alpha:.1%}, "
        f"of accepting a {args.lower:.0%} lot {plan.beta:.1%})"
    )
    if args.org is None:
        return 0
    if args.households is None:
        raise UsageError("--org needs --households (the households to draw from)")
    from gridgov.sweep.csv_io import read_households

    tree = load_tree(args.org, levels_for(args))
    level = _level(tree, args.by, "--by")
    unit_of = _unit_of(tree, read_households(args.households), level)
    lots: dict[str, list[str]] = {}
    for hid, unit in unit_of.items():
        if unit is not None:
            lots.setdefault(unit, []).append(hid)
    samples = draw_samples(lots, plan.n, seed=args.seed)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(("lot", "lot_name", "household", "covered"))
    for lot, hids in samples.items():
        for hid in hids:
            writer.writerow((lot, tree[lot].name, hid, ""))
    if args.out:
        atomic_write_text(Path(args.out), buf.getvalue())
        n = sum(len(v) for v in samples.values())
        print(f"{n:,} households to check in {len(samples):,} lots written to {args.out}")
    else:
        sys.stdout.write(buf.getvalue())
    return 0


_YES = {"1", "yes", "y", "true"}
_NO = {"0", "no", "n", "false"}


def _read_checks(path: str) -> dict[str, list[bool]]:
    p = Path(path)
    text = p.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in ("lot", "covered") if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(
            [SourceProblem("missing column", field=c, row=1, file=path) for c in missing]
        )
    out: dict[str, list[bool]] = {}
    errors = []
    for n, row in enumerate(reader, start=2):
        lot = (row.get("lot") or "").strip()
        cell = (row.get("covered") or "").strip().lower()
        if not lot:
            errors.append(SourceProblem("empty", field="lot", row=n, file=path))
        elif cell in _YES | _NO:
            out.setdefault(lot, []).append(cell in _YES)
        else:
            errors.append(
                SourceProblem(
                    f"expected yes or no, got {row.get('covered')!r}",
                    field="covered",
                    row=n,
                    file=path,
                )
            )
    if errors:
        raise InvalidInput(errors)
    return out


def cmd_lqas_decide(args: argparse.Namespace) -> int:
    """Accept or reject every lot; exit 1 when any lot is rejected (it needs a re-sweep)."""
    from gridgov.sweep.lqas import choose_plan, decide

    d, n = args.d, args.n
    if d is None:
        try:
            plan = choose_plan(args.upper, args.lower)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        d, n = plan.d, plan.n
    if d < 0:
        raise UsageError("--d must be 0 or more")
    checks = _read_checks(args.results)
    if n is None:
        n = max([d, 1, *(len(c) for c in checks.values())])
    try:
        decisions = decide(checks, d, n=n)
    except ValueError as exc:
        raise UsageError(f"--n: {exc}") from None
    tree = load_tree(args.org, levels_for(args)) if args.org else None

    def name(lot: str) -> str:
        unit = tree.get(lot) if tree is not None else None
        return unit.name if unit is not None else ""

    rows = [
        (x.lot, name(x.lot), x.sampled, x.failures, "accepted" if x.accepted else "rejected")
        for x in decisions
    ]
    emit_table(("lot", "name", "sampled", "failures", "verdict"), rows, args.format)
    rejected = sum(1 for x in decisions if not x.accepted)
    print(
        f"d={d}: {len(decisions) - rejected} lot(s) accepted, {rejected} to re-sweep",
        file=sys.stderr,
    )
    return 1 if rejected else 0


def cmd_reinforce(args: argparse.Namespace) -> int:
    """Print the dispatch plan (or every community's need before and after)."""
    from gridgov.sweep.reinforce import households_per_community, plan_reinforcement

    tree = load_tree(args.org, levels_for(args))
    level = _level(tree, args.level, "--level")
    if not tree.relations.gov_units:
        raise InvalidInput(
            [
                SourceProblem(
                    "no government unit is paired with a unit (the pairings live in the "
                    "relations file beside a CSV tree, or in JSON/GraphML)",
                    file=args.org,
                )
            ]
        )
    counts = None
    if args.households:
        from gridgov.sweep.csv_io import read_households

        per_unit: Counter[str] = Counter()
        for hh in read_households(args.households):
            per_unit[hh.building] += 1
        counts = dict(per_unit)
    need = households_per_community(tree, counts, level=level)
    workers = [w.strip() for w in args.workers.split(",") if w.strip()]
    plan = plan_reinforcement(tree, need, worker_attributes=workers)
    gov = tree.relations.gov_units

    def name(uid: str) -> str:
        unit = tree.get(uid)
        return unit.name if unit is not None else ""

    if args.show == "dispatch":
        rows: list[tuple[Any, ...]] = [
            (x.gov_unit, gov[x.gov_unit].name, x.community, name(x.community), x.cadres)
            for x in plan.dispatches
        ]
        emit_table(("gov_unit", "gov_name", "unit_id", "name", "cadres"), rows, args.format)
    else:
        rows = [
            (
                n.community,
                name(n.community),
                n.households,
                n.workers,
                n.received,
                round(n.before, 2),
                round(n.after, 2),
            )
            for n in plan.needs
        ]
        header = ("unit_id", "name", "households", "workers", "received", "before", "after")
        emit_table(header, rows, args.format)
    sent = sum(x.cadres for x in plan.dispatches)
    worst = max((n.before for n in plan.needs), default=0.0)
    after = max((n.after for n in plan.needs), default=0.0)
    print(
        f"{sent:,} cadres dispatched from {len(gov)} government units; highest households "
        f"per worker {worst:.1f} before, {after:.1f} after"
        + (f"; {sum(plan.unsent.values())} left unsent" if plan.unsent else ""),
        file=sys.stderr,
    )
    return 0
