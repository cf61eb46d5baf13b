"""A workspace: a folder with ``gridgov.toml`` (store URL, channels, routing) and its store.

``gridgov init`` writes the file and creates the store; every other command
that acts on data opens the workspace's store (``--store URL`` overrides it)
and, when it produces events, its notifier.
"""

from __future__ import annotations

import os
import secrets
import stat
import tempfile
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs

from gridgov.errors import InvalidInput, SourceProblem
from gridgov.fsutil import atomic_write_text
from gridgov.notify.channel import ChannelSpec
from gridgov.notify.notifier import Notifier, RetryPolicy, build_channels
from gridgov.notify.routing import Route, Routing
from gridgov.org.levels import DEFAULT_LEVELS, Levels
from gridgov.plugins.manager import Plugins, UnknownComponent, get_plugins
from gridgov.redact import redact_text
from gridgov.store.port import Store
from gridgov.store.registry import open_store

CONFIG_NAME = "gridgov.toml"
SECRET_FILE_NAME = "gridgov.secret"  # noqa: S105 (a file name, not a secret)
"""The workspace secret's file, beside gridgov.toml (mode 0600; see :meth:`Workspace.secret`)."""
DEFAULT_STORE = "sqlite:///gridgov.db"

TEMPLATE = """\
# gridgov workspace. See docs/workspace.md.

[store]
# sqlite:///FILE (relative to this folder), memory://, postgresql://... (gridgov-postgres)
url = {store_url}

# The organisation's level scheme, shallowest first, for every command that reads
# a hierarchy (--levels overrides it), and the level whose units are sweep households.
# [org]
# levels = ["country", "province", "city", "county", "township", "household"]
# household_level = "household"

[notify]
# retries with exponential back-off: base * factor**(n-1) seconds, at most max_delay
retry_base = 1.0
retry_factor = 2.0
retry_max_delay = 300.0
max_attempts = 10
# a flusher leases what it claims for lease_seconds and claims at most batch
# messages of a channel a round; Retry-After deferrals end after max_deferrals
lease_seconds = 60.0
batch = 100
max_deferrals = 20

# A channel: [channels.NAME] with type = a registered notifier (log, webhook, smtp).
# Personal data are masked unless the channel says mask = false.
[channels.log]
type = "log"
path = "events.log"

# Routes: which events (kinds, or "*") about which units (subtrees; [] = all) go where.
[[routes]]
events = ["*"]
units = []
channels = ["log"]
"""


NOTIFY_KEYS = {
    "retry_base": "base",
    "retry_factor": "factor",
    "retry_max_delay": "max_delay",
    "max_attempts": "max_attempts",
    "lease_seconds": "lease",
    "batch": "batch",
    "max_deferrals": "max_deferrals",
}
"""``[notify]`` keys of gridgov.toml and the :class:`RetryPolicy` setting each one sets."""


ORG_KEYS = ("levels", "household_level")
"""The keys of ``[org]``."""


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


def _notify_keys() -> tuple[ConfigKey, ...]:
    from gridgov.notify.notifier import Bounded

    meanings = {
        "retry_base": "seconds before the first retry",
        "retry_factor": "growth of the wait per failure",
        "retry_max_delay": "longest wait, seconds",
        "max_attempts": "after this many failures a delivery is `dead` (kept, with its last error)",
        "lease_seconds": "a flusher leases what it claims for this long (others skip it); "
        "it sends for at most half of it",
        "batch": "at most this many messages of one channel are claimed a round "
        "(every channel gets its turn)",
        "max_deferrals": "after this many `Retry-After` answers a delivery is `dead` "
        "(deferrals are not attempts)",
    }
    fields = attrs.fields_dict(RetryPolicy)
    out = []
    for key, name in NOTIFY_KEYS.items():
        field = fields[name]
        bounds = field.validator if isinstance(field.validator, Bounded) else None
        whole = isinstance(field.default, int)
        meaning = meanings[key]
        if bounds is not None:
            meaning += f"; from {bounds.low:g} to {bounds.high:g}"
        out.append(
            ConfigKey(
                "notify", key, "integer" if whole else "number", f"`{field.default!r}`", meaning
            )
        )
    return tuple(out)


