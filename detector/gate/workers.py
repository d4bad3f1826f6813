"""Score batches of records in order, in this process or in worker processes.

Each worker builds its own detector once (so each loads its own language model) from a picklable
zero-argument factory, then scores whole batches. At most ``2 * workers`` batches are in flight, so
the input is still read as a stream, and results come back in input order.

A worker that dies (killed, out of memory) ends the run with :class:`WorkerDied` instead of a hang;
whatever ends the run early (that, an error, an interrupt) stops the other workers first. Workers
ignore SIGINT: a Ctrl-C reaches the whole process group, and the parent decides what it means.
"""
from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from typing import Any, Callable, Iterable, Iterator, TypeVar

from ..errors import DetectorError

B = TypeVar("B")
Result = list[tuple[str, dict[str, Any]]]  # (verdict, annotation) per scored text

_worker_detector: Any = None  # one per worker process, set by _start_worker


class WorkerDied(DetectorError):
    """A scoring process ended without a result (killed, out of memory, crashed in native code)."""


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
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")  # no fork: the parent may hold threads (torch)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(factory,))
    pending: deque = deque()
    try:
        for batch in batches:
            pending.append((batch, pool.submit(_score_in_worker, _texts(batch))))
            if len(pending) >= 2 * workers:
                done, result = pending.popleft()
                yield done, result.result()
        while pending:
            done, result = pending.popleft()
            yield done, result.result()
    except BrokenProcessPool:
        raise WorkerDied("a scoring worker process died (killed, or out of memory?)") from None
    finally:
        _stop(pool)


def _stop(pool) -> None:
    """End the workers now: nothing they still hold is wanted (on success nothing is left)."""
    for process in dict(getattr(pool, "_processes", None) or {}).values():
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _texts(batch) -> list[str]:
    return [r.text for r in batch.records if r.problem is None]


def _start_worker(factory: Callable[[], Any]) -> None:
    global _worker_detector
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _worker_detector = factory()
    except Exception as e:  # re-raised by the first task, so the parent sees why
        _worker_detector = e


def _score_in_worker(texts: list[str]) -> Result:
    if isinstance(_worker_detector, Exception):
        raise _worker_detector
    return score_texts(_worker_detector, texts)
