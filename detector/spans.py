"""The values feature functions return: a number plus the character spans that explain it."""
from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Span:
    """Character offsets ``[start, end)`` into the caller's original text, with a stable reason slug."""

    start: int
    end: int
    reason: str

    def text_of(self, text: str) -> str:
        return text[self.start:self.end]

    def as_dict(self, text: str | None = None) -> dict:
        out = {"start": self.start, "end": self.end, "reason": self.reason}
        if text is not None:
            out["text"] = text[self.start:self.end]
        return out


@dataclass(frozen=True)
class Measured:
    """A feature value (``math.nan`` when undefined) and the spans that produced it."""

    value: float
    spans: tuple[Span, ...] = field(default_factory=tuple)

    @property
    def defined(self) -> bool:
        return not math.isnan(self.value)


def per_1000(count: int, length: int) -> float:
    """Rate per 1,000 units; nan when there is nothing to divide by."""
    return math.nan if length <= 0 else 1000.0 * count / length


def safe_div(num: float, den: float) -> float:
    return math.nan if not den else num / den
