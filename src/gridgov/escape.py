"""Escaping text for the places gridgov writes it: log lines, chat markdown, Mermaid.

Ids, names and notes come from users' files; written raw they can forge what
a reader sees. Each function here makes one kind of output safe and is the one
place that rule lives (pure functions; property-tested in
``tests/test_escaping.py``).

- :func:`log_line`: one record, one line. Every character that ends a line or
  moves the cursor for some reader (C0 and C1 controls including ``\\r``,
  ``\\x1b`` ANSI escapes and U+0085 NEL, U+2028/U+2029 separators, and format
  characters such as the bidi override U+202E) becomes a visible escape
  (``\\r``, ``\\x1b``, ``\\u2028``), and ``\\`` itself is doubled, so the line
  reads back unambiguously (:func:`unescape_log_line`).
- :func:`markdown_text`: text inside a chat robot's markdown (DingTalk): every
  ASCII punctuation character CommonMark gives a meaning is backslash-escaped
  (no injected ``[link](...)``, ``![image](...)``, emphasis or heading) and
  ``<``, ``>``, ``&`` become entities (no raw HTML); line breaks and controls
  become spaces, so one value stays on its line of the message.
- :func:`mermaid_label`: text inside a Mermaid ``"..."`` label. Mermaid decodes
  ``#name;`` and ``#123;`` entities itself, so ``#`` is encoded too
  (``#35;``) — a pre-encoded ``#lt;img ...#gt;`` stays text — and
  ``"``, ``<``, ``>``, ``&`` are entities; controls and line breaks are spaces.
"""

from __future__ import annotations

import unicodedata

__all__ = ["log_line", "markdown_text", "mermaid_label", "unescape_log_line"]

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}
_BREAKING = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _breaks(ch: str) -> bool:
    return unicodedata.category(ch) in _BREAKING


def log_line(text: str) -> str:
    """``text`` as one log line: controls, separators and format characters escaped."""
    if text.isprintable() and "\\" not in text:
        return text
    out = []
    for ch in text:
        if ch in _NAMED:
            out.append(_NAMED[ch])
        elif _breaks(ch):
            code = ord(ch)
            if code < 0x100:
                out.append(f"\\x{code:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def unescape_log_line(line: str) -> str:
    """The text :func:`log_line` escaped (its exact inverse)."""
    out = []
    i, n = 0, len(line)
    back = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}
    while i < n:
        ch = line[i]
        if ch != "\\" or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        nxt = line[i + 1]
        if nxt in back:
            out.append(back[nxt])
            i += 2
        elif nxt == "x":
            out.append(chr(int(line[i + 2 : i + 4], 16)))
            i += 4
        elif nxt == "u":
            out.append(chr(int(line[i + 2 : i + 6], 16)))
            i += 6
        elif nxt == "U":
            out.append(chr(int(line[i + 2 : i + 10], 16)))
            i += 10
        else:
            out.append(ch)
            i += 1
    return "".join(out)


_MD_PUNCT = frozenset("\\`*_{}[]()#!|~:")
_MD_START = frozenset("-+.>=")  # a list item, a quote or a heading underline only at the start
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}


def markdown_text(text: str) -> str:
    """``text`` safe inside markdown: no links, images, emphasis, headings or raw HTML."""
    out = ["\\"] if text[:1] in _MD_START else []
    for ch in text:
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch in _MD_PUNCT:
            out.append("\\" + ch)
        elif _breaks(ch) or ch in "\u0085":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


_MERMAID = {"#": "#35;", "&": "#amp;", '"': "#quot;", "<": "#lt;", ">": "#gt;"}


def mermaid_label(text: str) -> str:
    """``text`` safe inside a Mermaid ``"..."`` label (entities Mermaid would decode, encoded)."""
    out = []
    for ch in text:
        if ch in _MERMAID:
            out.append(_MERMAID[ch])
        elif _breaks(ch):
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)
