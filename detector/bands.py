"""Thresholds per length band: a short text is held to a threshold chosen on texts of its own length.

A 50-word excerpt scores differently from a 500-word article (fewer tokens, noisier features), so one
threshold chosen on full-length documents does not keep its false-positive rate on short texts. A model's
``meta.json`` may hold ``length_bands`` (``training.bands`` writes it, on dev): consecutive word ranges, each
with a threshold per stated false-positive rate, chosen so that every human kind of that length keeps the
rate. Where the dev data of a band could not hold a rate, the band's threshold is ``null``: texts of that
length get ``too_short`` at that rate (the detector abstains rather than guesses). Models without bands use
their one threshold for every length.

>>> bands = Bands((30, 80), (None, 0.97))
>>> bands.threshold(50), bands.threshold(400), bands.label(50), bands.label(400)
(None, 0.97, '30-79', '80+')
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True)
class Bands:
    """Word-count bands from ``starts[i]`` to ``starts[i + 1] - 1`` (the last one open), each with its
    threshold (``None``: abstain, verdict ``too_short``)."""

    starts: tuple[int, ...]
    thresholds: tuple[float | None, ...]

    def index(self, words: int) -> int:
        return max(0, bisect.bisect_right(self.starts, words) - 1)

    def threshold(self, words: int) -> float | None:
        return self.thresholds[self.index(words)]

    def label(self, words: int) -> str:
        return label(self.starts, self.index(words))

    @classmethod
    def single(cls, min_words: int, threshold: float) -> "Bands":
        """One threshold for every length (a model without bands, or a threshold the caller chose)."""
        return cls((min_words,), (threshold,))

    @classmethod
    def from_meta(cls, meta: dict, key: str) -> "Bands | None":
        """The bands stored for the operating point ``key`` (such as ``"0.01"``); None if the model has none."""
        stored = meta.get("length_bands")
        if not stored:
            return None
        rows = stored["bands"]
        return cls(tuple(int(b["min_words"]) for b in rows), tuple(b["thresholds"].get(key) for b in rows))


def label(starts: tuple[int, ...] | list[int], i: int) -> str:
    """A band's words as text: ``30-79``, or ``200+`` for the last one.

    >>> label((30, 80, 200), 1), label((30, 80, 200), 2)
    ('80-199', '200+')
    """
    return f"{starts[i]}+" if i == len(starts) - 1 else f"{starts[i]}-{starts[i + 1] - 1}"
