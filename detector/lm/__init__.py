"""The language model: the token scorer (:mod:`.scorer`), the LMs it can load (:mod:`.specs`), loading and
weight caching (:mod:`.load`) and the thesaurus probes (:mod:`.synonyms`). The only package that imports
torch, and only when a model is loaded: importing it is cheap."""
from .load import cache_root, file_sha256, load_model  # noqa: F401
from .scorer import (DEFAULT_MAX_TOKENS, SCORES_VERSION, STRIDE, WINDOW, LMScorer, TokenScores,  # noqa: F401
                     empty_scores)
from .specs import BOS_ID, GGUF_FILE, GGUF_PACKAGE, HIDDEN_LAYERS, LM_NAME, SMOLLM2, SPECS, LMSpec, gguf_path, spec_for  # noqa: F401
