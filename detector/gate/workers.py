"""Score batches of records in order, in this process or in worker processes.

Each worker builds its own detector once (so each loads its own language model) from a picklable
zero-argument factory, then scores whole batches. At most ``2 * workers`` batches are in flight, so
the input is still read as a stream, and results come back in input order.
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from typing import Any, Callable, Iterable, Iterator, TypeVar

B = TypeVar("B")
Result = list[tuple[str, dict[str, Any]]]  # (verdict, annotation) per scored text

_worker_detector: Any = None  # one per worker process, set by _start_worker


def score_texts(detector, texts: list[str]) -> Result:
    """One ``score_many`` call; the verdict and the compact annotation of each text."""
    return [(s.verdict, s.annotation()) for s in detector.score_many(texts)] if texts else []


def score_batches(batches: Iterable[B], detector, factory: Callable[[], Any],
                  workers: int) -> Iterator[tuple[B, Result]]:
    """Yield ``(batch, results)`` in order; ``batch.records`` with no ``problem`` are scored."""
    if workers <= 1:
        for batch in batches:
            yield batch, score_texts(detector, _texts(batch))
        return
    context = multiprocessing.get_context("spawn")  # no fork: the parent may hold threads (torch)
    with context.Pool(workers, initializer=_start_worker, initargs=(factory,)) as pool:
        pending: deque = deque()
        for batch in batches:
            pending.append((batch, pool.apply_async(_score_in_worker, (_texts(batch),))))
            if len(pending) >= 2 * workers:
                done, result = pending.popleft()
                yield done, result.get()
        while pending:
            done, result = pending.popleft()
            yield done, result.get()


def _texts(batch) -> list[str]:
    return [r.text for r in batch.records if r.problem is None]


def _start_worker(factory: Callable[[], Any]) -> None:
    global _worker_detector
    try:
        _worker_detector = factory()
    except Exception as e:  # re-raised by the first task: a failing initializer would respawn forever
        _worker_detector = e


def _score_in_worker(texts: list[str]) -> Result:
    if isinstance(_worker_detector, Exception):
        raise _worker_detector
    return score_texts(_worker_detector, texts)
