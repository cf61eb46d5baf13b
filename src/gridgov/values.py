"""Small value types shared across gridgov's modules."""

from __future__ import annotations

from typing import TypeAlias

AttrValue: TypeAlias = int | float | str
"""An attribute value: a number (int or finite float) or a short text."""