def _config_keys() -> tuple[ConfigKey, ...]:
    from gridgov.notify.channel import CHANNEL_KEYS
    from gridgov.notify.routing import ROUTE_KEYS

    store = ConfigKey(
        "store",
        "url",
        "string",
        f"`{_toml_str(str(attrs.fields(StoreSection).url.default))}`",
        "the store: `sqlite:///FILE` (relative to the workspace folder), `memory://`, "
        "`postgresql://...` (the `gridgov-postgres` plugin). `--store URL` overrides it "
        "for one command.",
    )
    org = (
        ConfigKey(
            "org",
            "levels",
            "list of strings",
            ", ".join(DEFAULT_LEVELS.names),
            "the level scheme, shallowest first, of every CSV hierarchy the commands run "
            "in this workspace read (`--levels A,B,C` overrides it)",
        ),
        ConfigKey(
            "org",
            "household_level",
            "string",
            '`"household"`',
            "the scheme's household level: the level whose units `gridgov org import` "
            "makes sweep households of (`--household-level` overrides it; a scheme without "
            "it makes none) and where central-household links sit",
        ),
    )
    channel = {
        "type": ConfigKey(
            "channels.NAME",
            "type",
            "string",
            "`NAME`",
            "a registered notifier: `log` (built in), `webhook` (`gridgov-webhook`), "
            "`smtp` (`gridgov-smtp`), or any plugin's (the `gridgov_notifiers` hook)",
        ),
        "mask": ConfigKey(
            "channels.NAME",
            "mask",
            "boolean",
            "`true`",
            "personal data masked in what the channel receives; `false` shows it",
        ),
    }
    route = {
        "channels": ConfigKey(
            "routes",
            "channels",
            "list of strings",
            "required",
            "channel names (each must be a `[channels.NAME]`)",
        ),
        "events": ConfigKey(
            "routes",
            "events",
            "list of strings",
            '`["*"]`',
            'event kinds (`gridgov.events.EventKind` values), or `"*"` for all',
        ),
        "units": ConfigKey(
            "routes",
            "units",
            "list of strings",
            "`[]` (all)",
            "unit ids: events about a unit in one of these subtrees",
        ),
    }
    assert tuple(k.key for k in org) == ORG_KEYS
    return (
        store,
        *org,
        *_notify_keys(),
        *(channel[k] for k in CHANNEL_KEYS),
        *(route[k] for k in ROUTE_KEYS),
    )


def config_keys(section: str | None = None) -> tuple[ConfigKey, ...]:
    """Every key of gridgov.toml the workspace reads (of one ``section``), in page order.

    The options of a channel type (``path`` of ``log``, ``url`` of ``webhook``...)
    belong to its notifier and are not here.
    """
    keys = _config_keys()
    return keys if section is None else tuple(k for k in keys if k.section == section)


def _retry_policy(table: Any, errors: list[SourceProblem], file: str | None) -> RetryPolicy:
    """The ``[notify]`` settings; each bad one is reported with its own name."""
    if table is None:
        return RetryPolicy()
    if not isinstance(table, dict):
        errors.append(SourceProblem("expected a table", field="notify", file=file))
        return RetryPolicy()
    for key in sorted(set(table) - set(NOTIFY_KEYS)):
        errors.append(SourceProblem("unknown setting", field=f"notify.{key}", file=file))
    values: dict[str, Any] = {}
    for key, name in NOTIFY_KEYS.items():
        if key not in table:
            continue
        try:
            RetryPolicy(**{name: table[key]})
        except (TypeError, ValueError) as exc:
            message = str(exc).replace(name, key, 1)
            errors.append(SourceProblem(message, field=f"notify.{key}", file=file))
        else:
            values[name] = table[key]
    return RetryPolicy(**values)


def _channel_errors(
    specs: Iterable[ChannelSpec], file: str | None, plugins: Plugins
) -> list[SourceProblem]:
    """Build every channel once, so that a bad option is found now, not at the first event."""
    errors = []
    for spec in specs:
        field = f"channels.{spec.name}"
        try:
            factory = plugins.get("notifier", spec.type)
        except UnknownComponent as exc:
            errors.append(SourceProblem(str(exc), field=f"{field}.type", file=file))
            continue
        try:
            factory(dict(spec.options))
        except Exception as exc:  # a plugin's factory may raise anything: report it, named
            text = redact_text(str(exc) or type(exc).__name__)
            errors.append(SourceProblem(text, field=field, file=file))
    return errors


@attrs.frozen
class StoreSection:
    """``[store]`` of gridgov.toml: ``url`` only (an unknown key such as ``ulr`` is an error)."""

    url: str = DEFAULT_STORE


_TABLES = {"store": dict, "notify": dict, "channels": dict, "org": dict, "routes": list}
"""The sections of gridgov.toml and the TOML type each one must be (a table, or an array)."""


def _sections(
    data: dict[str, Any], errors: list[SourceProblem], file: str | None
) -> dict[str, Any]:
    """The known sections of ``data`` that have the right type; each wrong one reported."""
    out: dict[str, Any] = {}
    for key in sorted(set(data) - set(_TABLES)):
        errors.append(SourceProblem("unknown section", field=key, file=file))
    for key, kind in _TABLES.items():
        if key not in data:
            continue
        value = data[key]
        if not isinstance(value, kind):
            what = "a table" if kind is dict else "an array of tables ([[routes]])"
            errors.append(SourceProblem(f"expected {what}, got {value!r}", field=key, file=file))
        else:
            out[key] = value
    return out


