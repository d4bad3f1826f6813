"""Deterministic randomness: every choice is seeded by a stable string key, never by global state."""
from __future__ import annotations

import hashlib
import random


def stable_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


def rng_for(*keys: str) -> random.Random:
    return random.Random(stable_hash("\x1f".join(keys)))


def unit(*keys: str) -> float:
    """A stable pseudo-random number in [0, 1) for the given key."""
    return stable_hash("\x1f".join(keys)) / 2**64
