"""Every code block in README.md and docs/*.md runs as written, or says why not.

A fence's info string says what a block is:

- ``console`` (commands after ``$ ``, other lines are output) and ``sh``/``bash``/``shell`` (every line that
  is not a comment is a command; a line ending in ``\\`` goes on): run by one bash process in a fresh copy
  of a folder that holds the bundled examples (``data/examples/``) and the small inputs the examples name
  (``article.txt``, ``articles/``, ``crawl.jsonl.zst``, ``crawl/``, ``crawl-parquet/`` ..., built below
  from ``data/examples`` and ``tests/cases``). Each command must exit 0, unless the line before the fence
  says ``<!-- example: exit 1 0 0 -->``: one exit code per command, in order;
- ``python``: saved as ``example.py`` in such a folder and run with a timeout: it must exit 0;
- ``text``, ``json``, ``jsonl`` or none: output, synopses and data formats, never run (so they hold no
  ``$ `` prompt).

A block that cannot run here says why on the line before its fence: ``<!-- example: not run (reason) -->``.
A Python block whose engine (datatrove, Ray, datasets) is not installed is skipped, naming the extra.
Blocks run the real model, so they are marked ``slow``. To keep them quick, the inputs are under 30 words
(``too_short``, decided without the LM) or not English, except the bundled examples and ``article.txt``.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from casedata import cases

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"
CLEAN_ARTICLE = "001_48270a29bd236081.txt"  # a human AP story (scrape-damaged): verdict clean
TIMEOUT = 300  # seconds a block may run (a few seconds of LM each; Ray and datatrove start processes)
GUARD_TIMEOUT = 60

SHELL, PYTHON, OUTPUT = {"console", "sh", "bash", "shell"}, {"python"}, {"", "text", "json", "jsonl"}
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)")
MARKER = re.compile(r"^\s*<!--\s*example:\s*(.*?)\s*-->\s*$")
NOT_RUN = re.compile(r"not run \((.*\S.*)\)")
EXITS = re.compile(r"exit((?: \d+)+)")
REIMPORTED = "finished its bootstrapping phase"  # multiprocessing: a worker re-ran an unguarded script
ENGINES = {"datatrove": "datatrove", "ray": "ray", "datasets": "datasets"}  # module: the extra to install


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    lang: str
    body: str
    marker: str | None  # the ``<!-- example: ... -->`` text on the line before the fence

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file (indented ones in lists too), in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, lang = m.groups()
        end = i + 1
        while end < len(lines) and not re.fullmatch(rf"\s*{re.escape(fence[0])}{{{len(fence)},}}\s*", lines[end]):
            end += 1
        before = next((line for line in reversed(lines[:i]) if line.strip()), "")
        marker = MARKER.match(before)
        body = "\n".join(line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines[i + 1:end])
        out.append(Block(path, i + 1, lang.lower(), body, marker.group(1) if marker else None))
        i = end + 1
    return out


ALL = [b for path in doc_files() for b in blocks(path)]
RUNNABLE = [b for b in ALL if b.lang in SHELL | PYTHON and not (b.marker and NOT_RUN.fullmatch(b.marker))]


def commands(block: Block) -> list[str]:
    """The shell commands of a block, continuation lines joined."""
    out, current = [], None
    for line in block.body.splitlines():
        if current is not None:
            current += "\n" + line
        elif block.lang == "console":
            if not line.startswith("$ "):
                continue  # output
            current = line[2:]
        elif line.strip() and not line.lstrip().startswith("#"):
            current = line
        else:
            continue
        if not current.endswith("\\"):
            out.append(current)
            current = None
    return out + ([current] if current else [])


def expected_exits(block: Block) -> list[int]:
    m = EXITS.fullmatch(block.marker or "")
    return [int(c) for c in m.group(1).split()] if m else [0] * len(commands(block))


# --- the inputs the examples name, from data/examples and tests/cases -------------------------------------------

def records() -> list[dict]:
    """A small crawl that needs no LM: short texts (too_short), a German text (not_english), a blank and a
    missing text. (Only ``article.txt`` and ``data/examples/`` are news articles that reach the LM.)"""
    short = [{"id": c["id"], "text": " ".join(c["text"].split()[:20])} for c in cases("synthetic", "negative")[::6]]
    german = next(c for c in cases("languages") if c["id"] == "de")
    return short + [{"id": "de", "text": german["text"]}, {"id": "blank", "text": " \n "}, {"id": "null", "text": None}]


def write_inputs(root: Path) -> None:
    shutil.copytree(EXAMPLES, root / "data" / "examples")
    shutil.copy(EXAMPLES / CLEAN_ARTICLE, root / "article.txt")
    rows = records()
    (root / "articles").mkdir()
    for row in rows[:3]:
        (root / "articles" / f"{row['id']}.txt").write_text(row["text"], encoding="utf-8")
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    gate_input = ("\n".join(lines[:3] + ['{"id": "broken", "text": '] + lines[3:]) + "\n").encode()
    (root / "crawl.jsonl.gz").write_bytes(gzip.compress(gate_input))
    import zstandard

    (root / "crawl.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(gate_input))
    (root / "crawl").mkdir()  # shards every reader parses (datatrove, Ray, datasets): valid JSON only
    half = len(lines) // 2
    for k, part in enumerate((lines[:half], lines[half:])):
        (root / "crawl" / f"part-{k}.jsonl").write_text("\n".join(part) + "\n", encoding="utf-8")
    if importlib.util.find_spec("pyarrow"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        (root / "crawl-parquet").mkdir()
        pq.write_table(pa.Table.from_pylist(rows), root / "crawl-parquet" / "part-0.parquet")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("example-inputs")
    write_inputs(root)
    return root


@pytest.fixture
def workdir(inputs, tmp_path) -> Path:
    shutil.copytree(inputs, tmp_path / "work")
    return tmp_path / "work"


def environment(tmp: Path) -> dict[str, str]:
    """The caller's environment, with this interpreter's ``detect`` first on PATH and nothing online."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_DATASETS_CACHE": str(tmp / "hf-cache"),
            "RAY_USAGE_STATS_ENABLED": "0", "PYTHONUNBUFFERED": "1"}


