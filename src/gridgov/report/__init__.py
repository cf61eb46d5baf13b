"""The coordinator's report: one self-contained HTML page of a sweep and its roster.

:func:`build_report` computes what the page shows from values (pure, with the
library's own coverage, re-visit queue, follow-up and staff-need rules),
:func:`load_report` reads those values from a store, and :func:`report_html`
renders the page (inline styles and script, no network, every text escaped,
personal data masked unless the report was built with ``mask=False``).
``gridgov report`` is the command.
"""

from gridgov.report.build import (
    DEFAULT_THRESHOLD,
    build_report,
    coverage_bars,
    follow_up_section,
    queue_summary,
    roster_grid,
)
from gridgov.report.from_store import load_report, pick_sweep, published_roster, roster_from_doc
from gridgov.report.html import report_html
from gridgov.report.model import (
    FollowUpSection,
    OverdueRow,
    QueueRow,
    QueueSummary,
    Report,
    RosterCell,
    RosterGrid,
    RosterRow,
    UnitBar,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "FollowUpSection",
    "OverdueRow",
    "QueueRow",
    "QueueSummary",
    "Report",
    "RosterCell",
    "RosterGrid",
    "RosterRow",
    "UnitBar",
    "build_report",
    "coverage_bars",
    "follow_up_section",
    "load_report",
    "pick_sweep",
    "published_roster",
    "queue_summary",
    "report_html",
    "roster_from_doc",
    "roster_grid",
]
