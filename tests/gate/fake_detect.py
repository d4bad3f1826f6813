"""``detect`` with the fake scorer of :func:`fakes.env_detector`, for tests that run it as a process:
``python tests/gate/fake_detect.py gate ...`` (no language model is loaded)."""
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[2])]

if __name__ == "__main__":  # not again in the worker processes, which import this file as __mp_main__
    import detector.api
    import fakes

    detector.api.Detector = fakes.env_detector

    from detector.cli import main

    main()