def _store_url(table: Any, errors: list[SourceProblem], file: str | None) -> str:
    from gridgov.serialize import structure

    try:
        url = structure(table, StoreSection, file=file, path="store").url
    except InvalidInput as exc:
        errors.extend(exc.errors)
        return DEFAULT_STORE
    if "://" not in url:
        errors.append(SourceProblem("expected a store URL", field="store.url", file=file))
        return DEFAULT_STORE
    return url


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@attrs.frozen
class Workspace:
    """The parsed ``gridgov.toml`` of the folder ``root``."""

    root: Path
    store_url: str = DEFAULT_STORE
    channels: tuple[ChannelSpec, ...] = ()
    routing: Routing = attrs.field(factory=Routing)
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    levels: Levels | None = None
    """The level scheme of ``[org] levels`` (``None``: the default scheme)."""
    household_level: str = "household"
    """The level whose units ``org import`` makes sweep households of (``household_level``)."""
    plugins: Plugins | None = attrs.field(default=None, eq=False, repr=False)
    """The plugin manager this workspace's stores and channels come from (``None``: the
    command line's :func:`~gridgov.plugins.get_plugins`)."""

    @property
    def config_path(self) -> Path:
        """The workspace's ``gridgov.toml``."""
        return self.root / CONFIG_NAME

    @classmethod
    def load(cls, root: str | Path = ".", *, plugins: Plugins | None = None) -> Workspace:
        """Read ``root/gridgov.toml``; every problem is reported with the field it is in."""
        folder = Path(root)
        path = folder / CONFIG_NAME
        if not path.exists():
            raise InvalidInput(
                [
                    SourceProblem(
                        f"no {CONFIG_NAME} here; run `gridgov init {folder}` first", file=str(path)
                    )
                ]
            )
        from gridgov.documents import read_toml_file

        data = read_toml_file(path)
        return cls.from_data(folder, data, file=str(path), plugins=plugins)

    @classmethod
    def from_data(
        cls,
        root: Path,
        data: dict[str, Any],
        *,
        file: str | None = None,
        plugins: Plugins | None = None,
    ) -> Workspace:
        """A workspace from parsed TOML data (``plugins``: see :attr:`plugins`)."""
        errors: list[SourceProblem] = []
        data = _sections(data, errors, file)
        url = _store_url(data.get("store", {}), errors, file)
        channels: list[ChannelSpec] = []
        for name, table in (data.get("channels") or {}).items():
            try:
                if not isinstance(table, dict):
                    raise ValueError("expected a table")
                channels.append(ChannelSpec.from_config(name, table))
            except ValueError as exc:
                errors.append(SourceProblem(str(exc), field=f"channels.{name}", file=file))
        routes: list[Route] = []
        known = {c.name for c in channels}
        for i, table in enumerate(data.get("routes") or []):
            try:
                route = Route.from_config(table)
            except (ValueError, TypeError, AttributeError) as exc:
                errors.append(SourceProblem(str(exc), field=f"routes[{i}]", file=file))
                continue
            for ch in route.channels:
                if ch not in known:
                    errors.append(
                        SourceProblem(f"no channel named {ch!r}", field=f"routes[{i}]", file=file)
                    )
            routes.append(route)
        retry = _retry_policy(data.get("notify"), errors, file)
        errors += _channel_errors(channels, file, plugins or get_plugins())
        levels, household_level = _org_section(data.get("org"), errors, file)
        if errors:
            raise InvalidInput(errors)
        return cls(
            root,
            url,
            tuple(channels),
            Routing(tuple(routes)),
            retry,
            levels,
            household_level,
            plugins,
        )

    @property
    def secret_path(self) -> Path:
        """The workspace's secret file, ``gridgov.secret``."""
        return self.root / SECRET_FILE_NAME

    def secret(self) -> bytes:
        """The workspace's secret: the key of every id derived from personal data.

        Generated with :mod:`secrets` (32 random bytes) on first use and written to
        ``gridgov.secret`` beside gridgov.toml, created mode 0600 (readable by its
        owner only) and never overwritten; later runs read it back, so the same
        facts keep the same ids. A bare workspace (``--store`` without a
        gridgov.toml) that has no secret file gets a fresh secret for the run.
        Keep the file with the store's backups and out of version control: without
        it new ids no longer match the old ones (nothing stored becomes unreadable).
        """
        return read_or_create_secret(self.secret_path, create=self.config_path.exists())

    def resolve_url(self, url: str | None = None) -> str:
        """The store URL (``url`` overrides), relative SQLite paths taken from the workspace."""
        url = url or self.store_url
        parts = urlsplit(url)
        if parts.scheme == "sqlite":
            path = parts.path[1:] if parts.path.startswith("/") else parts.path
            if path and not path.startswith("/") and path != ":memory:":
                return f"sqlite:///{(self.root / path).resolve()}"
        return url

    def open_store(self, url: str | None = None) -> Store:
        """Open the workspace's store (or ``url``)."""
        return open_store(self.resolve_url(url), plugins=self.plugins)

    def notifier(self, store: Store, **kwargs: Any) -> Notifier:
        """A notifier over ``store`` with the configured channels and routes.

        Relative ``path`` options of channels are taken from the workspace folder.
        """
        specs = []
        for spec in self.channels:
            options = dict(spec.options)
            path = options.get("path")
            if isinstance(path, str) and not Path(path).is_absolute():
                options["path"] = str(self.root / path)
            specs.append(attrs.evolve(spec, options=options))
        return Notifier(
            store,
            build_channels(specs, plugins=self.plugins),
            self.routing,
            specs=specs,
            policy=self.retry,
            tree=store.hierarchy(),
            plugins=self.plugins,
            **kwargs,
        )


