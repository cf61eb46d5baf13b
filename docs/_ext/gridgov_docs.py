"""The gridgov docs' own Sphinx extension: references generated from the code.

- ``.. gridgov-cli::`` writes one section per command of ``gridgov.cli.build_parser()``
  (its description and its ``--help`` text, as datasette's CLI reference does), so the
  CLI reference cannot drift from the parser.
- ``.. gridgov-config-template::`` shows the ``gridgov.toml`` that ``gridgov init`` writes.
- ``.. gridgov-config-keys:: SECTION`` is the table of one section's keys (or of a plugin's
  options table class, ``module:Class``), from
  ``gridgov.workspace_config.config_keys`` (the keys the code reads).
- When the build finishes, every name in the ``__all__`` of every public module and
  every hook specification must have been documented, or the build warns (and
  ``make docs`` turns warnings into errors).
"""

from __future__ import annotations

import argparse
import importlib
import os
from collections.abc import Iterator

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

LOG = logging.getLogger(__name__)

#: The modules whose ``__all__`` is the public API, each with a page under reference/.
PUBLIC_MODULES = (
    "gridgov",
    "gridgov.org",
    "gridgov.duty",
    "gridgov.sweep",
    "gridgov.store",
    "gridgov.notify",
    "gridgov.events",
    "gridgov.plugins",
    "gridgov.strategies",
    "gridgov.testing",
    "gridgov.examples",
    "gridgov.workspace",
    "gridgov.errors",
)

HELP_WIDTH = "88"


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def walk_commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every (command path, parser) below ``parser``, depth first, in registration order."""
    for name, child in _subcommands(parser).items():
        yield (*path, name), child
        yield from walk_commands(child, (*path, name))


def _help_text(parser: argparse.ArgumentParser) -> str:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH
    try:
        return parser.format_help()
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def _indent(text: str) -> list[str]:
    return ["    " + line if line else "" for line in text.splitlines()]


class CliDirective(SphinxDirective):
    """Sections for every ``gridgov`` command, generated from the argparse parser."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from gridgov.cli import build_parser

        root = build_parser()
        underline = "-~^\"'"
        lines: list[str] = [".. code-block:: text", "", *_indent(_help_text(root)), ""]
        for path, parser in walk_commands(root):
            title = "gridgov " + " ".join(path)
            lines += [
                f".. _cli-{'-'.join(path)}:",
                "",
                title,
                underline[len(path) - 1] * len(title),
                "",
            ]
            if parser.description:
                lines += [*(_escape(line) for line in parser.description.splitlines()), ""]
            lines += [".. code-block:: text", "", *_indent(_help_text(parser)), ""]
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, "gridgov-cli"), node)
        return list(node.children)


def _escape(line: str) -> str:
    for ch in "\\*`|_":
        line = line.replace(ch, "\\" + ch)
    return line


class ConfigTemplateDirective(SphinxDirective):
    """The ``gridgov.toml`` written by ``gridgov init`` (from ``gridgov.workspace.TEMPLATE``)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from gridgov.workspace import DEFAULT_STORE, TEMPLATE, _toml_str

        text = TEMPLATE.format(store_url=_toml_str(DEFAULT_STORE))
        block = nodes.literal_block(text, text)
        block["language"] = "toml"
        return [block]


class ConfigKeysDirective(SphinxDirective):
    """The table of one gridgov.toml section, from ``gridgov.workspace_config.config_keys``
    (a Markdown table: the config page is MyST, which parses what a directive nests)."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        from gridgov.workspace_config import config_keys

        keys = config_keys(self.arguments[0])
        if not keys:
            raise self.error(f"no gridgov.toml section {self.arguments[0]!r}")
        lines = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
        for k in keys:
            cells = (f"`{k.key}`", k.value_type, k.default, k.meaning)
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, "gridgov-config-keys"), node)
        return list(node.children)


def module_names(module_name: str) -> list[str]:
    """The public names of a module: its ``__all__``, or what it defines itself."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, v in vars(module).items()
            if not n.startswith("_") and getattr(v, "__module__", None) == module_name
        ]
    return [n for n in names if not n.startswith("__")]


def public_names() -> Iterator[str]:
    """``module.name`` for every public name and every hook specification."""
    for module_name in PUBLIC_MODULES:
        for name in module_names(module_name):
            yield f"{module_name}.{name}"
    from gridgov.plugins import hookspecs

    for name in vars(hookspecs):
        if name.startswith("gridgov_"):
            yield f"gridgov.plugins.hookspecs.{name}"


def check_documented(app: Sphinx, exception: BaseException | None) -> None:
    """Warn about every public name that no page documents."""
    if exception is not None or app.builder.name != "html":
        return
    documented = set(app.env.domains["py"].objects) | set(app.env.domains["py"].modules)
    # A name re-exported by a second public module (gridgov.SourceProblem is
    # gridgov.errors.SourceProblem) counts as documented where it lives.
    homes: dict[int, set[str]] = {}
    for full in public_names():
        homes.setdefault(id(_resolve(full)), set()).add(full)
    for full in public_names():
        if not homes[id(_resolve(full))] & documented:
            LOG.warning("public name %s is not documented in the reference", full)


def _resolve(full: str) -> object:
    module, _, name = full.rpartition(".")
    return getattr(importlib.import_module(module), name)


class ModuleDirective(SphinxDirective):
    """``automodule`` of a public module, and ``autodata`` for the constants of its ``__all__``.

    autodoc leaves out re-exported constants (they carry no ``__module__``), so they
    are listed here one by one; long values are left to the source link.
    """

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        import inspect

        module_name = self.arguments[0]
        module = importlib.import_module(module_name)
        from sphinx.pycode import ModuleAnalyzer

        lines = [f".. automodule:: {module_name}", ""]
        # constants with a docstring in the module's own source: automodule shows them
        own = {name for _, name in ModuleAnalyzer.for_module(module_name).find_attr_docs()}
        if hasattr(module, "__all__"):
            for name in module_names(module_name):
                value = getattr(module, name)
                if inspect.isclass(value) or inspect.isroutine(value) or inspect.ismodule(value):
                    continue
                if name in own:
                    continue
                lines += [f".. autodata:: {module_name}.{name}"]
                if len(repr(value)) > 70:
                    lines += ["   :no-value:"]
                lines += [""]
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, module_name), node)
        return list(node.children)


def drop_type_docstring(
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """A constant (a dict, a tuple...) shows no docstring rather than its type's."""
    if what in ("data", "attribute") and getattr(obj, "__doc__", None) == getattr(
        type(obj), "__doc__", None
    ):
        lines.clear()


def setup(app: Sphinx) -> dict[str, object]:
    """Register the directives and the completeness check."""
    app.connect("autodoc-process-docstring", drop_type_docstring)
    app.add_directive("gridgov-module", ModuleDirective)
    app.add_directive("gridgov-cli", CliDirective)
    app.add_directive("gridgov-config-template", ConfigTemplateDirective)
    app.add_directive("gridgov-config-keys", ConfigKeysDirective)
    app.connect("build-finished", check_documented)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
