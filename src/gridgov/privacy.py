"""Masking of personal data (names, ID numbers, phone numbers).

Exports, logs and notifications call these by default; a caller that must show
the real values (an authorised officer's own export) passes ``mask=False``
to the exporter instead.
"""

from __future__ import annotations


def mask_name(name: str) -> str:
    """Keep a person's first character and hide the rest: ``'Zhang Wei'`` → ``'Z**'``."""
    stripped = name.strip()
    if not stripped:
        return name
    return stripped[0] + "**"


def mask_id_number(value: str) -> str:
    """Hide all but the last four characters of an ID or phone number."""
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


MASKED_FLAG = "<masked>"


def mask_flag(value: object) -> str:
    """Hide a health or vulnerability flag entirely."""
    del value
    return MASKED_FLAG
