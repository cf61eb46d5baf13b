"""The docs keep up with the code: every hook is documented (datasette's test_docs idea)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gridgov.errors import InvalidInput
from gridgov.plugins import hookspecs

DOCS = Path(__file__).resolve().parent.parent / "docs"
HOOKS = sorted(n for n in vars(hookspecs) if n.startswith("gridgov_"))


def _headings(page: str) -> set[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return set(re.findall(r"^### (\w+)\s*$", text, flags=re.MULTILINE))


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented(hook: str) -> None:
    assert hook in _headings("plugins.md"), f"docs/plugins.md needs a '### {hook}' section"


def test_no_documented_hook_is_missing_from_the_code() -> None:
    documented = {h for h in _headings("plugins.md") if h.startswith("gridgov_")}
    assert documented == set(HOOKS)


@pytest.mark.parametrize("page", ["store.md", "notify.md", "workspace.md"])
def test_pages_are_linked_from_the_index(page: str) -> None:
    assert (DOCS / page).exists()
    assert f"({page})" in (DOCS / "index.md").read_text(encoding="utf-8")


# --- The documentation site (docs/conf.py, `make docs`) --------------------------------

REFERENCE = DOCS / "reference"
# Top-level modules that are implementation detail, not API (their public names are
# re-exported by a documented module).
INTERNAL = {"cli", "bulk", "fsutil", "privacy", "serialize", "values"}


def _public_modules() -> list[str]:
    import pkgutil

    import gridgov

    return sorted(
        f"gridgov.{m.name}"
        for m in pkgutil.iter_modules(gridgov.__path__)
        if not m.name.startswith("_") and m.name not in INTERNAL
    )


@pytest.mark.parametrize("module", _public_modules())
def test_every_public_module_has_a_reference_page(module: str) -> None:
    pages = "\n".join(p.read_text(encoding="utf-8") for p in REFERENCE.glob("*.rst"))
    assert f"gridgov-module:: {module}\n" in pages, f"docs/reference/ needs a page for {module}"


def _docstring_tests() -> list[object]:
    import doctest
    import importlib
    import pkgutil

    import gridgov

    finder = doctest.DocTestFinder(exclude_empty=True)
    found = []
    for info in pkgutil.walk_packages(gridgov.__path__, "gridgov."):
        module = importlib.import_module(info.name)
        found += [t for t in finder.find(module, info.name) if t.examples]
    return found


@pytest.mark.parametrize("example", _docstring_tests(), ids=lambda t: t.name)
def test_docstring_examples_run(
    example: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import doctest

    monkeypatch.chdir(tmp_path)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(example)
    assert runner.failures == 0, f"{example.name}: a docstring example failed"


def _documented_keys() -> dict[str, set[str]]:
    """Keys of docs/reference/config.md by section heading: {'[store]': {'url'}, ...}."""
    section = ""
    keys: dict[str, set[str]] = {}
    for line in (REFERENCE / "config.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            section = line.lstrip("#").strip().strip("`")
            for tag in ("type = ",):
                if tag in section:
                    section = section.split("(")[0].strip().strip("`")
        m = re.match(r"^\| `(\w+)` \|", line)
        if m:
            keys.setdefault(section, set()).add(m.group(1))
        generated = re.match(r"^```\{gridgov-config-keys\}\s+(\S+)", line)
        if generated:
            from gridgov.workspace_config import config_keys

            shown = {k.key for k in config_keys(generated.group(1))}
            keys.setdefault(section, set()).update(shown)
    return keys


def _generated_sections() -> list[str]:
    text = (REFERENCE / "config.md").read_text(encoding="utf-8")
    return re.findall(r"^```\{gridgov-config-keys\}\s+(\S+)", text, flags=re.M)


def test_the_config_page_shows_every_key_the_code_reads() -> None:
    """Each section's table is generated from gridgov.workspace_config.config_keys, which
    derives from the table classes the converter reads gridgov.toml with (one owner;
    tests/test_config_tables.py checks that those are the keys accepted)."""
    from gridgov.tables import keys
    from gridgov.workspace_config import config_keys, sections

    generated = _generated_sections()
    plugin_tables = [g for g in generated if ":" in g]  # a plugin's options, module:Class
    assert sorted(set(generated) - set(plugin_tables)) == sorted(sections())
    assert plugin_tables == [
        "gridgov_webhook.options:WebhookOptions",
        "gridgov_smtp.options:SmtpOptions",
    ]
    assert len(generated) == len(set(generated))
    for name, cls in sections().items():
        assert tuple(k.key for k in config_keys(name)) == tuple(keys(cls)), name
    for key in (k for section in generated for k in config_keys(section)):
        assert key.value_type and key.default and key.meaning, key


def test_a_key_outside_the_schema_is_refused_in_every_section(tmp_path: Path) -> None:
    from gridgov.workspace import Workspace

    data = {
        "store": {"url": "memory://", "ulr": "x"},
        "org": {"levels": ["a", "b"], "level": "b"},
        "notify": {"max_atempts": 3},
        "channels": {"log": {"type": "log"}},
        "routes": [{"channels": ["log"], "event": ["*"]}],
    }
    with pytest.raises(InvalidInput) as info:
        Workspace.from_data(tmp_path, data)
    fields = {e.field for e in info.value.errors}
    assert {"store.ulr", "org.level", "notify.max_atempts", "routes[0].event"} <= fields
    assert any("ulr" in str(e) for e in info.value.errors if e.field and "store" in e.field)


# One value for every documented key; test_every_documented_key_is_read keeps the two equal.
SAMPLE = {
    "store": {"url": "memory://"},
    "org": {
        "levels": ["country", "province", "city", "county", "township"],
        "household_level": "township",
    },
    "notify": {
        "retry_base": 0.5,
        "retry_factor": 3.0,
        "retry_max_delay": 60.0,
        "max_attempts": 4,
        "lease_seconds": 30.0,
        "batch": 50,
        "max_deferrals": 5,
    },
    "channels": {
        "log": {"type": "log", "mask": True, "path": "events.log", "level": "WARNING"},
        "ops": {
            "type": "webhook",
            "mask": False,
            "url": "https://ops.example.org/hook",
            "secret": "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "style": "standard",
            "msgtype": "text",
            "timeout": 5.0,
            "ca_file": None,
        },
        "mail": {
            "type": "smtp",
            "host": "127.0.0.1",
            "port": 2525,
            "sender": "gridgov@example.org",
            "to": ["ops@example.org"],
            "starttls": False,
            "username": "ops",
            "password_env": "GRIDGOV_TEST_SMTP_PASSWORD",
            "timeout": 5.0,
            "ca_file": None,
        },
    },
    "routes": [{"channels": ["log"], "events": ["*"], "units": []}],
}


def test_every_documented_key_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gridgov.notify import build_channels
    from gridgov.workspace import Workspace

    documented = _documented_keys()
    channels = SAMPLE["channels"]
    assert isinstance(channels, dict)
    sample_keys = {
        "[store]": set(SAMPLE["store"]),
        "[org]": set(SAMPLE["org"]),
        "[notify]": set(SAMPLE["notify"]),
        "[channels.NAME]": {"type", "mask"},
        'type = "log"': set(channels["log"]) - {"type", "mask"},
        'type = "webhook"': set(channels["ops"]) - {"type", "mask"},
        'type = "smtp"': set(channels["mail"]) - {"type", "mask"},
        "[[routes]]": set(SAMPLE["routes"][0]),
    }
    assert {k: v for k, v in documented.items() if k in sample_keys} == sample_keys
    assert set(documented) - set(sample_keys) <= {"gridgov.toml"}
    # ca_file = None stands for "not given": TOML has no null.
    data = {
        **SAMPLE,
        "channels": {n: {k: v for k, v in t.items() if v is not None} for n, t in channels.items()},
    }
    monkeypatch.setenv("GRIDGOV_TEST_SMTP_PASSWORD", "secret")
    ws = Workspace.from_data(tmp_path, data)
    assert ws.store_url == "memory://" and ws.retry.max_attempts == 4
    assert ws.levels is not None and ws.levels.names[-1] == "township"
    assert ws.household_level == "township"
    assert {s.name: s.mask for s in ws.channels} == {"log": True, "ops": False, "mail": True}
    assert set(build_channels(ws.channels)) == {"log", "ops", "mail"}


def test_init_writes_only_documented_keys(tmp_path: Path) -> None:
    import tomllib

    from gridgov.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws", store_url="memory://")
    data = tomllib.loads(ws.config_path.read_text(encoding="utf-8"))
    documented = _documented_keys()
    assert set(data["store"]) <= documented["[store]"]
    assert set(data["notify"]) <= documented["[notify]"]
    for table in data["channels"].values():
        assert set(table) <= documented["[channels.NAME]"] | documented[f'type = "{table["type"]}"']
    for route in data["routes"]:
        assert set(route) <= documented["[[routes]]"]


def _toctree_entries() -> set[Path]:
    """Every page named in a ```{toctree} block of any page (the site's navigation)."""
    found: set[Path] = set()
    for page in DOCS.rglob("*.md"):
        if "_build" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r"```\{toctree\}\n(.*?)```", text, flags=re.S):
            for line in block.splitlines():
                entry = line.strip()
                if entry and not entry.startswith(":"):
                    found.add((page.parent / entry).resolve())
    return found


def test_every_page_is_in_the_navigation() -> None:
    """Sphinx fails the build on a page no toctree names; say so in make test already."""
    entries = _toctree_entries()
    for page in sorted(DOCS.rglob("*")):
        if page.suffix not in (".md", ".rst") or "_build" in page.parts or page.stem == "index":
            continue
        if page.parent == DOCS and page.name == "index.md":
            continue
        assert page.with_suffix("").resolve() in entries, (
            f"{page.relative_to(DOCS)} is in no toctree: add it to docs/index.md or a section index"
        )
