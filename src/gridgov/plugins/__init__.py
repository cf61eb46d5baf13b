"""gridgov's plugin system (pluggy, project and entry-point group ``gridgov``).

A plugin writes ``from gridgov import hookimpl`` and implements any of the hooks
in :mod:`gridgov.plugins.hookspecs`.
"""

from typing import TYPE_CHECKING

from gridgov.plugins.hookspecs import hookimpl, hookspec
from gridgov.plugins.manager import (
    DEFAULT_PLUGINS,
    ENTRY_POINT_GROUP,
    KINDS,
    PluginConflict,
    PluginInfo,
    PluginProblem,
    Plugins,
    Registered,
    UnknownComponent,
    get_plugins,
    plugin_errors,
    use_plugins,
)

if TYPE_CHECKING:
    from gridgov.plugins.manager import PluginError
else:
    from gridgov.errors import _deprecated_aliases

    __getattr__ = _deprecated_aliases(__name__, {"PluginError": PluginProblem})

__all__ = [
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "KINDS",
    "PluginConflict",
    "PluginError",
    "PluginInfo",
    "PluginProblem",
    "Plugins",
    "Registered",
    "UnknownComponent",
    "get_plugins",
    "hookimpl",
    "hookspec",
    "plugin_errors",
    "use_plugins",
]
