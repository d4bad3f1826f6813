"""detector: translation-artifact and text-quality detector for English prose.

Importing this package is cheap: no torch, no model load. ``Detector`` and ``compare`` are loaded
on first attribute access.
"""
__version__ = "0.1.0"

__all__ = ["Detector", "DetectorError", "compare", "__version__"]


def __getattr__(name):
    if name == "Detector":
        from .api import Detector

        return Detector
    if name == "compare":
        from .compare import compare

        return compare
    if name == "DetectorError":
        from .errors import DetectorError

        return DetectorError
    raise AttributeError(f"module 'detector' has no attribute {name!r}")
