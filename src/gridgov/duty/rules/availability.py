"""Rules on when a resource may or wants to work: unavailability and shift requests."""

from __future__ import annotations

from collections.abc import Sequence

from gridgov.duty.rules.base import RESOURCE, Cost, Out, Rule


class Unavailable(Rule):
    """No work on a resource's fixed days off or unavailable dates."""

    name = "unavailable"
    scope = RESOURCE
    description = "no shift on a day the resource is unavailable (fixed day off, leave)"

    def resource_cost(self, r: int, shifts: Sequence[int], posts: Sequence[int], out: Out) -> Cost:
        amount = 0
        for d in self.cp.unavailable_days[r]:
            s = shifts[d]
            if s >= 0:
                amount += 1
                if out is not None:
                    cp = self.cp
                    out.append(
                        self.violation(
                            1,
                            f"{cp.labels[r]} is on the {cp.shift_label(s)} shift on "
                            f"{cp.date(d)} but is unavailable that day",
                            r=r,
                            d=d,
                            s=s,
                            p=posts[d],
                        )
                    )
        return self.cost(amount)


class ShiftRequests(Rule):
    """Requests to work (on) or not work (off) a shift, each with its own weight.

    The weight of the request is the penalty; the rule's own weight multiplies it.
    """

    name = "shift_requests"
    scope = RESOURCE
    description = "shift on/off requests, each with its weight"

    def resource_cost(self, r: int, shifts: Sequence[int], posts: Sequence[int], out: Out) -> Cost:
        cp = self.cp
        amount = 0
        for (d, s), w in cp.on_req[r].items():
            worked = shifts[d]
            if (s == -1 and worked < 0) or (s >= 0 and worked != s):
                amount += w
                if out is not None:
                    what = "a shift" if s < 0 else f"the {cp.shift_label(s)} shift"
                    out.append(
                        self.violation(
                            w,
                            f"{cp.labels[r]} asked to work {what} on {cp.date(d)}",
                            r=r,
                            d=d,
                            s=s,
                        )
                    )
        for (d, s), w in cp.off_req[r].items():
            worked = shifts[d]
            if (s == -1 and worked >= 0) or (s >= 0 and worked == s):
                amount += w
                if out is not None:
                    what = (
                        "for the day off" if s < 0 else f"not to work the {cp.shift_label(s)} shift"
                    )
                    out.append(
                        self.violation(
                            w,
                            f"{cp.labels[r]} asked {what} on {cp.date(d)}",
                            r=r,
                            d=d,
                            s=worked,
                        )
                    )
        return (amount, 0) if self.hard else (0, amount * self.weight)
