"""Where the LM runs: ``auto``, ``cpu``, ``cuda`` or ``cuda:N``, and in which precision.

The device is a setting of the LM stage, not a second detector: every entry point (``Detector(device=...)``,
``detect score|gate --device``, ``make eval``/``make bench DEVICE=...``, the datatrove step, the Ray
integration) passes it to :class:`~detector.lm.LMScorer`, and the cascade is the same.

- :func:`check` validates a device string without importing torch (so a typo fails at once, as a typed error);
- :func:`resolve` picks the device when the model loads: ``auto`` is the first CUDA device when torch sees
  one, else the CPU; asking for CUDA where there is none is a :class:`~detector.errors.ModelError`;
- :func:`weights_dtype`: fp32 on the CPU (the fastest faithful runtime there), bf16 on CUDA (fp16 on GPUs
  without bf16); ``dtype=`` overrides it. Log-softmax, ranks, entropy and hidden-state means are computed in
  fp32 whatever the weights are (:meth:`LMScorer._forward`).
"""
from __future__ import annotations

import re

from ..errors import InputError, ModelError

DEVICES = "auto, cpu, cuda or cuda:N"
DTYPES = ("auto", "float32", "bfloat16", "float16")
_DEVICE = re.compile(r"(auto|cpu|cuda)(:\d+)?")


def check(device: str | None) -> str:
    """``device`` normalised (``None`` is ``auto``), or an :class:`InputError` naming the accepted forms.

    >>> check(None), check("CUDA:1"), check(" cpu ")
    ('auto', 'cuda:1', 'cpu')
    >>> check("gpu")
    Traceback (most recent call last):
    ...
    detector.errors.InputError: device must be auto, cpu, cuda or cuda:N, got 'gpu'
    """
    if device is None:
        return "auto"
    if not isinstance(device, str):
        raise InputError(f"device must be {DEVICES}, got {device!r}")
    value = device.strip().lower()
    match = _DEVICE.fullmatch(value)
    if not match or (match.group(2) and match.group(1) != "cuda"):
        raise InputError(f"device must be {DEVICES}, got {device!r}")
    return value


def check_dtype(dtype: str | None) -> str:
    """``dtype`` normalised (``None`` is ``auto``: fp32 on the CPU, bf16 on CUDA).

    >>> check_dtype(None), check_dtype("bfloat16")
    ('auto', 'bfloat16')
    """
    value = "auto" if dtype is None else dtype
    if value not in DTYPES:
        raise InputError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    return value


def resolve(device: str | None) -> str:
    """The torch device string to load the model on (imports torch)."""
    import torch

    value = check(device)
    if value == "auto":
        return "cuda:0" if torch.cuda.is_available() else "cpu"
    if value.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ModelError(f"device {value} asked for, but torch sees no CUDA device (torch {torch.__version__}, "
                             f"CUDA build: {torch.version.cuda or 'no'}); use --device cpu or auto")
        index = int(value.partition(":")[2] or 0)
        if index >= torch.cuda.device_count():
            raise ModelError(f"device {value} asked for, but torch sees {torch.cuda.device_count()} CUDA device(s)")
        return f"cuda:{index}"
    return "cpu"


def weights_dtype(device: str, dtype: str | None = None):
    """The torch dtype of the LM's weights on ``device`` (a resolved device string)."""
    import torch

    value = check_dtype(dtype)
    if value != "auto":
        return getattr(torch, value)
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def describe(device: str) -> str:
    """A human name for a resolved device (the GPU's name on CUDA)."""
    if device.startswith("cuda"):
        import torch

        return f"{device} ({torch.cuda.get_device_name(torch.device(device))})"
    return "cpu"
