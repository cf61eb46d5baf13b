"""Loading plugins and collecting what they register.

- Built-in behaviour is a list of default plugin modules registered on the same
  manager as third-party plugins (the core is its own first plugin).
- Third-party plugins come from the ``gridgov`` entry-point group and are loaded
  lazily, on first use, never at ``import gridgov``.
- ``GRIDGOV_PLUGINS`` (comma-separated entry-point names) restricts which
  third-party plugins load; ``GRIDGOV_PLUGINS=`` (empty) loads none.
- Every hook is called through pluggy, ``pm.hook.gridgov_xxx(...)``, with keyword
  arguments: pluggy's ordering (``tryfirst``/``trylast``), wrappers
  (``wrapper=True``, old-style ``hookwrapper=True``) and tracing
  (``pm.trace``, ``pm.add_hookcall_monitoring``; ``GRIDGOV_TRACE_PLUGINS=1``
  writes every hook call to stderr) work for plugin authors.
- Each plugin is registered on pluggy through a *guard* (:class:`Guarded`): the
  plugin's own hook functions, each run under the plugin's name, so that what a
  ``register`` callback receives is attributed to the plugin that sent it, and a
  plain implementation that raises is recorded in :attr:`Plugins.errors` by name
  (what it registered in that call is dropped) while the other plugins' still run.
- Two plugins registering the same name for the same kind is a *clash*: that
  name alone is disabled (neither plugin's is used, as nobody can tell which
  one the user meant), the clash is recorded in :attr:`Plugins.errors` naming
  both plugins, and asking for the name raises :class:`PluginConflict` naming
  both. Everything else both plugins register keeps working, and ``gridgov
  plugins`` still lists everything and reports the clash.
- There is no global plugin state in the library's core: a :class:`Plugins` is a
  value (one pluggy ``PluginManager`` each) that the edge passes around;
  :func:`get_plugins` is only the command line's default one.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import importlib
import importlib.metadata as md
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from gridgov.errors import PluginConflict as PluginConflict
from gridgov.errors import UnknownComponent as UnknownComponent
from gridgov.errors import _deprecated_aliases
from gridgov.plugins import hookspecs

ENTRY_POINT_GROUP = "gridgov"
ENV_ALLOW = "GRIDGOV_PLUGINS"
ENV_TRACE = "GRIDGOV_TRACE_PLUGINS"

DEFAULT_PLUGINS: list[str] = [
    "gridgov.store.backends",
    "gridgov.notify.channels",
    "gridgov.duty.plugin",
]
"""Modules of the core registered as plugins (each module holds hookimpls)."""

KINDS = {
    "storage": "gridgov_storage_backends",
    "notifier": "gridgov_notifiers",
    "solver": "gridgov_roster_solvers",
    "rule": "gridgov_rules",
}


@attrs.frozen
class PluginProblem:
    """A record (not an exception): a plugin that failed to load, raised in a hook, or
    registered a name another plugin has."""

    plugin: str
    where: str
    message: str


if TYPE_CHECKING:
    PluginError = PluginProblem
    """Deprecated alias of :class:`PluginProblem` (a record, not an exception); removed in
    0.3. Using it warns (``DeprecationWarning``)."""
else:
    __getattr__ = _deprecated_aliases(__name__, {"PluginError": PluginProblem})


@attrs.frozen
class Registered:
    """One thing a plugin registered."""

    kind: str
    name: str
    value: Any
    plugin: str


@attrs.frozen
class PluginInfo:
    """A loaded plugin: its name, its distribution and version, what it registers."""

    name: str
    distribution: str | None
    version: str | None
    registers: tuple[str, ...]


_current: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "gridgov_plugin", default=None
)
"""The name of the plugin whose hook function is running (set by its guard)."""

_failures: contextvars.ContextVar[list[PluginProblem] | None] = contextvars.ContextVar(
    "gridgov_plugin_failures", default=None
)
"""Where the guards of the hook call under way record failures."""


class Guarded:
    """What gridgov registers on pluggy for one plugin: the plugin's hook functions,
    with the same hookimpl options, each run under the plugin's name.

    A plain implementation that raises is recorded (plugin, hook, message) and
    returns ``None``, so one failing plugin never stops the others' implementations;
    a wrapper (``wrapper=True`` / ``hookwrapper=True``) is passed through as a
    wrapper and what it raises goes to the caller as pluggy says. ``plugin`` is the
    object the plugin author registered.
    """

    def __init__(self, plugin: Any, name: str, pm: pluggy.PluginManager) -> None:
        self.plugin = plugin
        self.plugin_name = name
        for attr in dir(plugin):
            opts = pm.parse_hookimpl_opts(plugin, attr)
            if opts is None:
                continue
            function = getattr(plugin, attr)
            setattr(self, attr, _guard(function, name, attr, dict(opts)))

    def __repr__(self) -> str:
        return f"<gridgov plugin {self.plugin_name!r}: {self.plugin!r}>"


def _guard(function: Callable[..., Any], plugin: str, hook: str, opts: dict[str, Any]) -> Any:
    """``function`` run under ``plugin``'s name (see :class:`Guarded`)."""
    if opts.get("wrapper") or opts.get("hookwrapper"):

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = _current.set(plugin)
            try:
                return (yield from function(*args, **kwargs))
            except Exception as exc:
                if not hasattr(exc, "_gridgov_plugin"):
                    with contextlib.suppress(AttributeError, TypeError):
                        exc._gridgov_plugin = plugin  # type: ignore[attr-defined]
                raise
            finally:
                _current.reset(token)

        guarded: Any = wrapper
    else:

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            token = _current.set(plugin)
            try:
                return function(*args, **kwargs)
            except Exception as exc:  # a broken plugin must not take the others down
                sink = _failures.get()
                if sink is None:
                    raise
                sink.append(PluginProblem(plugin, hook, f"{type(exc).__name__}: {exc}"))
                return None
            finally:
                _current.reset(token)

        guarded = call
    setattr(guarded, f"{hookspecs.hookimpl.project_name}_impl", opts)
    return guarded


