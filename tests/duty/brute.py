"""An independent, deliberately naive checker of the built-in rules (for tests only).

It reads the Problem and the Roster directly (no compiled indexes, no grid) and
returns the total hard amount and soft penalty per rule name.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from gridgov.duty.model import Problem, Roster


def brute_costs(problem: Problem, roster: Roster) -> dict[str, tuple[int, int]]:
    h = problem.horizon
    days = list(range(h.days))
    shifts = {s.id: s for s in problem.shifts}
    res = {r.id: r for r in problem.resources}
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_rd: dict[tuple[str, int], list] = defaultdict(list)
    for a in roster.assignments:
        by_rd[(a.resource, a.day)].append(a)
    first = {k: v[0] for k, v in by_rd.items()}
    out["one_shift_a_day"][0] += sum(len(v) - 1 for v in by_rd.values())
    rules = {c.name: c for c in problem.rules}
    for rid, r in res.items():
        lim = r.limits.over(problem.defaults)
        work = [first.get((rid, d)) for d in days]
        # unavailable
        out["unavailable"][0] += sum(1 for d in days if work[d] and d in r.unavailable)
        # successions and rest
        for d in days[1:]:
            a, b = work[d - 1], work[d]
            if a and b:
                sa, sb = shifts[a.shift], shifts[b.shift]
                if b.shift in sa.forbidden_next:
                    out["forbidden_succession"][0] += 1
                end = sa.start.hour * 60 + sa.start.minute + sa.minutes
                rest = 24 * 60 + sb.start.hour * 60 + sb.start.minute - end
                if rest < (lim.min_rest_minutes or 0):
                    out["min_rest"][0] += 1
        # stretches
        stretch: list[tuple[int, int, bool]] = []
        d = 0
        while d < h.days:
            e = d
            while e < h.days and bool(work[e]) == bool(work[d]):
                e += 1
            stretch.append((d, e - d, bool(work[d])))
            d = e
        for start, n, w in stretch:
            inner = start > 0 and start + n < h.days
            if w and lim.max_consecutive is not None and n > lim.max_consecutive:
                out["max_consecutive"][0] += n - lim.max_consecutive
            if w and inner and lim.min_consecutive and n < lim.min_consecutive:
                out["min_consecutive"][0] += lim.min_consecutive - n
            if not w and inner and lim.min_days_off and n < lim.min_days_off:
                out["min_days_off"][0] += lim.min_days_off - n
        cnt = Counter(a.shift for a in work if a)
        for sid, m in lim.max_shifts.items():
            if cnt[sid] > m:
                out["max_shifts_per_type"][0] += cnt[sid] - m
        total = sum(shifts[a.shift].minutes for a in work if a)
        unit = min(s.minutes for s in problem.shifts)
        if lim.max_minutes is not None and total > lim.max_minutes:
            out["total_minutes"][0] += -(-(total - lim.max_minutes) // unit)
        if lim.min_minutes is not None and total < lim.min_minutes:
            out["total_minutes"][0] += -(-(lim.min_minutes - total) // unit)
        if lim.max_weekends is not None:
            weeks = {(h.date(d).toordinal() - 1) // 7 for d in days if h.is_weekend(d) and work[d]}
            out["max_weekends"][0] += max(0, len(weeks) - lim.max_weekends)
        w_req = rules["shift_requests"].weight if "shift_requests" in rules else 0
        for q in r.requests:
            a = work[q.day]
            if q.on:
                missed = a is None if q.shift is None else (a is None or a.shift != q.shift)
            else:
                missed = (
                    a is not None if q.shift is None else (a is not None and a.shift == q.shift)
                )
            if missed:
                out["shift_requests"][1] += q.weight * w_req
    # slots
    for post in problem.posts:
        for s in problem.shifts:
            for d in days:
                need = None
                for n in post.needs:
                    if n.shift == s.id and (not n.days or d in n.days):
                        need = n
                members = [
                    a
                    for a in first.values()
                    if a.day == d and a.shift == s.id and a.post == post.id
                ]
                k = len(members)
                if need is None:
                    out["cover"][0] += k
                    continue
                target = need.target if need.target is not None else need.min
                out["cover"][0] += max(0, need.min - k)
                if need.max is not None:
                    out["cover"][0] += max(0, k - need.max)
                out["cover"][1] += max(0, target - k) * need.weight_under
                out["cover"][1] += max(0, k - target) * need.weight_over
                if need.leader and k and not any(res[a.resource].leader for a in members):
                    out["leadership"][0] += 1
                for skill, c in need.skills.items():
                    have = sum(1 for a in members if skill in res[a.resource].skills)
                    out["skills"][0] += max(0, c - have)
    return {k: (v[0], v[1]) for k, v in out.items() if v != [0, 0]}
