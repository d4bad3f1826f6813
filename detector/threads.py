"""Run the fitted classifiers on one OpenMP thread.

scikit-learn's gradient-boosted trees predict in an OpenMP parallel region per tree batch. On the few rows
a batch of texts gives, the threads only wait for each other, and when the cores are busy (another
process, gate workers, the LM) every wait costs milliseconds: 6,000 such regions took 29 s of a 30 s gate
run on a loaded two-core machine, against 0.8 s on one thread. The LM keeps its own thread setting: the
limit holds only inside :func:`positive_proba`, and the predictions do not depend on it.
"""
from __future__ import annotations

import numpy as np

_controller = None


def positive_proba(classifier, X: np.ndarray) -> np.ndarray:
    """``classifier.predict_proba(X)[:, 1]``, on one OpenMP thread."""
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()  # the OpenMP runtimes loaded now: scikit-learn's is, by the model
    with _controller.limit(limits=1, user_api="openmp"):
        return classifier.predict_proba(X)[:, 1]
