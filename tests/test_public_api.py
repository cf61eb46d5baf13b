"""Every public name has a docstring; every public module imports cleanly."""

import importlib
import inspect
import pkgutil

import gridgov


def public_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(gridgov.__path__, prefix="gridgov."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        names.append(info.name)
    return names


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