class Plugins:
    """A plugin manager with gridgov's policies; each has its own pluggy manager (``pm``).

    Register plugins with :meth:`register` (not ``pm.register``): it puts the
    plugin's guard on ``pm``. A plugin put on ``pm`` directly is given its guard
    before the next hook call.
    """

    def __init__(self, *, load_entry_points: bool = True, defaults: bool = True) -> None:
        self.pm = pluggy.PluginManager("gridgov")
        self.pm.add_hookspecs(hookspecs)
        self.errors: list[PluginProblem] = []
        self.dists: dict[str, tuple[str | None, str | None]] = {}
        self._registries: dict[str, dict[str, Registered]] = {}
        self._clashes: dict[tuple[str, str], list[str]] = {}
        self._disabled: dict[str, dict[str, tuple[str, ...]]] = {}
        self._lock = threading.RLock()
        if os.environ.get(ENV_TRACE, "") not in ("", "0"):
            self.trace_to(sys.stderr.write)
        if defaults:
            for modname in DEFAULT_PLUGINS:
                self._register_module(modname, name=modname)
        if load_entry_points:
            self._load_entry_points()
        self.pm.check_pending()

    def _register_module(self, modname: str, *, name: str) -> None:
        try:
            module = importlib.import_module(modname)
            self._put(module, name)
            self.dists.setdefault(name, ("gridgov", _version("gridgov")))
        except Exception as exc:  # a broken plugin must not take the rest down
            self.errors.append(PluginProblem(name, "import", f"{type(exc).__name__}: {exc}"))

    def _load_entry_points(self) -> None:
        allow_env = os.environ.get(ENV_ALLOW)
        allow = (
            None if allow_env is None else {a.strip() for a in allow_env.split(",") if a.strip()}
        )
        for ep in md.entry_points(group=ENTRY_POINT_GROUP):
            if allow is not None and ep.name not in allow:
                continue
            if self.pm.get_plugin(ep.name) is not None:
                continue
            try:
                plugin = ep.load()
                self._put(plugin, ep.name)
            except Exception as exc:
                self.errors.append(PluginProblem(ep.name, "import", f"{type(exc).__name__}: {exc}"))
                continue
            dist = ep.dist
            self.dists[ep.name] = (dist.name if dist else None, dist.version if dist else None)

    def _put(self, plugin: Any, name: str | None) -> str:
        """Register ``plugin``'s guard on ``pm`` under ``name`` (default: pluggy's name)."""
        if isinstance(plugin, Guarded):
            plugin = plugin.plugin
        name = name or self.pm.get_canonical_name(plugin)
        if self.pm.get_plugin(name) is not None or self.pm.is_blocked(name):
            raise ValueError(f"a plugin named {name!r} is already registered")
        self.pm.register(Guarded(plugin, name, self.pm), name=name)
        return name

    def register(self, plugin: Any, name: str | None = None) -> str:
        """Register a plugin object (a module or an object with hookimpls); its name back."""
        with self._lock:
            name = self._put(plugin, name)
            self._registries.clear()
            return name

    def unregister(self, name: str) -> None:
        """Remove a plugin by name."""
        with self._lock:
            self.pm.unregister(name=name)
            self._registries.clear()

    def plugin(self, name: str) -> Any:
        """The object registered as ``name`` (the plugin itself, not its guard), or ``None``."""
        found = self.pm.get_plugin(name)
        return found.plugin if isinstance(found, Guarded) else found

    def trace_to(self, write: Callable[[str], object]) -> Callable[[], None]:
        """Write every hook call (hook, arguments, the plugins called) with ``write``;
        the returned function stops it. ``GRIDGOV_TRACE_PLUGINS=1`` does this to stderr."""

        def before(hook_name: str, impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
            names = ", ".join(i.plugin_name for i in reversed(impls))
            write(f"gridgov: plugin hook {hook_name}({', '.join(sorted(kwargs))}) -> {names}\n")

        def after(
            outcome: Any, hook_name: str, impls: Sequence[Any], kwargs: Mapping[str, Any]
        ) -> None:
            if outcome.exception is not None:
                write(f"gridgov: plugin hook {hook_name} raised {outcome.exception!r}\n")

        return self.pm.add_hookcall_monitoring(before, after)

    def _adopt_unguarded(self) -> None:
        """Give a plugin put on ``pm`` directly (bypassing :meth:`register`) its guard."""
        for name, plugin in list(self.pm.list_name_plugin()):
            if plugin is not None and not isinstance(plugin, Guarded):
                self.pm.unregister(name=name)
                self.pm.register(Guarded(plugin, name, self.pm), name=name)

    def call(self, hook_name: str, **kwargs: Any) -> tuple[Any, list[PluginProblem]]:
        """``pm.hook.<hook_name>(**kwargs)`` with the guards recording failures: the
        hook's result and the failures of this call (also added to :attr:`errors`)."""
        with self._lock:
            self._adopt_unguarded()
        sink: list[PluginProblem] = []
        token = _failures.set(sink)
        try:
            result = getattr(self.pm.hook, hook_name)(**kwargs)
        except Exception as exc:  # a wrapper raised: the call as a whole failed
            who = getattr(exc, "_gridgov_plugin", "?")
            sink.append(PluginProblem(who, hook_name, f"{type(exc).__name__}: {exc}"))
            result = None
        finally:
            _failures.reset(token)
        for err in sink:
            self._record(err)
        return result, sink

    def _record(self, err: PluginProblem) -> None:
        """Add ``err`` to :attr:`errors` once (collecting again reports nothing twice)."""
        if err not in self.errors:
            self.errors.append(err)

    def registry(self, kind: str) -> dict[str, Registered]:
        """Everything of ``kind`` (``storage``, ``notifier``, ``solver``, ``rule``) by name."""
        with self._lock:
            if kind not in self._registries:
                self._registries[kind] = self._collect(kind)
            return self._registries[kind]

    def _collect(self, kind: str) -> dict[str, Registered]:
        hook_name = KINDS[kind]
        sent: dict[str, dict[str, Registered]] = {}  # by plugin, in call order

        def register(name: str, value: Any) -> None:
            plugin = _current.get() or "?"
            mine = sent.setdefault(plugin, {})
            if not isinstance(name, str) or not name:
                raise PluginConflict(f"plugin {plugin!r} registered a {kind} without a name")
            if name in mine:
                raise PluginConflict(f"plugin {plugin!r} registered {kind} {name!r} twice")
            mine[name] = Registered(kind, name, value, plugin)

        _, failures = self.call(hook_name, register=register)
        failed = {f.plugin for f in failures}
        for key in [k for k in self._clashes if k[0] == kind]:
            del self._clashes[key]
        found: dict[str, Registered] = {}
        disabled: set[str] = set()
        for plugin, mine in sent.items():
            if plugin in failed:
                continue  # what a failing plugin registered before it failed is not used
            for name, item in mine.items():
                other = found.get(name)
                if name in disabled or other is not None:
                    claimants = self._clashes.setdefault((kind, name), [])
                    if other is not None:
                        claimants.append(other.plugin)
                    claimants.append(plugin)
                    message = (
                        f"{kind} {name!r} is registered by both {claimants[0]!r} and {plugin!r}; "
                        "it is disabled until one of them is removed"
                    )
                    self._record(PluginProblem(plugin, hook_name, message))
                    found.pop(name, None)
                    disabled.add(name)
                    continue
                found[name] = item
        self._disabled[kind] = {n: tuple(self._clashes[(kind, n)]) for n in disabled}
        return found

    def get(self, kind: str, name: str) -> Any:
        """The value registered as ``name``; :class:`UnknownComponent` lists what there is."""
        reg = self.registry(kind)
        clashed = self._disabled.get(kind, {})
        if name in clashed:
            who = " and ".join(repr(p) for p in clashed[name])
            raise PluginConflict(
                f"{kind} {name!r} is disabled: it is registered by both {who} "
                "(remove one of them; see `gridgov plugins`)"
            )
        if name not in reg:
            have = ", ".join(sorted(reg)) or "none"
            raise UnknownComponent(f"no {kind} named {name!r} (available: {have})")
        return reg[name].value

    def rule_table(self) -> dict[str, Any]:
        """Every rule class by name, for ``compile_problem(problem, rules=...)`` and the
        duty functions' ``rules=`` (the core never asks the plugin manager itself).

        The built-ins come through the core's own plugin (``gridgov.duty.plugin``);
        a name two plugins registered is left out (see :meth:`get`).
        """
        return {name: item.value for name, item in self.registry("rule").items()}

    def disabled(self, kind: str) -> dict[str, tuple[str, ...]]:
        """Names of ``kind`` disabled by a clash, each with the plugins that registered it."""
        self.registry(kind)
        return dict(self._disabled.get(kind, {}))

    def emit(self, event: Any) -> list[PluginProblem]:
        """Call every ``gridgov_event`` observer (``pm.hook.gridgov_event(event=...)``);
        a failing observer is recorded and returned, not raised, and the others still run."""
        _, failures = self.call("gridgov_event", event=event)
        return failures

    def info(self) -> list[PluginInfo]:
        """The loaded plugins with their distributions, versions and registrations."""
        regs: dict[str, list[str]] = {}
        for kind in KINDS:
            for item in self.registry(kind).values():
                regs.setdefault(item.plugin, []).append(f"{kind}:{item.name}")
        out = []
        for name, _plugin in self.pm.list_name_plugin():
            dist, version = self.dists.get(name, (None, None))
            out.append(PluginInfo(name, dist, version, tuple(regs.get(name, ()))))
        return out


def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


_shared: Plugins | None = None
_shared_lock = threading.Lock()


def get_plugins() -> Plugins:
    """The process-wide plugin manager, created (and plugins loaded) on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Plugins()
        return _shared


@contextmanager
def use_plugins(plugins: Plugins) -> Iterator[Plugins]:
    """Make ``plugins`` the shared manager for a block (tests get a fresh one each)."""
    global _shared
    with _shared_lock:
        old, _shared = _shared, plugins
    try:
        yield plugins
    finally:
        with _shared_lock:
            _shared = old


def plugin_errors() -> list[PluginProblem]:
    """Failures recorded by the shared manager so far."""
    return list(get_plugins().errors)
