"""gridgov — community grid governance in emergencies.

Organisation hierarchies (:mod:`gridgov.org`), duty rosters, sweep coverage, and
a pluggy plugin interface. See the README for a tour.
"""

from gridgov.errors import (
    ChangeRefused,
    GridgovError,
    HierarchyError,
    InvalidInput,
    SourceError,
    UnknownUnit,
)
from gridgov.plugins.hookspecs import hookimpl

__version__ = "0.1.0"

__all__ = [
    "ChangeRefused",
    "GridgovError",
    "HierarchyError",
    "InvalidInput",
    "SourceError",
    "UnknownUnit",
    "__version__",
    "hookimpl",
]
