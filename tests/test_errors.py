"""One error discipline: every failure of ``detect`` is one line on stderr and exit 2 (never a traceback,
never exit 1, the "flagged" code); every failure of the Python API is a :class:`DetectorError` subclass;
``Detector.filter`` gives a bad record its own reason and carries on. Each case here failed another way
before: a traceback with exit 1, a multi-line usage box, a silent empty read, or an untyped exception."""
import json
import shutil
import subprocess
import sys

import pytest

from detector import Detector, artifact
from detector.cli_io import looks_utf16
from detector.errors import DetectorError, InputError, ModelError
from fakes import FakeScorer
from gate.test_safety import FAKE_DETECT, one_line

TEXT = ("The minister said the talks would go on for another week at least, and the delegations met again in "
        "the capital on Tuesday to discuss what remained of the agenda and the next steps.\n")


def detect(*args, stdin=None, **kw) -> subprocess.CompletedProcess:
    """``detect`` (fake scorer, no LM) as a process, through the real entry point."""
    return subprocess.run([sys.executable, str(FAKE_DETECT), *map(str, args)], capture_output=True,
                          stdin=stdin, timeout=300, **kw)


def refused(proc: subprocess.CompletedProcess) -> str:
    """The one ``error:`` line of a run that exited 2."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    return one_line(proc.stderr.decode())


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


# --- the command line -------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, says", [
    (["score", "--fpr", "x", "a.txt"], "Invalid value for '--fpr'"),
    (["scor"], "No such command 'scor'"),
    (["gate", "--bogus"], "No such option: --bogus"),
    (["gate", "--workers", "two"], "Invalid value for '--workers'"),
    (["compare", "a.txt"], "Missing argument"),
    (["explain", "a.txt"], "Missing option '--html'"),
])
def test_a_usage_error_is_one_line_and_exit_2(text_file, args, says):
    line = refused(detect(*args, cwd=text_file.parent))
    assert says in line and "--help" in line


@pytest.mark.parametrize("command", [["score", "-", "-"], ["compare", "-", "-", "--no-score"]])
def test_stdin_named_twice_is_refused_instead_of_read_empty(text_file, command):
    with open(text_file, "rb") as stdin:
        assert "more than once" in refused(detect(*command, stdin=stdin))


def test_a_utf16_file_gets_the_utf16_hint(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes(TEXT.encode("utf-16"))
    line = refused(detect("score", path))
    assert "UTF-16" in line and "iconv -f utf-16" in line and "latin1" not in line


def test_looks_utf16():
    assert looks_utf16(TEXT.encode("utf-16")) and looks_utf16(TEXT.encode("utf-16-le"))
    assert looks_utf16(TEXT.encode("utf-16-be"))
    assert not looks_utf16(TEXT.encode("latin-1")) and not looks_utf16(b"caf\xe9") and not looks_utf16(b"")


def test_closed_stdin_is_one_line_and_exit_2():
    assert "stdin is closed" in refused(detect("score", stdin=subprocess.DEVNULL, preexec_fn=lambda: __import__("os").close(0)))


def test_closed_stdout_is_one_line_and_exit_2_unless_nothing_goes_there(tmp_path, text_file):
    close_stdout = lambda: __import__("os").close(1)  # noqa: E731
    proc = subprocess.run([sys.executable, str(FAKE_DETECT), "score", str(text_file)], stderr=subprocess.PIPE,
                          preexec_fn=close_stdout, timeout=300)
    assert "stdout is closed" in refused(proc)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": TEXT}) + "\n")
    proc = subprocess.run([sys.executable, str(FAKE_DETECT), "gate", "-i", str(src), "-o", str(tmp_path / "o.jsonl"),
                           "--rejects", str(tmp_path / "r.jsonl")], stderr=subprocess.PIPE,
                          preexec_fn=close_stdout, timeout=300)
    assert proc.returncode == 0, proc.stderr  # the gate writes to files: a closed stdout does not matter
    assert len((tmp_path / "o.jsonl").read_text().splitlines() + (tmp_path / "r.jsonl").read_text().splitlines()) == 1


def test_a_reader_that_goes_away_ends_quietly(text_file):
    proc = subprocess.Popen([sys.executable, str(FAKE_DETECT), "score", "--no-fail", *[str(text_file)] * 400],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 2 and "Traceback" not in err and "Exception ignored" not in err, err


TAMPERED = {
    "threshold not a number": lambda m: m["thresholds"]["0.01"].update(threshold="abc"),
    "min_words a string": lambda m: m.update(min_words="x"),
    "lm a string": lambda m: m.update(lm="x"),
    "evidence rule naming an unknown feature": lambda m: m["evidence_rule"].update(feature="evidence.nothing.v9"),
    "features not a list": lambda m: m.update(features=5),
    "token budget a string": lambda m: m["lm"].update(max_tokens="many"),
    "medians a list": lambda m: m.update(feature_medians=[1]),
    "a cascade stage's bound missing": lambda m: m["cascade"]["stages"][0].pop("high"),
    "meta.json a list": lambda m: m.clear() or m.update(__list__=True),
}


def tampered(tmp_path, edit):
    path = tmp_path / "m"
    shutil.copytree(artifact.default_model_dir(), path)
    meta = json.loads((path / "meta.json").read_text())
    edit(meta)
    (path / "meta.json").write_text("[]" if meta.get("__list__") else json.dumps(meta))
    return path


@pytest.mark.parametrize("case", TAMPERED)
def test_a_tampered_meta_json_is_one_line_and_exit_2(tmp_path, text_file, case):
    model = tampered(tmp_path, TAMPERED[case])
    assert "meta.json" in refused(detect("score", text_file, "--model", model))
    with pytest.raises(ModelError):
        Detector(model, scorer=FakeScorer())


def test_an_unexpected_failure_is_still_one_line_and_exit_2(monkeypatch, capsys):
    """A defect (here a RuntimeError from inside a command) is reported as one line, exit 2: exit 1 would read
    as "flagged" to a pipeline."""
    import detector.cli
    from detector.cli_io import main

    def broken(**kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(detector.cli, "app", broken)
    with pytest.raises(SystemExit) as e:
        main()
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("error: internal error (RuntimeError: boom second line)")


def test_ctrl_c_outside_the_gate_exits_130(monkeypatch, capsys):
    import detector.cli
    from detector.cli_io import main

    def interrupted(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(detector.cli, "app", interrupted)
    with pytest.raises(SystemExit) as e:
        main()
    assert e.value.code == 130 and capsys.readouterr().err.strip() == "error: interrupted"


# --- the Python API -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def det():
    return Detector(scorer=FakeScorer())


@pytest.mark.parametrize("kwargs, error, says", [
    ({"model_dir": 123}, ModelError, "model_dir must be a path"),
    ({"threshold": "abc"}, InputError, "threshold must be a number"),
    ({"threshold": float("nan")}, InputError, "threshold must be a number"),
    ({"threshold": 2.0}, InputError, "within [0, 1]"),
    ({"fpr": "x"}, InputError, "fpr must be a number"),
    ({"fpr": 0.3}, ModelError, "no threshold stored"),
    ({"threshads": 1}, TypeError, "unexpected keyword"),  # a misspelt argument stays Python's own error
    ({"threads": 0}, InputError, "threads must be"),
    ({"threads": "2"}, InputError, "threads must be"),
])
def test_bad_detector_arguments_raise_typed_errors(kwargs, error, says):
    with pytest.raises(error) as e:
        Detector(scorer=FakeScorer(), **kwargs)
    assert says in str(e.value)
    assert issubclass(error, DetectorError) or error is TypeError


@pytest.mark.parametrize("texts, says", [
    ("hello", "not one text"), (b"hello", "not one text"), (None, "list of texts"), (5, "list of texts"),
    ([TEXT, None], "expected text"), ([b"x"], "decode it first"),
])
def test_score_many_refuses_what_is_not_a_list_of_texts(det, texts, says):
    with pytest.raises(InputError) as e:
        det.score_many(texts)
    assert says in str(e.value)


def test_filter_gives_a_bad_record_its_reason_and_scores_the_rest(det):
    records = [{"id": 0, "text": TEXT}, {"id": 1, "text": None}, {"id": 2}, {"id": 3, "text": "  "},
               {"id": 4, "text": "\ud800 broken"}, {"id": 5, "text": 7}, "not a record", {"id": 6, "text": TEXT}]
    out = list(det.filter(records, text_of=lambda r: r["text"], batch_size=3))
    assert [r for r, _ in out] == records
    reasons = [v.reason for _, v in out]
    assert reasons[1:6] == ["missing_text", "missing_text", "empty_text", "decode_error", "missing_text"]
    assert reasons[6] == "missing_text"
    assert out[0][1].score is not None and out[7][1].score is not None
    assert out[0][1].score.p_machine == out[7][1].score.p_machine
    assert all(not v.keep and v.score is None for _, v in out[1:7])


@pytest.mark.parametrize("kwargs, says", [
    ({"items": None}, "iterable of records"), ({"items": "abc"}, "iterable of records"),
    ({"items": [], "text_of": "text"}, "text_of must be a function"),
    ({"items": [], "batch_size": 0}, "batch_size must be"),
])
def test_filter_arguments_are_checked(det, kwargs, says):
    with pytest.raises(InputError) as e:
        list(det.filter(**kwargs))
    assert says in str(e.value)
