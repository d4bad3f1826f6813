"""Candidate search for :mod:`detector.compare.align`: the original sentences worth scoring for each suspect one.

A TF-IDF index (scikit-learn's ``TfidfVectorizer``) over the normalised words of the original's
sentences; the suspect sentences' rows are multiplied with it (a SciPy sparse product,
SHORTLIST_BLOCK rows at a time) and each keeps the SHORTLIST sentences with the highest cosine. A word
found in more than MAX_POSTINGS original sentences is left out of the index: it says little about
which sentence matches, and it is what would make the product quadratic (every suspect sentence
meeting every original sentence that has ``the``). So the work is at most the suspect's words times
MAX_POSTINGS, linear in the suspect whatever the length of the original. A suspect sentence made only
of such common words retrieves nothing here; the aligner also tries the sentences after the previous
suspect sentence's match.

Why words rather than character n-grams: on the 5,000-sentence pair of ``training/compare_scale.py``
words, word bigrams and character 4-grams all retrieve what scoring every original sentence finds for
each aligned suspect sentence (character 3- to 5-grams miss one), and words are the cheapest to index
(scrape damage is normalised away before, see :mod:`detector.compare.align`; a respelled name leaves
the sentence's other words).

>>> from detector.compare.align import units
>>> o = units("Talks in Geneva ended on Monday. The weather was fine. Prices rose again in May.")
>>> shortlist(units("Prices rose in May again."), o)  # sentence 2, then 0 (it shares "in")
[[2, 0]]
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .align import Unit

SHORTLIST = 8  # original sentences retrieved per suspect sentence
MAX_POSTINGS = 200  # a word in more original sentences than this is not indexed
SHORTLIST_BLOCK = 512  # suspect sentences per sparse product (bounds its memory)


def shortlist(suspect: list[Unit], original: list[Unit], k: int = SHORTLIST) -> list[list[int]]:
    """For each suspect unit, up to ``k`` indices into ``original``, the highest TF-IDF cosine first
    (ties: the earlier sentence); only sentences that share an indexed word with it."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not suspect or not original:
        return [[] for _ in suspect]
    vec = TfidfVectorizer(lowercase=False, token_pattern=r"\S+", sublinear_tf=True, dtype=np.float32)
    o = vec.fit_transform([" ".join(u.norms) for u in original]).tocsc()
    keep = np.flatnonzero(np.diff(o.indptr) <= MAX_POSTINGS)  # document frequency per word
    o = o[:, keep].T.tocsr()  # words x original sentences
    s = vec.transform([" ".join(u.norms) for u in suspect]).tocsc()[:, keep].tocsr()
    out: list[list[int]] = []
    for a in range(0, s.shape[0], SHORTLIST_BLOCK):
        prod = (s[a:a + SHORTLIST_BLOCK] @ o).tocsr()
        for r in range(prod.shape[0]):
            lo, hi = prod.indptr[r], prod.indptr[r + 1]
            idx, val = prod.indices[lo:hi], prod.data[lo:hi]
            if hi - lo > k:  # the k-th highest cosine and all that reach it, then sort and cut
                top = np.flatnonzero(val >= -np.partition(-val, k - 1)[k - 1])
                idx, val = idx[top], val[top]
            out.append(idx[np.lexsort((idx, -val))][:k].tolist())
    return out


def retrieve(s_units: list[Unit], o_units: list[Unit]) -> list[list[int]]:
    """Candidate indices per suspect unit: each original sentence the index retrieves and its adjacent pairs.

    Candidates are ``o_units`` and then the adjacent pairs: pair ``(j, j + 1)`` is ``len(o_units) + j``.
    """
    n = len(o_units)
    return [[c for j in found for c in _with_pairs(j, n)] for found in shortlist(s_units, o_units)]


def _with_pairs(j: int, n: int) -> list[int]:
    return [j] + ([n + j - 1] if j > 0 else []) + ([n + j] if j + 1 < n else [])


def following(prev: Unit | None, n: int) -> set[int]:
    """The original sentence a previous match ends on and the next one, each alone and paired with the next."""
    if prev is None:
        return set()
    return {c for j in (prev.last, prev.last + 1) if j < n for c in ((j, n + j) if j + 1 < n else (j,))}
