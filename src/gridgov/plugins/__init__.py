"""gridgov's plugin system (pluggy, project and entry-point group ``gridgov``).

A plugin writes ``from gridgov import hookimpl`` and implements any of the hooks
in :mod:`gridgov.plugins.hookspecs`.
"""

from gridgov.plugins.hookspecs import hookimpl, hookspec
from gridgov.plugins.manager import (
    DEFAULT_PLUGINS,
    ENTRY_POINT_GROUP,
    KINDS,
    PluginConflict,
    PluginError,
    PluginInfo,
    PluginProblem,
    Plugins,
    Registered,
    UnknownComponent,
    get_plugins,
    plugin_errors,
    use_plugins,
)

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
