"""``detect compare``: a suspect text against its clean original. :mod:`.comparison` decides (derived,
independent, unrelated) and summarises, :mod:`.align` aligns sentences (:mod:`.index` finds each
one's candidates), :mod:`.edits` lists what changed in each aligned pair, :mod:`.embedding` adds
optional MiniLM sentence similarity."""
from .comparison import DERIVED_COVERAGE, DERIVED_SHARE, MAX_CHARS, Comparison, compare  # noqa: F401
