"""Snapshot ``detect score --json`` on the bundled examples and the test split, and compare two snapshots.

A refactor that must not change behaviour is checked by taking a snapshot before and after it::

    python -m training.snapshot take before.jsonl            # on the old tree (copy this file there)
    python -m training.snapshot take after.jsonl             # on the new tree
    python -m training.snapshot diff before.jsonl after.jsonl

``take`` writes every text to a temporary directory (``examples/<name>`` and ``test/<id>.txt``) and runs
the real command line, ``detect score --json --no-fail``, over all of them in one process, so the
snapshot is exactly what a user sees. ``diff`` compares p_machine, verdict, reasons, spans,
lm_tokens, hygiene, words, language and threshold per file and prints a summary; it exits 1 when any field differs.

``take --cached`` runs the same command line in-process with the LM's token scores read from the score
cache (``.cache/lm``, as ``make eval`` does): a snapshot of the whole test split then costs minutes, not an
hour, and checks everything downstream of the LM; a plain ``take`` (or ``--limit N``) checks the LM too.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

FIELDS = ("p_machine", "verdict", "reasons", "spans", "lm_tokens", "hygiene", "words", "language", "threshold")


def inputs(root: Path, limit: int | None = None) -> list[Path]:
    """The files to score: the bundled examples, then the test split's texts (first ``limit`` by id)."""
    from training import data

    paths = []
    for src in sorted(Path("data/examples").glob("*.txt")):
        dst = root / "examples" / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(src.read_bytes())
        paths.append(dst)
    test = sorted(data.load_corpus(splits=("test",)), key=lambda r: r["id"])
    for r in test[:limit]:
        dst = root / "test" / f"{r['id']}.txt"
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(r["text"], encoding="utf-8")
        paths.append(dst)
    return paths


def _cached_cli(paths: list[Path]) -> tuple[int, str, str]:
    """``detect score --json --no-fail`` run in this process, its LM token scores read from the score cache
    (:class:`training.cache.CachedScorer`; a text not in it is scored by the LM and stored). Everything after
    the LM (features, sub-models, cascade, reasons, the command line's output) runs as it does for a user."""
    from typer.testing import CliRunner

    from detector import lm
    from detector.cli import app
    from training.cache import DEFAULT_DIR, CachedScorer

    make, root = lm.LMScorer.for_model, DEFAULT_DIR.resolve()
    lm.LMScorer.for_model = classmethod(lambda cls, meta, threads=None: CachedScorer(make(meta, threads), root))
    try:
        res = CliRunner().invoke(app, ["score", "--json", "--no-fail", *map(str, paths)])
    finally:
        lm.LMScorer.for_model = make
    return res.exit_code, res.stdout, res.stderr


def take(out: Path, limit: int | None, detect: str, cached: bool = False) -> int:
    with tempfile.TemporaryDirectory(prefix="detector-snapshot-") as tmp:
        root = Path(tmp)
        paths = inputs(root, limit)
        if cached:
            code, stdout, stderr = _cached_cli(paths)
        else:
            proc = subprocess.run([detect, "score", "--json", "--no-fail", *map(str, paths)], capture_output=True,
                                  text=True, cwd=root)
            code, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
        if code != 0:
            print(f"error: detect score exited {code}: {stderr.strip()}", file=sys.stderr)
            return 2
        lines = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    with open(out, "w", encoding="utf-8") as f:
        for row in lines:
            row["path"] = str(Path(row["path"]).relative_to(root)) if Path(row["path"]).is_absolute() else row["path"]
            f.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(lines)} results written to {out}")
    return 0


def _read(path: Path) -> dict[str, dict]:
    with open(path, encoding="utf-8") as f:
        return {row["path"]: row for row in map(json.loads, f)}


def diff(before: Path, after: Path) -> int:
    a, b = _read(before), _read(after)
    common = sorted(set(a) & set(b))
    differing = {field: [p for p in common if a[p].get(field) != b[p].get(field)] for field in FIELDS}
    verdicts: dict[str, int] = {}
    for p in common:
        verdicts[b[p]["verdict"]] = verdicts.get(b[p]["verdict"], 0) + 1
    print(f"files: {len(a)} before, {len(b)} after, {len(common)} in both "
          f"({sum(p.startswith('examples/') for p in common)} bundled examples, "
          f"{sum(p.startswith('test/') for p in common)} test-split texts)")
    print("verdicts after: " + ", ".join(f"{k} {n}" for k, n in sorted(verdicts.items())))
    for field, paths in differing.items():
        print(f"{field}: {len(common) - len(paths)} identical, {len(paths)} differ"
              + (f" (e.g. {', '.join(paths[:5])})" if paths else ""))
    only = sorted(set(a) ^ set(b))
    if only:
        print(f"in one snapshot only: {len(only)} (e.g. {', '.join(only[:5])})")
    return 1 if only or any(differing.values()) else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("take", help="score the examples and the test split with detect score --json")
    t.add_argument("out", type=Path)
    t.add_argument("--limit", type=int, default=None, help="only the first N test texts (by id)")
    t.add_argument("--detect", default=str(Path(sys.executable).parent / "detect"), help="the detect command")
    t.add_argument("--cached", action="store_true",
                   help="run the command line in this process with LM token scores from the score cache (.cache/lm)")
    d = sub.add_parser("diff", help="compare two snapshots field by field")
    d.add_argument("before", type=Path)
    d.add_argument("after", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "take":
        return take(args.out, args.limit, args.detect, args.cached)
    return diff(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
