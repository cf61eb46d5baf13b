"""Test helpers for plugin authors: the store contract suite and its strategies, and a
channel plugin's options loaded from a ``gridgov.toml`` (:func:`option_errors`).

Needs ``pytest`` and ``hypothesis`` (the ``test`` extra); the rest of gridgov does not.
"""

from gridgov.testing.channel_options import channel_workspace, option_errors
from gridgov.testing.store_contract import StoreContract, contract_tree
from gridgov.testing.strategies import HOSTILE, hostile_text, unknown_options

__all__ = [
    "HOSTILE",
    "StoreContract",
    "channel_workspace",
    "contract_tree",
    "hostile_text",
    "option_errors",
    "unknown_options",
]
