"""The command line's contact with the outside: reading inputs, the one-line error, and :func:`main`, which
turns every failure into one line on stderr and exit 2 (usage errors too), Ctrl-C into 130 and a closed
pipe (``detect score ... | head``) into a quiet exit.

Exit codes: 0 nothing flagged, 1 something flagged, 2 usage or runtime error, 128 + n stopped by signal n.
"""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import typer

EXIT_OK, EXIT_FLAGGED, EXIT_ERROR = 0, 1, 2
STDIN = "-"


def fail(message: str) -> None:
    """Print ``error: message`` (one line) on stderr and exit 2."""
    typer.echo(f"error: {' '.join(str(message).split())}", err=True)
    raise typer.Exit(EXIT_ERROR)


def shown(path: str | Path) -> str:
    """A path as printable text: bytes of the name that are not UTF-8 (surrogate escapes) as ``\\xe9``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def one_stdin(paths: list[str]) -> None:
    """Refuse ``-`` given twice: stdin can be read once (the second would silently read nothing)."""
    if sum(p == STDIN for p in paths) > 1:
        fail("'-' (stdin) is given more than once; stdin can be read only once: save it to a file first")


def looks_utf16(data: bytes) -> bool:
    """A UTF-16 byte-order mark, or every other byte NUL in the first line's ASCII letters."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    head = data[:200]
    return len(head) >= 8 and (head[1::2].count(0) >= len(head) // 2 * 0.9 or head[0::2].count(0) >= len(head) // 2 * 0.9)


def read_input(path: str) -> str:
    """Read a file (or stdin for ``-``) as UTF-8; errors become one-line messages."""
    try:
        if path == STDIN:
            if sys.stdin is None:
                fail("stdin is closed; pass the text as a FILE argument")
            data = sys.stdin.buffer.read()
        else:
            data = Path(path).read_bytes()
    except OSError as e:
        fail(f"cannot read {shown(path)}: {e.strerror or e}")
    except ValueError:  # a closed stdin object
        fail("stdin is closed; pass the text as a FILE argument")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        if looks_utf16(data):
            fail(f"{shown(path)} is UTF-16, not UTF-8; convert it first, e.g. iconv -f utf-16 -t utf-8")
        fail(f"{shown(path)} is not valid UTF-8 (byte {e.start}); convert it from its encoding first, "
             "e.g. iconv -f windows-1252 -t utf-8 (file -i shows the encoding)")


def main() -> None:
    """The ``detect`` entry point: run the app, and make every way out one line and a documented code."""
    from typer._click import exceptions as click_errors

    from .cli import app
    from .errors import DetectorError

    if sys.stdout is None:  # file descriptor 1 closed: writing to it fails loudly instead of into nothing
        sys.stdout = _ClosedStdout()
    try:
        code = app(standalone_mode=False, prog_name="detect")
    except click_errors.NoArgsIsHelpError:
        code = EXIT_ERROR  # the help is already printed
    except click_errors.UsageError as e:
        where = e.ctx.command_path if e.ctx is not None else "detect"
        _say(f"error: {' '.join(e.format_message().split())} (see {where} --help)")
        code = EXIT_ERROR
    except DetectorError as e:  # e.g. stdout closed (_ClosedStdout)
        _say(f"error: {' '.join(str(e).split())}")
        code = EXIT_ERROR
    except typer.Abort:  # Ctrl-C inside a prompt
        code = 130
    except KeyboardInterrupt:
        _say("error: interrupted")
        code = 130
    except BrokenPipeError:  # the reader went away (| head): nothing more to say
        _quiet_stdout()
        code = EXIT_ERROR
    except SystemExit as e:  # typer turns a broken pipe into exit 1, which would read as "flagged"
        if e.code != 1 or type(sys.stdout).__name__ != "PacifyFlushWrapper":
            raise
        code = EXIT_ERROR
    except OSError as e:
        _say(f"error: {str(e.filename) + ': ' if e.filename else ''}{e.strerror or e}")
        code = EXIT_ERROR
    except Exception as e:  # a defect: still one line and exit 2, never a traceback with the "flagged" code
        _say(f"error: internal error ({type(e).__name__}: {' '.join(str(e).split())[:300]}); please report it "
             "with the command that caused it")
        code = EXIT_ERROR
    _flush()
    if isinstance(sys.stdout, _ClosedStdout):
        sys.stdout = None
    sys.exit(code if isinstance(code, int) else EXIT_OK)


class _ClosedStdout(io.TextIOBase):
    """Stands for a closed file descriptor 1: writing to it is an :class:`OutputError` (never silence)."""

    encoding, errors = "utf-8", "strict"

    @property
    def buffer(self):
        self.write("")

    def write(self, s: str) -> int:
        from .errors import OutputError

        raise OutputError("stdout is closed; run detect with an open stdout (or gate --output FILE)")

    def isatty(self) -> bool:
        return False


def _say(line: str) -> None:
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):
        pass


def _flush() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
    except (OSError, ValueError):
        pass


def _quiet_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so that the interpreter's final flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
