"""Issue 12: gridgov.toml is read by the library's converter, one table class a section.

An unknown key anywhere is an error naming it (file, section and key); a value of
the wrong type under any key is an error naming that key; a configuration written
out by the converter reads back equal.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.errors import InvalidInput
from gridgov.notify.channel import ChannelTable
from gridgov.notify.notifier import RetryPolicy
from gridgov.notify.routing import KIND_NAMES, Route
from gridgov.serialize import structure, unstructure
from gridgov.tables import keys, shown_key
from gridgov.workspace import TEMPLATE, Workspace
from gridgov.workspace_config import ConfigFile, OrgSection, StoreSection, config_keys, sections

FILE = "ws/gridgov.toml"
BASE: dict[str, Any] = tomllib.loads(TEMPLATE.format(store_url='"memory://"'))
"""What ``gridgov init`` writes: every section present."""

KNOWN = {k.key for k in config_keys()} | set(sections())
# where a key can go: (the table in BASE, the path errors name it under)
PLACES = {
    "": lambda d: d,
    "store": lambda d: d["store"],
    "notify": lambda d: d["notify"],
    "routes[0]": lambda d: d["routes"][0],
}

names = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12)


def _errors(data: dict[str, Any]) -> list[tuple[str | None, str]]:
    with pytest.raises(InvalidInput) as info:
        Workspace.from_data(Path("ws"), data, file=FILE)
    assert all(e.file == FILE for e in info.value.errors)
    assert all(str(e).splitlines() == [str(e)] for e in info.value.errors)  # one line each
    return [(e.field, str(e)) for e in info.value.errors]


def _deep(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep(v) for v in value]
    return value


@settings(max_examples=60, deadline=None)
@given(place=st.sampled_from(sorted(PLACES)), key=names.filter(lambda k: k not in KNOWN))
def test_an_unknown_key_anywhere_is_an_error_naming_it(place: str, key: str) -> None:
    data = _deep(BASE)
    PLACES[place](data)[key] = 1
    where = f"{place}.{shown_key(key)}" if place else shown_key(key)
    assert [field for field, _ in _errors(data)] == [where]


@settings(max_examples=20, deadline=None)
@given(key=names.filter(lambda k: k not in {"path", "level", "type", "mask"}))
def test_an_unknown_option_of_the_log_channel_is_an_error_naming_it(key: str) -> None:
    data = _deep(BASE)
    data["channels"]["log"][key] = 1
    [(field, line)] = _errors(data)
    assert field == f"channels.log.{shown_key(key)}"
    assert line.endswith("unknown key (known: path, level)")


# where each section's keys sit in BASE, and the path errors name them under
_TABLES = {
    "store": (lambda d: d["store"], "store"),
    "org": (lambda d: d.setdefault("org", {}), "org"),
    "notify": (lambda d: d["notify"], "notify"),
    "channels.NAME": (lambda d: d["channels"]["log"], "channels.log"),
    "log": (lambda d: d["channels"]["log"], "channels.log"),
    "routes": (lambda d: d["routes"][0], "routes[0]"),
}


@settings(max_examples=80, deadline=None)
@given(
    key=st.sampled_from(config_keys()),
    wrong=st.sampled_from([{}, {"a": 1}, "text", 1.5, True]),
)
def test_a_value_of_the_wrong_type_under_any_key_is_an_error_naming_it(
    key: Any, wrong: Any
) -> None:
    if (key.value_type, type(wrong)) in {("string", str), ("number", float), ("boolean", bool)}:
        wrong = [wrong]  # a list is the wrong type for every scalar
    data = _deep(BASE)
    table, where = _TABLES[key.section]
    table(data)[key.key] = wrong
    assert f"{where}.{key.key}" in [field for field, _ in _errors(data)]


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("max_attempts-2", "max_attempts-2"),
        ("a b", '"a b"'),
        ("x\ny", '"x\\u000Ay"'),
        ("\u2028\x1b[2J", '"\\u2028\\u001B[2J"'),
        ('q"\\', '"q\\"\\\\"'),
        ("频道", '"频道"'),
    ],
)
def test_a_key_is_named_as_toml_writes_it_and_always_on_one_line(key: str, shown: str) -> None:
    assert shown_key(key) == shown
    data = _deep(BASE)
    data["notify"][key] = 1
    assert [f for f, _ in _errors(data)] == [f"notify.{shown}"]
    data = _deep(BASE)
    data["channels"][key] = {"type": "no-such-type"}  # named when the channels are built
    assert [f for f, _ in _errors(data)] == [f"channels.{shown}.type"]
    assert tomllib.loads(f"{shown} = 1") == {key: 1}  # the name is the TOML key itself


def test_channel_keys_are_typed_too() -> None:
    data = _deep(BASE)
    data["channels"]["log"]["mask"] = "no"
    data["channels"]["log"]["type"] = 5
    fields = {field for field, _ in _errors(data)}
    assert fields == {"channels.log.mask", "channels.log.type"}
    data["channels"]["log"].update(mask=True, type=" ")
    assert [field for field, _ in _errors(data)] == ["channels.log.type"]  # not the name's type
    data = _deep(BASE)
    data["channels"]["log"].update(path=5, level="LOUD")
    assert _errors(data) == [
        ("channels.log.path", f"{FILE}: channels.log.path: expected text, got 5"),
        ("channels.log.level", f"{FILE}: channels.log.level: unknown log level 'LOUD'"),
    ]


texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8)
tables = st.builds(
    ChannelTable,
    type=st.none() | texts.filter(str.strip),
    mask=st.booleans(),
    options=st.dictionaries(texts.filter(lambda k: k not in ("type", "mask")), texts, max_size=3),
)
configs = st.builds(
    ConfigFile,
    store=st.builds(StoreSection, url=texts.map(lambda t: "memory://" + t)),
    org=st.builds(
        OrgSection,
        levels=st.none() | st.just(("county", "township", "household")),
        household_level=st.none() | st.sampled_from(["township", "household"]),
    ),
    notify=st.builds(
        RetryPolicy,
        base=st.floats(0.001, 86_400.0),
        max_attempts=st.integers(1, 1000),
        batch=st.integers(1, 10_000),
    ),
    channels=st.dictionaries(texts.filter(bool), tables, max_size=3),
    routes=st.lists(
        st.builds(
            Route,
            channels=st.lists(texts, min_size=1, max_size=3).map(tuple),
            events=st.lists(st.sampled_from(sorted(KIND_NAMES | {"*"})), max_size=3).map(tuple),
            units=st.lists(texts, max_size=3).map(tuple),
        ),
        max_size=3,
    ).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(config=configs)
def test_a_configuration_written_by_the_converter_reads_back_equal(config: ConfigFile) -> None:
    data = unstructure(config)
    assert set(data) == {"store", "org", "notify", "channels", "routes"}
    assert set(data["notify"]) == set(keys(RetryPolicy))
    assert structure(data, ConfigFile) == config


BROKEN = """
[store]
ulr = "x"

