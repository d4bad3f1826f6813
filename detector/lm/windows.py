"""How the token scorer cuts texts into forward passes: overlapping windows of one text
(:func:`_windows`) and length-sorted batches of windows (:func:`_batches`). Pure; no torch."""
from __future__ import annotations

WINDOW = 512  # tokens per forward pass (model context is larger; this bounds memory and cost)
STRIDE = 384  # new tokens scored per window after the first


def _batches(lengths: list[int], batch_size: int, tokens_per_batch: int):
    """Consecutive runs of ``lengths`` (ascending) with at most ``batch_size`` rows and ``tokens_per_batch``
    padded tokens each (a window longer than that budget goes alone); yields index lists.

    >>> list(_batches([3, 3, 4, 9], 8, 12))
    [[0, 1, 2], [3]]
    >>> list(_batches([3, 3, 4, 9], 2, 1000))
    [[0, 1], [2, 3]]
    """
    batch: list[int] = []
    for k, n in enumerate(lengths):
        if batch and (len(batch) >= batch_size or (len(batch) + 1) * n > tokens_per_batch):
            yield batch
            batch = []
        batch.append(k)
    if batch:
        yield batch


def _windows(ids: list[int]):
    """Split ``ids`` (BOS first) into overlapping windows: yields (window, order key, predictions to drop).

    The first window scores tokens 1..WINDOW-1; each later window re-reads WINDOW-STRIDE tokens of
    context and contributes only its new tokens, so every token is scored exactly once.
    """
    if len(ids) <= 1:
        return
    yield ids[:WINDOW], 0, 0
    pos = WINDOW
    while pos < len(ids):
        ctx = pos - (WINDOW - STRIDE)
        yield ids[ctx: pos + STRIDE], pos, pos - ctx - 1
        pos += STRIDE
