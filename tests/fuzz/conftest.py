"""Fixtures of the fuzz suite, and its case count printed at the end of the run (``checks.CASES``)."""
import pytest


@pytest.fixture
def fake_cli(monkeypatch):
    """``detect`` with the fake scorer: the CLI builds its detector through ``detector.api.Detector``."""
    import detector.api
    from fuzz.checks import StrictScorer

    real = detector.api.Detector
    monkeypatch.setattr(detector.api, "Detector", lambda model=None, **kw: real(model, scorer=StrictScorer(), **kw))


def pytest_terminal_summary(terminalreporter):
    from fuzz.checks import CASES

    if CASES:
        per_test = ", ".join(f"{name} {n:,}" for name, n in sorted(CASES.items()))
        terminalreporter.write_line(f"fuzz: {sum(CASES.values()):,} generated cases executed ({per_test})")
