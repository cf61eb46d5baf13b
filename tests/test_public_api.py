"""Every public name has a docstring; every public module imports cleanly."""

import importlib
import inspect
import pkgutil

import pytest

import gridgov


def public_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(gridgov.__path__, prefix="gridgov."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        names.append(info.name)
    return names


@pytest.mark.filterwarnings("ignore:.* is deprecated:DeprecationWarning")  # the aliases
def test_public_names_have_docstrings() -> None:
    missing = []
    for modname in public_modules():
        module = importlib.import_module(modname)
        if not (module.__doc__ or "").strip():
            missing.append(modname)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (inspect.isclass(obj) or inspect.isfunction(obj)) and not (
                obj.__doc__ or ""
            ).strip():
                missing.append(f"{modname}.{name}")
    assert missing == []


def test_importing_gridgov_loads_no_plugins() -> None:
    import gridgov.plugins.manager as manager

    assert manager._shared is None or isinstance(manager._shared, manager.Plugins)
    code = (
        "import gridgov, gridgov.org, sys; import gridgov.plugins.manager as m; "
        "assert m._shared is None; assert 'hypothesis' not in sys.modules"
    )
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.filterwarnings("ignore:.* is deprecated:DeprecationWarning")  # the aliases
def test_every_public_exception_is_defined_in_gridgov_errors_and_exported_at_the_top() -> None:
    """One exceptions module: every Exception subclass a public module shows is
    gridgov.errors' own, and every one of those is in ``gridgov.__all__``."""
    import gridgov.errors as errors

    elsewhere = []
    for modname in public_modules():
        module = importlib.import_module(modname)
        names = getattr(module, "__all__", None) or [n for n in vars(module) if n[0] != "_"]
        for name in names:
            obj = getattr(module, name, None)
            if not (inspect.isclass(obj) and issubclass(obj, BaseException)):
                continue
            if not obj.__module__.startswith("gridgov"):
                continue  # the standard library's, re-used
            if obj.__module__ != "gridgov.errors":
                elsewhere.append(f"{modname}.{name} ({obj.__module__})")
    assert elsewhere == []
    defined = {
        n
        for n, o in vars(errors).items()
        if inspect.isclass(o) and issubclass(o, BaseException) and o.__module__ == errors.__name__
    }
    assert defined <= set(gridgov.__all__)
    assert defined <= set(errors.__all__)


def test_records_of_problems_are_not_named_like_exceptions() -> None:
    """A record describing a bad row or a failing plugin is a value named for what it
    holds; the old names stay one release as aliases."""
    import attrs

    from gridgov import SourceProblem
    from gridgov.plugins import PluginProblem

    with pytest.warns(DeprecationWarning, match=r"gridgov\.SourceError is deprecated"):
        from gridgov import SourceError
    with pytest.warns(DeprecationWarning, match=r"gridgov\.plugins\.PluginError is deprecated"):
        from gridgov.plugins import PluginError
    with pytest.warns(DeprecationWarning, match=r"gridgov\.errors\.SourceError"):
        assert gridgov.errors.SourceError is SourceProblem
    with pytest.raises(AttributeError, match="SourceErorr"):
        gridgov.errors.SourceErorr  # noqa: B018 (only the aliases are looked up)

    for record in (SourceProblem, PluginProblem):
        assert attrs.has(record) and not issubclass(record, BaseException)
    assert SourceError is SourceProblem and PluginError is PluginProblem
    for modname in public_modules():
        module = importlib.import_module(modname)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and name.endswith("Error") and attrs.has(obj):
                assert obj in (SourceProblem, PluginProblem), f"{modname}.{name}"