def run(argv: list[str], cwd: Path, timeout: float) -> tuple[int | None, str]:
    """``(exit code, output)``. ``None`` when it ran past ``timeout``, or when a worker process failed to
    start because the script started processes at import (a pool then restarts its workers for ever): its
    process group is killed then."""
    proc = subprocess.Popen(argv, cwd=cwd, env=environment(cwd.parent), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []

    def pump():
        for line in proc.stdout:
            lines.append(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline and not any(REIMPORTED in line for line in lines):
        time.sleep(0.2)
    code = proc.poll()
    if code is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    reader.join(timeout=10)
    return code, "".join(lines)


def run_python(source: str, cwd: Path, timeout: float = TIMEOUT) -> tuple[int | None, str]:
    (cwd / "example.py").write_text(source, encoding="utf-8")
    return run([sys.executable, "example.py"], cwd, timeout)


def missing_engine(block: Block) -> str | None:
    for name in re.findall(r"^\s*(?:from|import)\s+(\w+)", block.body, re.M):
        if name in ENGINES and importlib.util.find_spec(name) is None:
            return f"{name} is not installed: pip install 'detector[{ENGINES[name]}]'"
    return None


# --- the tests -----------------------------------------------------------------------------------------------------

def test_every_block_says_what_it_is():
    bad = [f"{b.where}: info string {b.lang!r} (use one of {sorted(SHELL | PYTHON | OUTPUT)})"
           for b in ALL if b.lang not in SHELL | PYTHON | OUTPUT]
    bad += [f"{b.where}: a `$ ` prompt in a block that is not run; make it ```console"
            for b in ALL if b.lang in OUTPUT and any(line.startswith("$ ") for line in b.body.splitlines())]
    bad += [f"{b.where}: marker {b.marker!r} (expected 'not run (reason)' or 'exit N ...', one code per command)"
            for b in ALL if b.marker is not None and not (
                NOT_RUN.fullmatch(b.marker) or (b.lang in SHELL and EXITS.fullmatch(b.marker)
                                                and len(expected_exits(b)) == len(commands(b))))]
    assert not bad, "\n".join(bad)


def test_blocks_not_run_are_few_and_give_a_reason():
    skipped = [b for b in ALL if b.lang in SHELL | PYTHON and b not in RUNNABLE]
    assert all(NOT_RUN.fullmatch(b.marker).group(1).strip() for b in skipped)
    assert len(skipped) <= 6, "most examples must run: " + ", ".join(b.where for b in skipped)
    assert len(RUNNABLE) >= 8


@pytest.mark.slow
@pytest.mark.parametrize("block", RUNNABLE, ids=lambda b: b.where)
def test_example_runs_as_written(block, workdir):
    if block.lang in PYTHON:
        if reason := missing_engine(block):
            pytest.skip(reason)
        code, out = run_python(block.body, workdir)
        assert code == 0, f"{block.where}: {'timed out' if code is None else f'exit {code}'}\n{out[-3000:]}"
        return
    exits = workdir.parent / "exits"
    script = ["set -o pipefail"]
    for command in commands(block):
        script += [command, f"echo $? >> {shlex.quote(str(exits))}"]
    code, out = run(["bash", "-c", "\n".join(script)], workdir, TIMEOUT)
    got = [int(c) for c in exits.read_text().split()] if exits.exists() else []
    assert code is not None, f"{block.where}: timed out\n{out[-3000:]}"
    assert got == expected_exits(block), f"{block.where}: exit codes {got}, expected {expected_exits(block)}\n{out[-3000:]}"


GUARDED = [b for b in RUNNABLE if b.lang in PYTHON and 'if __name__ == "__main__":' in b.body]


def without_guard(source: str) -> str:
    """The script with its ``if __name__ == "__main__":`` block run at import, as a careless copy would."""
    head, _, guarded = source.partition('if __name__ == "__main__":')
    body = guarded.split("\n", 1)[1] if "\n" in guarded else ""
    return head + textwrap.dedent(body)


def test_the_readme_datatrove_example_keeps_its_guard():
    readme = [b for b in GUARDED if b.path.name == "README.md" and "LocalPipelineExecutor" in b.body]
    assert readme, "the README's datatrove example must run its pipeline under if __name__ == \"__main__\":"
    stripped = without_guard(readme[0].body)
    compile(stripped, "example.py", "exec")
    assert "__main__" not in stripped and ".run()" in stripped


@pytest.mark.parametrize("block", [b for b in GUARDED if "LocalPipelineExecutor" in b.body or "run_gate" in b.body],
                         ids=lambda b: b.where)
def test_the_main_guard_is_needed(block, workdir):
    """The workers re-import the script (datatrove's forkserver, the gate's spawned processes): without the
    guard each would start the pipeline again, so the harness must see it fail."""
    if reason := missing_engine(block):
        pytest.skip(reason)
    code, out = run_python(without_guard(block.body), workdir, GUARD_TIMEOUT)
    assert code != 0, f"{block.where} without its __main__ guard still exited 0:\n{out[-2000:]}"