def _org_section(
    table: Any, errors: list[SourceProblem], file: str | None
) -> tuple[Levels | None, str]:
    """``[org]``: ``levels`` (a list of names) and ``household_level`` (one of them)."""
    if table is None:
        return None, "household"
    if not isinstance(table, dict):
        errors.append(SourceProblem("expected a table", field="org", file=file))
        return None, "household"
    for key in sorted(set(table) - set(ORG_KEYS)):
        errors.append(SourceProblem("unknown key", field=f"org.{key}", file=file))
    levels = None
    raw = table.get("levels")
    if raw is not None:
        if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
            errors.append(
                SourceProblem("expected a list of level names", field="org.levels", file=file)
            )
        else:
            try:
                levels = Levels(tuple(n.strip() for n in raw))
            except ValueError as exc:
                errors.append(SourceProblem(str(exc), field="org.levels", file=file))
    household = table.get("household_level", "household")
    if not isinstance(household, str) or not household.strip():
        errors.append(
            SourceProblem("expected a level name", field="org.household_level", file=file)
        )
        household = "household"
    elif levels is not None and household not in levels and "household_level" in table:
        errors.append(
            SourceProblem(
                f"{household!r} is not one of the levels ({', '.join(levels)})",
                field="org.household_level",
                file=file,
            )
        )
    household = household.strip()
    if "household_level" in table:  # the scheme's own household level (relations use it)
        scheme = levels if levels is not None else DEFAULT_LEVELS
        if household in scheme:
            levels = scheme.with_household(household)
    return levels, household


def read_or_create_secret(path: Path, *, create: bool = True) -> bytes:
    """The secret in ``path`` (hex text); when missing, a new one written there (mode 0600,
    exclusively: of two processes creating it at once, both end with the one written) or,
    unless ``create``, a fresh one not written anywhere. A malformed file is an error
    naming it."""
    from gridgov.privacy import SECRET_BYTES

    for _ in range(2):
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            if not create:
                return secrets.token_bytes(SECRET_BYTES)
            value = secrets.token_bytes(SECRET_BYTES)
            # written whole to a private temporary file, then linked into place: the
            # link fails if another process put its secret there first
            fd, tmp = tempfile.mkstemp(prefix=".gridgov-secret-", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="ascii") as fh:
                    os.fchmod(fh.fileno(), stat.S_IRUSR | stat.S_IWUSR)  # whatever the umask
                    fh.write(value.hex() + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())
                os.link(tmp, path)
            except FileExistsError:
                continue  # another process made it first: read theirs
            finally:
                os.unlink(tmp)
            return value
        text = raw.decode("ascii", "replace").strip()
        try:
            value = bytes.fromhex(text)
        except ValueError:
            value = b""
        if len(value) < 16:
            raise InvalidInput(
                [SourceProblem("not a workspace secret (hex digits, 32 bytes)", file=str(path))]
            )
        return value
    raise InvalidInput([SourceProblem("could not read the workspace secret", file=str(path))])


def init_workspace(
    root: str | Path, *, store_url: str | None = None, force: bool = False
) -> Workspace:
    """Write ``root/gridgov.toml`` and create its store; refuses to overwrite unless ``force``."""
    folder = Path(root)
    path = folder / CONFIG_NAME
    if path.exists() and not force:
        raise InvalidInput(
            [SourceProblem("already a workspace (use --force to overwrite)", file=str(path))]
        )
    folder.mkdir(parents=True, exist_ok=True)
    text = TEMPLATE.format(store_url=_toml_str(store_url or DEFAULT_STORE))
    ws = Workspace.from_data(folder, tomllib.loads(text), file=str(path))
    ws.open_store().close()
    atomic_write_text(path, text)
    ws.secret()  # generated now, mode 0600, so that it is there before the first event
    return ws
