"""gridgov — community grid governance in emergencies.

Organisation hierarchies (:mod:`gridgov.org`), duty rosters, sweep coverage, and
a pluggy plugin interface. See the README for a tour.
"""

from typing import TYPE_CHECKING

from gridgov.errors import (
    ChangeRefused,
    DeliveryFailed,
    EngineUnavailable,
    GridgovError,
    HierarchyError,
    InvalidInput,
    NumberError,
    PluginConflict,
    ScopeError,
    SourceProblem,
    StoreError,
    UnknownComponent,
    UnknownUnit,
    UsageError,
)
from gridgov.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from gridgov.errors import SourceError
else:
    from gridgov.errors import _deprecated_aliases

    __getattr__ = _deprecated_aliases(__name__, {"SourceError": SourceProblem})

__version__ = "0.1.0"

__all__ = [
    "ChangeRefused",
    "DeliveryFailed",
    "EngineUnavailable",
    "GridgovError",
    "HierarchyError",
    "InvalidInput",
    "NumberError",
    "PluginConflict",
    "ScopeError",
    "SourceError",
    "SourceProblem",
    "StoreError",
    "UnknownComponent",
    "UnknownUnit",
    "UsageError",
    "__version__",
    "hookimpl",
]
