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
        visit="v", household="h", unit="U", reason="r", at=ev.dt.datetime(2022, 1, 1)
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
