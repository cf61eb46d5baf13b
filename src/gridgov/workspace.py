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
from gridgov.notify.routing import Routing
from gridgov.org.levels import Levels
from gridgov.plugins.manager import Plugins, UnknownComponent, get_plugins
from gridgov.redact import redact_text
from gridgov.store.port import Store
from gridgov.store.registry import open_store
from gridgov.tables import shown_key
from gridgov.workspace_config import DEFAULT_STORE, ConfigFile

CONFIG_NAME = "gridgov.toml"
SECRET_FILE_NAME = "gridgov.secret"  # noqa: S105 (a file name, not a secret)
"""The workspace secret's file, beside gridgov.toml (mode 0600; see :meth:`Workspace.secret`)."""

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


def _channel_errors(
    specs: Iterable[ChannelSpec], file: str | None, plugins: Plugins
) -> list[SourceProblem]:
    """Build every channel once, so that a bad option is found now, not at the first event."""
    errors = []
    for spec in specs:
        field = f"channels.{shown_key(spec.name)}"
        try:
            factory = plugins.get("notifier", spec.type)
        except UnknownComponent as exc:
            errors.append(SourceProblem(str(exc), field=f"{field}.type", file=file))
            continue
        try:
            factory(dict(spec.options))
        except InvalidInput as exc:  # options read as a table: each one named in full
            errors += [
                attrs.evolve(e, field=f"{field}.{e.field}" if e.field else field, file=file)
                for e in exc.errors
            ]
        except Exception as exc:  # a plugin's factory may raise anything: report it, named
            text = redact_text(str(exc) or type(exc).__name__)
            errors.append(SourceProblem(text, field=field, file=file))
    return errors


def _with_refused(
    errors: Iterable[SourceProblem], refused: Iterable[SourceProblem]
) -> list[SourceProblem]:
    """``errors``, then each refused value whose key none of them names (or is inside of)."""
    out = list(errors)
    named = {e.field for e in out if e.field}
    for r in refused:
        field = r.field or ""
        if not any(field == n or field.startswith((f"{n}.", f"{n}[")) for n in named):
            out.append(r)
    return out


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
        from gridgov.documents import parse_toml_file

        data, refused = parse_toml_file(path)  # inf, nan, huge integers: reported with the rest
        try:
            ws = cls.from_data(folder, data, file=str(path), plugins=plugins)
        except InvalidInput as exc:
            raise InvalidInput(_with_refused(exc.errors, refused)) from None
        if refused:  # a value no table reads as a number (an option a plugin takes as it is)
            raise InvalidInput(refused)
        return ws

    @classmethod
    def from_data(
        cls,
        root: Path,
        data: dict[str, Any],
        *,
        file: str | None = None,
        plugins: Plugins | None = None,
    ) -> Workspace:
        """A workspace from parsed TOML data (``plugins``: see :attr:`plugins`).

        The data are read as a :class:`~gridgov.workspace_config.ConfigFile` by the
        library's converter (every key checked, every value typed and bounded); then
        each route's channels must exist and each channel must build.
        """
        from gridgov.serialize import structure

        config = structure(data, ConfigFile, file=file, path="")
        errors: list[SourceProblem] = []
        channels = tuple(table.spec(name) for name, table in config.channels.items())
        known = {c.name for c in channels}
        for i, route in enumerate(config.routes):
            errors += [
                SourceProblem(f"no channel named {ch!r}", field=f"routes[{i}].channels", file=file)
                for ch in route.channels
                if ch not in known
            ]
        errors += _channel_errors(channels, file, plugins or get_plugins())
        try:
            levels, household_level = config.org.scheme()
        except ValueError as exc:
            errors.append(SourceProblem(str(exc), field="org.household_level", file=file))
            levels, household_level = None, "household"
        if errors:
            raise InvalidInput(errors)
        return cls(
            root,
            config.store.url,
            channels,
            Routing(config.routes),
            config.notify,
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
