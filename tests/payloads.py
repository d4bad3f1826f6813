"""Model files that run code when read the unsafe way: each touches a marker file if it ever runs.

- :func:`pickle_payload`: a pickle (joblib) file whose ``__reduce__`` calls ``pathlib.Path.touch(marker)``
  while it is unpickled (``joblib.load``, ``pickle.load``);
- :func:`skops_class_payload`: a skops file holding an object of :class:`TouchesOnLoad`, a type no model
  needs, whose ``__setstate__`` touches the marker when skops builds it (``skops.io.load`` with that type
  trusted, as a loader that trusts whatever ``get_untrusted_types`` reports would);
- :func:`skops_function_payload`: a skops file referring to ``os.system``.

Kept in a module of its own (on ``sys.path`` through ``tests/conftest.py``) so that skops can name and
import :class:`TouchesOnLoad`, which is what makes the skops payload live.
"""
from __future__ import annotations

import os
import pathlib

import joblib


class _Touch:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return pathlib.Path.touch, (pathlib.Path(self.marker),)


class TouchesOnLoad:
    def __init__(self, marker):
        self.marker = str(marker)

    def __setstate__(self, state):
        pathlib.Path(state["marker"]).touch()
        self.__dict__.update(state)


def pickle_payload(file, marker) -> None:
    joblib.dump(_Touch(marker), file)


def skops_class_payload(file, marker) -> None:
    import skops.io as sio

    sio.dump({"classes_": [0, 1], "model": TouchesOnLoad(marker)}, file)


def skops_function_payload(file, marker) -> None:
    import skops.io as sio

    sio.dump({"predict_proba": os.system, "args": f"touch {marker}"}, file)


PAYLOADS = {"pickle": pickle_payload, "skops-class": skops_class_payload, "skops-function": skops_function_payload}
# what the refusal must name for each (a pickle is not a skops file at all)
NAMED = {"pickle": "not a skops model file", "skops-class": "payloads.TouchesOnLoad", "skops-function": "system"}
