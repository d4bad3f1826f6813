"""Runs after the other fuzz files (pytest takes them in name order): were enough cases executed?

Every property test in this folder counts each example it runs (``checks.count``), so the total is what
actually ran, not the sum of ``max_examples``. Skipped when only part of the fuzz suite was selected.
"""
import pytest

from fuzz.checks import CASES, MIN_CASES


def test_at_least_ten_thousand_generated_cases(request):
    fuzz_dir = request.path.parent
    counted = {item.name for item in request.session.items
               if item.path.parent == fuzz_dir and getattr(item.function, "is_hypothesis_test", False)}
    every = {name for name in _property_tests(fuzz_dir)}
    if counted != every:
        pytest.skip(f"only {len(counted)} of the {len(every)} fuzz property tests were selected")
    total = sum(CASES.values())
    assert set(CASES) == every, f"fuzz tests that ran no example: {sorted(every - set(CASES))}"
    assert total >= MIN_CASES, f"{total:,} generated cases executed, fewer than {MIN_CASES:,}"


def _property_tests(fuzz_dir):
    import ast

    for path in sorted(fuzz_dir.glob("test_fuzz_*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(d, ast.Call) and getattr(d.func, "id", "") == "given" for d in node.decorator_list):
                yield node.name