[notify]
retry_base = inf
max_atempts = 3
batch = 99999999999999999999

[channels.log]
type = "log"
level = "LOUD"

[[routes]]
events = ["*"]
channels = ["log"]
units = [nan]
"""


def test_a_non_finite_number_is_reported_with_every_other_mistake(tmp_path: Path) -> None:
    (tmp_path / "gridgov.toml").write_text(BROKEN, encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        Workspace.load(tmp_path)
    errors = {e.field: e.message for e in info.value.errors}
    assert set(errors) == {
        "store.ulr",
        "notify.retry_base",
        "notify.max_atempts",
        "notify.batch",
        "routes[0].units[0]",
    }  # not channels.log.level: the channels are built once the file reads (as before)
    assert errors["notify.retry_base"] == "expected a finite number, got inf"
    assert errors["routes[0].units[0]"] == "expected text, got nan"
    assert len(info.value.errors) == len(errors)  # each mistake once
    fixed = BROKEN.replace('ulr = "x"', 'url = "memory://"').replace("max_atempts", "max_attempts")
    fixed = fixed.replace("inf", "1.5").replace("99999999999999999999", "9").replace("nan", '"T"')
    (tmp_path / "gridgov.toml").write_text(fixed, encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        Workspace.load(tmp_path)
    assert [e.field for e in info.value.errors] == ["channels.log.level"]
    (tmp_path / "gridgov.toml").write_text(fixed.replace("LOUD", "INFO"), encoding="utf-8")
    assert Workspace.load(tmp_path).retry.base == 1.5


def test_a_non_finite_number_no_table_reads_is_still_refused(tmp_path: Path) -> None:
    """An option a plugin takes as it is (the log channel's own keys are all typed, so a
    registered test type that accepts any option) is refused at the file."""
    from gridgov import hookimpl
    from gridgov.plugins import Plugins

    taken: list[dict[str, Any]] = []

    class AnyOptions:
        @hookimpl
        def gridgov_notifiers(self, register: Any) -> None:
            register("anything", lambda options: taken.append(options) or object())

    plugins = Plugins()
    plugins.register(AnyOptions(), name="anything")
    text = '[channels.c]\ntype = "anything"\nlimit = -inf\nok = 1\n'
    (tmp_path / "gridgov.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        Workspace.load(tmp_path, plugins=plugins)
    assert [str(e) for e in info.value.errors] == [
        f"{tmp_path / 'gridgov.toml'}: channels.c.limit: -inf is not a number gridgov reads "
        "(numbers must be finite)"
    ]
    assert taken  # the factory saw the table; the file was refused all the same


def test_every_refused_toml_value_is_named() -> None:
    from gridgov.documents import load_toml_text, parse_toml_text

    text = 'a = inf\n[t]\n"x y" = [1, nan]\nn = 99999999999999999999\nok = 1.5\n'
    data, refused = parse_toml_text(text, file="g.toml")
    assert data["t"]["ok"] == 1.5
    assert [(p.field, p.file) for p in refused] == [
        ("a", "g.toml"),
        ('t."x y"[1]', "g.toml"),
        ("t.n", "g.toml"),
    ]
    with pytest.raises(InvalidInput) as info:
        load_toml_text(text, file="g.toml")
    assert info.value.errors == refused


def test_the_template_states_the_defaults_the_classes_own() -> None:
    """What ``gridgov init`` writes out spells the classes' own defaults (it is a
    commented copy of them for people to edit, and must not drift from them)."""
    config = structure(BASE, ConfigFile)
    assert config.notify == RetryPolicy()
    assert config.org == OrgSection()
