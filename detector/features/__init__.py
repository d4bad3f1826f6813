"""Feature registry: pure functions under versioned names (``family.name.vN``).

Text features take ``str`` and return :class:`~detector.spans.Measured`; LM features take
``(str, TokenScores)``; derived features (``reads=...``) take ``(str, {name: Measured})`` with the values of
the features they read, computed once and shared (the evidence totals read the punctuation, names and
lexical features). Family modules register themselves on import; :func:`registry` imports them
lazily so that ``import detector`` stays cheap.
"""
from __future__ import annotations

import importlib
import math
import re
from dataclasses import dataclass
from typing import Callable

from ..errors import FeatureError
from ..spans import Measured

FAMILIES = ("lm", "punct", "names", "name_spelling", "lexical", "evidence", "characters", "hygiene")
# Hygiene is reported to users separately; it is text damage, not evidence of machine origin.
EVIDENCE_FAMILIES = ("lm", "punct", "names", "lexical", "evidence")
_MODULES = ("lm.stats", "lm.local", "lm.thesaurus", "punctuation", "names", "name_spelling", "lexical", "evidence", "characters", "hygiene")
_NAME = re.compile(r"^(%s)\.[a-z0-9_]+(\.[a-z0-9_]+)*\.v[0-9]+$" % "|".join(FAMILIES))


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    func: Callable[..., Measured]
    needs_lm: bool
    reads: Callable[[], list[str]] | None = None  # a derived feature: the names of the features it reads

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]


_REGISTRY: dict[str, FeatureSpec] = {}
_loaded = False


def feature(name: str, *, needs_lm: bool = False, reads: Callable[[], list[str]] | None = None):
    """Register a feature function under a versioned name; a duplicate name is an error. ``reads`` (a
    derived feature) returns the names of the features it reads, once the registry is loaded."""
    if not _NAME.match(name):
        raise FeatureError(f"bad feature name {name!r}: expected '<family>.<name>.v<N>' with family in {FAMILIES}")

    def register(func):
        if name in _REGISTRY and _REGISTRY[name].func is not func:
            raise FeatureError(f"feature {name!r} is registered twice; bump its version instead")
        _REGISTRY[name] = FeatureSpec(name, func, needs_lm, reads)
        return func

    return register


def _load() -> dict[str, FeatureSpec]:
    """The registry itself, unsorted and not a copy (for lookups, made once per feature per text), with
    the family modules loaded on first call."""
    global _loaded
    if not _loaded:
        for mod in _MODULES:
            importlib.import_module(f"{__name__}.{mod}")
        _loaded = True
    return _REGISTRY


def registry() -> dict[str, FeatureSpec]:
    """All registered features in a stable (sorted) order, loading the family modules on first call."""
    return dict(sorted(_load().items()))


def feature_names(families: tuple[str, ...] = FAMILIES) -> list[str]:
    return [n for n, s in registry().items() if s.family in families]


def lookup(name: str) -> FeatureSpec:
    reg = _load()
    if name not in reg:
        raise FeatureError(f"unknown feature {name!r}; known: {sorted(reg)}")
    return reg[name]


LM_VIEW_SLACK = 2000  # chars after the last scored token kept for the LM features (to the paragraph's end)


def lm_view(text: str, scores) -> str:
    """The part of ``text`` the LM features need: up to the end of the paragraph holding the last scored
    token (at most :data:`LM_VIEW_SLACK` chars further). With a 160-token budget, a long text's LM
    features then cost what a short one's do; offsets are unchanged (it is a prefix)."""
    if len(scores) == 0:
        return text[:LM_VIEW_SLACK]
    end = int(scores.offsets[-1][1])
    cut = text.find("\n", end, end + LM_VIEW_SLACK)
    return text[: cut if cut >= 0 else end + LM_VIEW_SLACK]


def compute(text: str, scores=None, only: list[str] | None = None) -> dict[str, Measured]:
    """Compute every (or the named) feature; LM features are nan when ``scores`` is None."""
    out: dict[str, Measured] = {}
    lm_text = lm_view(text, scores) if scores is not None else text
    names = only if only is not None else list(registry())
    derived = [n for n in names if lookup(n).reads]
    for name in [n for n in names if n not in derived]:
        spec = lookup(name)
        if spec.needs_lm:
            out[name] = spec.func(lm_text, scores) if scores is not None else Measured(math.nan)
        else:
            out[name] = spec.func(text)
    extra: dict[str, Measured] = {}  # inputs of derived features not asked for: computed once, not returned
    for name in derived:
        inputs = lookup(name).reads()
        for n in inputs:
            if n not in out and n not in extra:
                extra[n] = lookup(n).func(text)
        out[name] = lookup(name).func(text, {n: out[n] if n in out else extra[n] for n in inputs})
    return out
