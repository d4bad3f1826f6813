"""detector: translation-artifact and text-quality detector for English prose.

Importing this package is cheap: no torch, no model load. ``Detector`` and ``DetectorError`` are loaded
on first attribute access; ``from detector.compare import compare`` compares a suspect with its original.
"""
__version__ = "0.1.0"

__all__ = ["Detector", "DetectorError", "__version__"]


def __getattr__(name):
    if name == "Detector":
        from .api import Detector

        return Detector
    if name == "DetectorError":
        from .errors import DetectorError

        return DetectorError
    raise AttributeError(f"module 'detector' has no attribute {name!r}")
