"""The plugin system: every hook has a test here (``test_hook_<name>``), and the policies.

Like datasette's ``tests/test_plugins.py``: adding a hook spec without a test fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types

import pytest

from gridgov import events as ev
from gridgov.cli import main
from gridgov.errors import StoreError
from gridgov.notify import ChannelSpec, build_channels
from gridgov.plugins import (
    PluginConflict,
    Plugins,
    UnknownComponent,
    hookimpl,
    hookspecs,
    use_plugins,
)
from gridgov.store import MemoryStore, open_store

KEY = b"gridgov test secret, 32 bytes"  # the workspace secret event ids are keyed by

HOOKS = sorted(n for n in vars(hookspecs) if n.startswith("gridgov_"))


def _plugin(**hooks: object) -> types.SimpleNamespace:
    return types.SimpleNamespace(**{k: hookimpl(v) for k, v in hooks.items()})


def test_every_hook_has_a_test() -> None:
    tested = {n.removeprefix("test_hook_") for n in globals() if n.startswith("test_hook_")}
    assert set(HOOKS) - tested == set()
    assert HOOKS == [
        "gridgov_event",
        "gridgov_notifiers",
        "gridgov_roster_solvers",
        "gridgov_rules",
        "gridgov_storage_backends",
    ]


def test_hook_gridgov_storage_backends() -> None:
    made: list[str] = []

    def factory(url: str) -> MemoryStore:
        made.append(url)
        return MemoryStore(url)

    plugins = Plugins(load_entry_points=False)
    plugins.register(_plugin(gridgov_storage_backends=lambda register: register("vault", factory)))
    with use_plugins(plugins):
        store = open_store("vault://x")
    assert made == ["vault://x"]
    assert store.url == "vault://x"
    assert set(plugins.registry("storage")) == {"memory", "sqlite", "vault"}


def test_hook_gridgov_notifiers() -> None:
    class Pigeon:
        def __init__(self, options: dict[str, object]) -> None:
            self.options = options

        def send(self, message: object) -> None:
            pass

    plugins = Plugins(load_entry_points=False)
    plugins.register(_plugin(gridgov_notifiers=lambda register: register("pigeon", Pigeon)))
    with use_plugins(plugins):
        channels = build_channels([ChannelSpec("coop", "pigeon", {"loft": 3})])
    assert isinstance(channels["coop"], Pigeon)
    assert channels["coop"].options == {"loft": 3}
    assert plugins.registry("notifier")["log"].plugin == "gridgov.notify.channels"


def test_hook_gridgov_roster_solvers() -> None:
    def solve(problem: object) -> str:
        return f"solved {problem}"

    plugins = Plugins(load_entry_points=False)
    plugins.register(_plugin(gridgov_roster_solvers=lambda register: register("greedy", solve)))
    assert plugins.get("solver", "greedy")("p") == "solved p"
    with pytest.raises(UnknownComponent, match=r"no solver named 'x' \(available: greedy, local\)"):
        plugins.get("solver", "x")


def test_hook_gridgov_rules() -> None:
    class MaxNights:
        pass

    plugins = Plugins(load_entry_points=False)
    plugins.register(_plugin(gridgov_rules=lambda register: register("max_nights", MaxNights)))
    assert plugins.get("rule", "max_nights") is MaxNights


def test_hook_gridgov_event() -> None:
    seen: list[str] = []
    plugins = Plugins(load_entry_points=False)
    plugins.register(_plugin(gridgov_event=lambda event: seen.append(event.kind.value)))
    e = ev.visit_rejected(
        secret=KEY, visit="v", household="h", unit="U", reason="r", at=ev.dt.datetime(2022, 1, 1)
    )
    assert plugins.emit(e) == []
    assert seen == ["visit-rejected"]


def test_a_name_clash_disables_only_that_name_and_names_both_plugins() -> None:
    plugins = Plugins(load_entry_points=False)
    plugins.register(
        _plugin(gridgov_storage_backends=lambda register: register("sqlite", object)),
        name="my-sqlite",
    )
    reg = plugins.registry("storage")
    assert "sqlite" not in reg and "memory" in reg  # memory:// still works
    assert plugins.get("storage", "memory") is not None
    with pytest.raises(PluginConflict, match=r"'sqlite' is disabled"):
        plugins.get("storage", "sqlite")
    (err,) = [e for e in plugins.errors if "sqlite" in e.message]
    assert "gridgov.store.backends" in err.message and "my-sqlite" in err.message


def test_gridgov_plugins_reports_a_clash_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    from gridgov.cli import main
    from gridgov.plugins.manager import use_plugins

    plugins = Plugins(load_entry_points=False)
    plugins.register(
        _plugin(gridgov_storage_backends=lambda register: register("sqlite", object)),
        name="my-sqlite",
    )
    with use_plugins(plugins):
        assert main(["plugins"]) == 0
    captured = capsys.readouterr()
    assert "my-sqlite" in captured.out
    assert "'sqlite' is registered by both" in captured.err


def test_a_plugin_failing_in_a_hook_is_reported_and_the_rest_works() -> None:
    def broken(register: object) -> None:
        register("half", object)  # type: ignore[operator]
        raise RuntimeError("cannot reach the vault")

    plugins = Plugins(load_entry_points=False)
    plugins.register(_plugin(gridgov_storage_backends=broken), name="broken-store")
    assert set(plugins.registry("storage")) == {"memory", "sqlite"}
    assert [(e.plugin, e.where, e.message) for e in plugins.errors] == [
        ("broken-store", "gridgov_storage_backends", "RuntimeError: cannot reach the vault")
    ]
    assert "log" in plugins.registry("notifier")


def test_a_default_plugin_that_fails_to_import_is_reported(monkeypatch) -> None:
    from gridgov.plugins import manager

    monkeypatch.setattr(manager, "DEFAULT_PLUGINS", [*manager.DEFAULT_PLUGINS, "gridgov.nope"])
    plugins = Plugins(load_entry_points=False)
    assert [(e.plugin, e.where) for e in plugins.errors] == [("gridgov.nope", "import")]
    assert "sqlite" in plugins.registry("storage")


def test_entry_point_plugins_load_and_the_environment_restricts_them(monkeypatch) -> None:
    monkeypatch.delenv("GRIDGOV_PLUGINS", raising=False)
    names = {i.name for i in Plugins().info()}
    assert "webhook" in names  # installed from plugins/gridgov-webhook
    monkeypatch.setenv("GRIDGOV_PLUGINS", "")
    assert "webhook" not in {i.name for i in Plugins().info()}
    monkeypatch.setenv("GRIDGOV_PLUGINS", "webhook")
    info = {i.name: i for i in Plugins().info()}
    assert info["webhook"].distribution == "gridgov-webhook"
    assert info["webhook"].version == "0.1.0"
    assert info["webhook"].registers == ("notifier:webhook",)


def test_plugins_are_not_loaded_at_import() -> None:
    code = (
        "import sys, gridgov, gridgov.store, gridgov.notify;"
        "from gridgov.plugins import manager;"
        "print(manager._shared is None, 'gridgov_webhook' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]


def test_cli_lists_plugins(capsys) -> None:
    plugins = Plugins()
    with use_plugins(plugins):
        assert main(["plugins", "--format", "json"]) == 0
    rows = {r["plugin"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["gridgov.store.backends"]["registers"] == "storage:memory storage:sqlite"
    assert rows["gridgov.store.backends"]["distribution"] == "gridgov"
    assert rows["gridgov.notify.channels"]["registers"] == "notifier:log"


class _Wrapping:
    """A plugin author's wrappers: a new-style ``wrapper=True`` around the storage
    registrations (it sees every other plugin's part run inside it) and an old-style
    ``hookwrapper=True`` around the event observers."""

    def __init__(self) -> None:
        self.log: list[str] = []

    @hookimpl(wrapper=True)
    def gridgov_storage_backends(self, register):
        self.log.append("before")
        result = yield
        self.log.append("after")
        return result

    @hookimpl(hookwrapper=True)
    def gridgov_event(self, event):
        self.log.append(f"around {event.kind.value}")
        outcome = yield
        self.log.append(f"done {outcome.get_result()!r}")


def _visit_event() -> ev.Event:
    return ev.visit_rejected(
        secret=KEY, visit="v", household="h", unit="U", reason="r", at=ev.dt.datetime(2022, 1, 1)
    )


def test_hooks_go_through_pluggy_so_plugin_wrappers_run_around_every_plugin() -> None:
    wrapping = _Wrapping()
    plugins = Plugins(load_entry_points=False)
    plugins.register(wrapping, name="wrapping")

    def vault(register: object) -> None:
        wrapping.log.append("vault registers")
        register("vault", MemoryStore)  # type: ignore[operator]

    plugins.register(_plugin(gridgov_storage_backends=vault), name="vault")
    assert set(plugins.registry("storage")) == {"memory", "sqlite", "vault"}
    assert plugins.registry("storage")["vault"].plugin == "vault"  # attributed to its plugin
    assert wrapping.log == ["before", "vault registers", "after"]
    seen: list[str] = []
    plugins.register(_plugin(gridgov_event=lambda event: seen.append("x")), name="observer")
    assert plugins.emit(_visit_event()) == []
    assert seen == ["x"]
    assert wrapping.log[-2:] == ["around visit-rejected", "done []"]
    assert plugins.plugin("wrapping") is wrapping


def test_a_failing_observer_is_isolated_inside_the_pluggy_call() -> None:
    seen: list[str] = []

    def boom(event: object) -> None:
        raise RuntimeError("observer down")

    plugins = Plugins(load_entry_points=False)
    plugins.register(_plugin(gridgov_event=lambda event: seen.append("first")), name="first")
    plugins.register(_plugin(gridgov_event=boom), name="boom")
    plugins.register(_plugin(gridgov_event=lambda event: seen.append("last")), name="last")
    failures = plugins.emit(_visit_event())
    assert [(f.plugin, f.where, f.message) for f in failures] == [
        ("boom", "gridgov_event", "RuntimeError: observer down")
    ]
    assert sorted(seen) == ["first", "last"]  # the others ran, before and after it


def test_a_wrapper_that_raises_is_recorded_by_name() -> None:
    class Bad:
        @hookimpl(wrapper=True)
        def gridgov_event(self, event):
            yield
            raise RuntimeError("wrapper down")

    plugins = Plugins(load_entry_points=False)
    plugins.register(Bad(), name="bad-wrapper")
    (err,) = plugins.emit(_visit_event())
    assert (err.plugin, err.message) == ("bad-wrapper", "RuntimeError: wrapper down")


def test_pluggy_tracing_and_call_monitoring_see_every_hook_call() -> None:
    plugins = Plugins(load_entry_points=False)
    plugins.register(_plugin(gridgov_rules=lambda register: register("r", object)), name="mine")
    traced: list[str] = []
    plugins.pm.trace.root.setwriter(traced.append)
    undo = plugins.pm.enable_tracing()
    calls: list[tuple[str, list[str]]] = []
    stop = plugins.pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: calls.append((name, [i.plugin_name for i in impls])),
        lambda outcome, name, impls, kwargs: None,
    )
    try:
        plugins.registry("rule")
        plugins.emit(_visit_event())
    finally:
        stop()
        undo()
    assert ("gridgov_rules", ["gridgov.duty.plugin", "mine"]) in calls
    assert [c[0] for c in calls] == ["gridgov_rules", "gridgov_event"]
    assert any("gridgov_rules" in line for line in traced)


def test_gridgov_trace_plugins_writes_every_hook_call_to_stderr() -> None:
    import os

    env = {**os.environ, "GRIDGOV_TRACE_PLUGINS": "1", "GRIDGOV_PLUGINS": ""}
    out = subprocess.run(
        [sys.executable, "-c", "from gridgov.cli import main; main(['plugins'])"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "gridgov: plugin hook gridgov_storage_backends(register) -> " in out.stderr
    assert "gridgov.store.backends" in out.stderr


def test_a_plugin_put_on_pluggy_directly_is_still_attributed_and_isolated() -> None:
    plugins = Plugins(load_entry_points=False)
    plugins.pm.register(
        _plugin(gridgov_notifiers=lambda register: register("pigeon", object)), name="direct"
    )
    assert plugins.registry("notifier")["pigeon"].plugin == "direct"


def test_a_workspace_uses_its_own_plugin_manager(tmp_path) -> None:
    """No global plugin state needed: two workspaces, two managers, each its own backends."""
    from gridgov.workspace import Workspace

    seen: list[str] = []
    mine = Plugins(load_entry_points=False)
    mine.register(
        _plugin(gridgov_storage_backends=lambda register: register("vault", MemoryStore)),
        name="vault",
    )
    mine.register(_plugin(gridgov_event=lambda event: seen.append(event.id)), name="observer")
    data = {"store": {"url": "vault://x"}, "channels": {"log": {"type": "log", "path": "e.log"}}}
    ws = Workspace.from_data(tmp_path, data, plugins=mine)
    store = ws.open_store()
    assert store.url == "vault://x"
    ws.notifier(store).announce(_visit_event())
    assert seen == [_visit_event().id]
    with (
        use_plugins(Plugins(load_entry_points=False)),
        pytest.raises(StoreError, match="no storage named 'vault'"),
    ):
        Workspace.from_data(tmp_path, data).open_store()
