"""Make shared test helpers (``tests/fakes.py``) importable under pytest's importlib mode.

The project root goes first so that ``training`` is the top-level package, not ``tests/training``.
"""
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
sys.path.append(str(HERE))

collect_ignore = ["gate/fake_detect.py"]  # a script run as a process by the tests, not a module to import
