"""The engine adapters stay optional: cheap to import, and a clear error when the engine is missing."""
import subprocess
import sys

PROBE = """
import sys
sys.modules["datatrove"] = None  # as if datatrove were not installed
import detector.integrations.ray
import detector.integrations.hf
from detector.errors import DetectorError
assert not {"ray", "torch", "pandas", "datasets", "pyarrow"} & set(sys.modules), "heavy imports at import time"
try:
    import detector.integrations.datatrove
except ImportError as e:
    assert isinstance(e, DetectorError)
    print(e)
"""


def test_missing_engine_says_which_extra_to_install():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "pip install 'detector[datatrove]'" in done.stdout
