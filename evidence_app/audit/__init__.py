"""The audit trail: every write of the app records an event here (`audit.record(...)`), chained by keyed hashes
so that `minhchung audit verify` finds any change made behind the app's back. The code is in `trail.py`."""

from __future__ import annotations

from .trail import (
    GENESIS_HASH,
    ChainCheck,
    chain_head,
    check_chain,
    hold_the_chain,
    read_anchor,
    record,
    verify_chain,
)

__all__ = [
    "GENESIS_HASH",
    "ChainCheck",
    "chain_head",
    "check_chain",
    "hold_the_chain",
    "read_anchor",
    "record",
    "verify_chain",
]
