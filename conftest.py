"""Doctest collection of ``detector/``: skip the engine adapters whose engine is not installed.

``detector.integrations.datatrove`` raises ``MissingExtraError`` on import without datatrove, which
``--doctest-modules`` would otherwise report as a collection error.
"""
import importlib.util

collect_ignore = [f"detector/integrations/{name}.py" for name in ("datatrove",)
                  if importlib.util.find_spec(name) is None]
