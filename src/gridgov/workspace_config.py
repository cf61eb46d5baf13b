"""gridgov.toml as classes: each section a table class, read by the library's converter.

:class:`ConfigFile` is the whole file; its fields are the sections
(:class:`StoreSection`, :class:`OrgSection`, the ``[notify]`` table that is
:class:`~gridgov.notify.RetryPolicy` itself, ``[channels.NAME]``
:class:`~gridgov.notify.channel.ChannelTable` and ``[[routes]]``
:class:`~gridgov.notify.Route`). Every key anywhere is checked (an unknown one is
an error naming it), every value typed and bounded (:mod:`gridgov.tables`).

The configuration reference (``docs/reference/config.md``) shows
:func:`config_keys`, which reads the same classes: a key the code reads is a key
the page documents, and no other.
"""

from __future__ import annotations

import importlib
from types import UnionType
from typing import Any, Union, get_args, get_origin

import attrs

from gridgov.notify.channel import ChannelTable
from gridgov.notify.channels import LogOptions
from gridgov.notify.notifier import RetryPolicy
from gridgov.notify.routing import Route
from gridgov.org.levels import DEFAULT_LEVELS, Levels
from gridgov.tables import DOC, SECTION, SHOWN, Bounded, keys, setting, table

__all__ = [
    "CHANNEL_OPTIONS",
    "DEFAULT_STORE",
    "ConfigFile",
    "ConfigKey",
    "OrgSection",
    "StoreSection",
    "config_keys",
    "sections",
    "table_keys",
]

DEFAULT_STORE = "sqlite:///gridgov.db"
"""The store of a workspace whose ``[store]`` names none."""


