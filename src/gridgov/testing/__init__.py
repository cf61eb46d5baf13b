"""Test helpers for plugin authors: the store contract suite and its strategies.

Needs ``pytest`` and ``hypothesis`` (the ``test`` extra); the rest of gridgov does not.
"""

from gridgov.testing.store_contract import StoreContract, contract_tree
from gridgov.testing.strategies import HOSTILE, hostile_text

__all__ = ["HOSTILE", "StoreContract", "contract_tree", "hostile_text"]
