"""The README and docs/ stay true to the code: a short README, only real `detect` options, every option
documented, and no broken relative links.

Options come from the typer app itself (no language model is loaded). A ``--option`` belongs to the
nearest preceding ``detect <command>`` in the same shell command: within one code-block line (lines
ending in ``\\`` continue it; ``|`` outside brackets, ``;``, ``&&`` and a ``#`` comment end it), or,
in prose, within one inline code span, or in a later span on the same line that holds nothing but
the option (and its value), such as ``--model DIR``.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MAX_README_LINES = 250


def doc_files() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md"))]


@lru_cache(maxsize=1)
def cli_options() -> dict[str, set[str]]:
    """Every ``detect`` command and the option strings it accepts (long, short and ``--no-...`` forms)."""
    import typer.main

    from detector.cli import app

    group = typer.main.get_command(app)
    out = {}
    for name, command in group.commands.items():
        opts = set()
        for param in command.params:
            if getattr(param, "param_type_name", "") == "option":
                opts.update(param.opts)
                opts.update(param.secondary_opts)
        out[name] = opts
    return out


# --- Markdown: fenced code blocks, inline code spans, links -------------------------------------------------

FENCE = re.compile(r"^\s*(```|~~~)")
SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
DETECT = re.compile(r"(?<![\w./-])detect\s+([a-z][\w-]*)")
OPTION = re.compile(r"(?<![\w-])(--[a-zA-Z][\w-]*|-[a-zA-Z])(?![\w-])")
OPTION_ONLY = re.compile(r"\s*(--[a-zA-Z][\w-]*|-[a-zA-Z])(?:[ =]\S+)?\s*")


def split_markdown(text: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """``(code, prose)``: code-block lines and prose lines, each as ``(line number, text)``."""
    code, prose, fence = [], [], None
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
        elif fence is not None and m and m.group(1) == fence and not line.strip()[3:].strip():
            fence = None
        elif fence is not None:
            code.append((number, line))
        else:
            prose.append((number, line))
    return code, prose


def _scope_ends(segment: str) -> int:
    """Where the shell command that starts ``segment`` ends: a pipe outside brackets, ``;``, ``&&`` or ``#``."""
    depth = 0
    for i, ch in enumerate(segment):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in "|;#&":
            comment = ch == "#" and (i == 0 or segment[i - 1].isspace())
            if ch in "|;" or comment or segment.startswith("&&", i):
                return i
    return len(segment)


def command_options(line: str) -> tuple[list[tuple[str, str]], str | None]:
    """The ``(command, option)`` pairs of one shell-like line, and the last ``detect`` command named in it."""
    pairs, last = [], None
    starts = list(DETECT.finditer(line))
    for k, m in enumerate(starts):
        last = m.group(1)
        stop = starts[k + 1].start() if k + 1 < len(starts) else len(line)
        rest = line[m.end():stop]
        rest = rest[:_scope_ends(rest)]
        pairs.extend((m.group(1), o.group(1)) for o in OPTION.finditer(rest))
    return pairs, last


def mentions(text: str) -> list[tuple[int, str, str]]:
    """Every ``(line, command, option)`` a Markdown text attributes to a ``detect`` command."""
    code, prose = split_markdown(text)
    found = []
    logical, first = "", None
    for number, line in code:
        first = number if not logical else first
        if line.rstrip().endswith("\\"):
            logical += line.rstrip()[:-1] + " "
            continue
        pairs, _ = command_options(logical + line)
        found.extend((first, c, o) for c, o in pairs)
        logical = ""
    if logical:
        found.extend((first, c, o) for c, o in command_options(logical)[0])

    # prose: paragraphs (so a code span may wrap), spans attributed per line
    for block in paragraphs(prose):
        joined = "\n".join(line for _, line in block)
        current: dict[int, str | None] = {}
        for m in SPAN.finditer(joined):
            number = block[joined.count("\n", 0, m.start())][0]
            content = m.group(2).replace("\n", " ")
            if DETECT.search(content):
                pairs, last = command_options(content)
                found.extend((number, c, o) for c, o in pairs)
                current[number] = last
            elif OPTION_ONLY.fullmatch(content):
                if current.get(number):
                    found.append((number, current[number], OPTION_ONLY.fullmatch(content).group(1)))
            elif OPTION.search(content):
                current[number] = None  # another tool's command line: its options are not detect's
    return found


LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REF_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def paragraphs(prose: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """Runs of consecutive non-blank prose lines (a blank line or a code block ends one)."""
    out, block = [], []
    for number, line in prose + [(None, "")]:
        if block and (not line.strip() or number != block[-1][0] + 1):
            out.append(block)
            block = []
        if line.strip():
            block.append((number, line))
    return out


def links(text: str) -> list[tuple[int, str]]:
    """Every link target in the prose of a Markdown text (not in code blocks or code spans), with the line
    it starts on (link text may wrap)."""
    _, prose = split_markdown(text)
    out = []
    for block in paragraphs(prose):
        joined = "\n".join(line for _, line in block)
        bare = SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), joined)
        out.extend((block[bare.count("\n", 0, m.start())][0], m.group(1)) for m in LINK.finditer(bare))
        for number, line in zip((n for n, _ in block), bare.split("\n")):
            m = REF_LINK.match(line)
            if m:
                out.append((number, m.group(1)))
    return sorted(out, key=lambda x: x[0])


def heading_anchors(text: str) -> set[str]:
    """GitHub's anchors for the headings of a Markdown text."""
    _, prose = split_markdown(text)
    anchors, seen = set(), {}
    for _, line in prose:
        m = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        slug = re.sub(r"[^\w\- ]", "", m.group(1).lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


def broken_links(path: Path) -> list[str]:
    bad = []
    for number, target in links(path.read_text(encoding="utf-8")):
        if SCHEME.match(target):
            continue
        file, _, anchor = target.partition("#")
        file = file.split("?")[0]
        resolved = path if not file else (ROOT / file.lstrip("/")) if file.startswith("/") else (path.parent / file)
        where = f"{path.relative_to(ROOT)}:{number}: {target}"
        if not resolved.exists():
            bad.append(f"{where} (no such file)")
        elif anchor and resolved.suffix == ".md":
            if anchor not in heading_anchors(resolved.read_text(encoding="utf-8")):
                bad.append(f"{where} (no heading #{anchor} in {resolved.relative_to(ROOT)})")
    return bad


# --- the tests ------------------------------------------------------------------------------------------------

def test_readme_is_a_front_door():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, (
        f"README.md has {len(lines)} lines (at most {MAX_README_LINES}); move detail to docs/")


@pytest.mark.parametrize("command", sorted(cli_options()))
def test_command_help_works(command):
    from typer.testing import CliRunner

    from detector.cli import app

    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, f"detect {command} --help exited {result.exit_code}: {result.output}"


def test_documented_options_exist():
    commands = cli_options()
    bad = []
    for path in doc_files():
        for number, command, option in mentions(path.read_text(encoding="utf-8")):
            where = f"{path.relative_to(ROOT)}:{number}"
            if command not in commands:
                bad.append(f"{where}: detect {command} {option} (no command {command!r}; "
                           f"commands: {', '.join(sorted(commands))})")
            elif option not in commands[command]:
                bad.append(f"{where}: detect {command} {option} (no such option)")
    assert not bad, "the docs mention options that do not exist:\n" + "\n".join(bad)


def test_every_option_is_documented():
    mentioned = {(c, o) for path in doc_files() for _, c, o in mentions(path.read_text(encoding="utf-8"))}
    missing = [f"detect {command} {option}" for command, options in sorted(cli_options().items())
               for option in sorted(options) if option != "--help" and (command, option) not in mentioned]
    assert not missing, ("options no doc mentions after their `detect <command>` (README.md or docs/):\n"
                         + "\n".join(missing))


def test_relative_links_resolve():
    bad = [b for path in doc_files() for b in broken_links(path)]
    assert not bad, "broken relative links:\n" + "\n".join(bad)


def test_mentions_parser():
    """The parser attributes options as the tests above rely on (so a bogus option cannot slip through)."""
    text = "\n".join([
        "Run `detect score --json` or `detect score --nonexistent`; `--model DIR` picks a model.",
        "`detect gate` with `--workers 2`, then `python -m training.prescore --threads 1` and `--shard 0/2`.",
        "A line without a command: `--free`.",
        "",
        "```",
        "detect gate -i in.jsonl [--fpr 0.01 | --threshold T] \\",
        "            --bogus | grep -v x  # --comment",
        "$ cat a.txt | detect compare - b.txt --embeddings; detect explain --html x.html",
        "```",
        "The wheel",
        "`detect compare",
        "--no-score` wraps.",
    ])
    found = {(c, o) for _, c, o in mentions(text)}
    assert found == {("score", "--json"), ("score", "--nonexistent"), ("score", "--model"), ("gate", "--workers"),
                     ("gate", "-i"), ("gate", "--fpr"), ("gate", "--threshold"), ("gate", "--bogus"),
                     ("compare", "--embeddings"), ("explain", "--html"), ("compare", "--no-score")}
    assert links("[a](x.md) `[b](y.md)` ![c](img/z.png \"t\") [d](https://e.org) [e](#top)\n[wrapped\nlink](w.md)") == [
        (1, "x.md"), (1, "img/z.png"), (1, "https://e.org"), (1, "#top"), (2, "w.md")]