def _store_url(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if "://" not in value:
        raise ValueError("expected a store URL")


@table()
@attrs.frozen
class StoreSection:
    """``[store]`` of gridgov.toml: ``url`` only (an unknown key such as ``ulr`` is an error)."""

    url: str = setting(
        DEFAULT_STORE,
        validator=_store_url,
        doc="the store: `sqlite:///FILE` (relative to the workspace folder), `memory://`, "
        "`postgresql://...` (the `gridgov-postgres` plugin). `--store URL` overrides it "
        "for one command.",
    )


def _scheme(names: tuple[str, ...]) -> Levels:
    return Levels(tuple(n.strip() for n in names))


def _valid_scheme(_: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    if value is not None:
        _scheme(value)


def _level_name(_: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and not value.strip():
        raise ValueError("expected a level name")


@table()
@attrs.frozen
class OrgSection:
    """``[org]`` of gridgov.toml: the level scheme and its household level."""

    levels: tuple[str, ...] | None = setting(
        None,
        validator=_valid_scheme,
        shown=", ".join(DEFAULT_LEVELS.names),
        doc="the level scheme, shallowest first, of every CSV hierarchy the commands run "
        "in this workspace read (`--levels A,B,C` overrides it)",
    )
    household_level: str | None = setting(
        None,
        validator=_level_name,
        shown='`"household"`',
        doc="the scheme's household level: the level whose units `gridgov org import` "
        "makes sweep households of (`--household-level` overrides it; a scheme without "
        "it makes none) and where central-household links sit",
    )

    def scheme(self) -> tuple[Levels | None, str]:
        """The level scheme (``None``: the default one) and the household level's name.

        A household level given in the table is checked against the scheme and
        becomes the scheme's own (relations use it); raises ``ValueError`` when it is
        not one of ``levels``.
        """
        levels = None if self.levels is None else _scheme(self.levels)
        if self.household_level is None:
            return levels, "household"
        household = self.household_level.strip()
        if levels is not None and household not in levels:
            raise ValueError(f"{household!r} is not one of the levels ({', '.join(levels)})")
        scheme = levels if levels is not None else DEFAULT_LEVELS
        if household in scheme:
            levels = scheme.with_household(household)
        return levels, household


@table(unknown="unknown section")
@attrs.frozen
class ConfigFile:
    """The whole of gridgov.toml, one field a section."""

    store: StoreSection = attrs.field(factory=StoreSection)
    org: OrgSection = attrs.field(factory=OrgSection)
    notify: RetryPolicy = attrs.field(factory=RetryPolicy)
    channels: dict[str, ChannelTable] = attrs.field(
        factory=dict, metadata={SECTION: "channels.NAME"}
    )
    routes: tuple[Route, ...] = ()


@attrs.frozen
class ConfigKey:
    """One key of gridgov.toml as the code reads it: where, its type, default and meaning.

    :func:`config_keys` lists every one; the configuration reference
    (``docs/reference/config.md``) shows them from it, so a key the code reads is a
    key the page documents and no other.
    """

    section: str
    """``store``, ``org``, ``notify``, ``channels.NAME`` or ``routes``."""
    key: str
    value_type: str
    """``string``, ``number``, ``integer``, ``boolean``, ``list of strings``."""
    default: str
    """The default as the page shows it (``"required"`` where there is none)."""
    meaning: str
    """What it does, in Markdown (code in backquotes)."""


_TYPE_NAMES = {str: "string", float: "number", int: "integer", bool: "boolean"}


def _type_name(type_: Any) -> str:
    origin, args = get_origin(type_), get_args(type_)
    if origin in (Union, UnionType):
        return _type_name(next(a for a in args if a is not type(None)))
    if origin is tuple:
        return f"list of {_type_name(args[0])}s"
    return _TYPE_NAMES[type_]


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def _shown(field: attrs.Attribute[Any]) -> str:
    if SHOWN in field.metadata:
        return str(field.metadata[SHOWN])
    if field.default is attrs.NOTHING:
        return "required"
    return f"`{_toml(field.default)}`"


def _meaning(field: attrs.Attribute[Any]) -> str:
    meaning = str(field.metadata[DOC])
    validators = getattr(field.validator, "_validators", (field.validator,))
    for v in validators:
        if isinstance(v, Bounded) and v.above:
            meaning += f"; more than {v.low:g}, at most {v.high:g}"
        elif isinstance(v, Bounded):
            meaning += f"; from {v.low:g} to {v.high:g}"
    return meaning


def _table_class(type_: Any) -> type:
    args = get_args(type_)
    found: type = args[-1] if get_origin(type_) is dict else args[0] if args else type_
    return found


CHANNEL_OPTIONS: dict[str, type] = {"log": LogOptions}
"""The channel types whose options are a table class of gridgov itself, by type (the
options of a plugin's type are its notifier's, documented by the plugin)."""


def sections() -> dict[str, type]:
    """The sections of gridgov.toml, as the reference names them, and their table classes;
    then the options of the built-in channel types (:data:`CHANNEL_OPTIONS`), each
    named by its type."""
    attrs.resolve_types(ConfigFile)
    found = {
        str(f.metadata.get(SECTION, f.name)): _table_class(f.type) for f in attrs.fields(ConfigFile)
    }
    return {**found, **CHANNEL_OPTIONS}


def config_keys(section: str | None = None) -> tuple[ConfigKey, ...]:
    """Every key of gridgov.toml the workspace reads (of one ``section``), in page order.

    Derived from the table classes (:func:`sections`). The options of a plugin's
    channel type (``url`` of ``webhook``...) belong to its notifier and are not
    among them; ``section`` may name the plugin's options table class as
    ``module:Class`` (``gridgov_webhook.options:WebhookOptions``) to list its keys
    the same way.
    """
    if section is not None and ":" in section:
        module, _, name = section.partition(":")
        return table_keys(getattr(importlib.import_module(module), name), section)
    out: list[ConfigKey] = []
    for name, cls in sections().items():
        if section is None or name == section:
            out += table_keys(cls, name)
    return tuple(out)


def table_keys(cls: type, section: str) -> tuple[ConfigKey, ...]:
    """The keys of the table class ``cls`` (shown under ``section``), in field order."""
    attrs.resolve_types(cls)
    return tuple(
        ConfigKey(section, key, _type_name(field.type), _shown(field), _meaning(field))
        for key, field in keys(cls).items()
    )
