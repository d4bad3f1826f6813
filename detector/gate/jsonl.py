"""JSON-lines files for the gate: compression, byte-exact splicing, resumable atomic outputs.

Compression follows the file name: ``.gz`` is gzip, ``.zst`` is zstd, anything else is plain; standard
input (``-``) is recognised by its magic bytes. Input is read as bytes, one line at a time.

Outputs are written chunk by chunk to ``<path>.partial`` and renamed to ``<path>`` on success, so a
final file only ever exists complete. A compressed output holds one gzip member or zstd frame per
chunk (every gzip and zstd reader reads concatenated members and frames), so a partial file can be
cut back to any chunk boundary and appended to: that is what ``--resume`` does.
"""
from __future__ import annotations

import io
import json
import os
import sys
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Iterator, Sequence

from ..errors import InputError, OutputError

STDIO = "-"
PARTIAL_SUFFIX = ".partial"
_MAGIC = {b"\x1f\x8b": "gzip", b"\x28\xb5\x2f\xfd": "zstd"}
_JSON_SPACE = b" \t\r\n"


def compression(path: str) -> str | None:
    """``"gzip"``, ``"zstd"`` or ``None`` (plain), from the file name.

    >>> compression("crawl.jsonl.gz"), compression("crawl.jsonl.zst"), compression("crawl.jsonl")
    ('gzip', 'zstd', None)
    """
    name = str(path).lower()
    return "gzip" if name.endswith(".gz") else "zstd" if name.endswith(".zst") else None


def _sniff(stream: BinaryIO) -> str | None:
    head = stream.peek(4)[:4]
    return next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), None)


def _peekable(stream: BinaryIO) -> BinaryIO:
    """``stream`` itself if it can peek (``sys.stdin.buffer`` can), else buffered so that it can (a
    replaced stdin, such as a ``BytesIO``): compressed stdin is recognised either way."""
    return stream if hasattr(stream, "peek") else io.BufferedReader(stream)


def _decompressed(raw: BinaryIO, kind: str | None) -> BinaryIO:
    if kind == "gzip":
        import gzip

        return gzip.GzipFile(fileobj=raw, mode="rb")
    if kind == "zstd":
        return io.BufferedReader(_ZstdFrames(raw))
    return raw


class _ZstdFrames(io.RawIOBase):
    """Every zstd frame of ``raw``, decompressed one after another; a stream that ends inside a frame (a
    truncated file) raises ``EOFError`` instead of reading as a clean end of file, as gzip does.
    (``zstandard``'s own stream reader stops silently at a cut frame.)"""

    CHUNK = 1 << 16

    def __init__(self, raw: BinaryIO):
        import zstandard

        self._raw, self._new = raw, zstandard.ZstdDecompressor().decompressobj
        self._frame = None  # the decompressor of the frame being read
        self._out = bytearray()
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._out and not self._done:
            chunk = self._raw.read(self.CHUNK)
            if not chunk:
                self._done = True
                if self._frame is not None and not self._frame.eof:
                    raise EOFError("the zstd stream ends inside a frame (truncated)")
            else:
                self._feed(chunk)
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        del self._out[:n]
        return n

    def _feed(self, data: bytes) -> None:
        while data:
            if self._frame is None or self._frame.eof:
                self._frame = self._new()
            self._out += self._frame.decompress(data)
            data = self._frame.unused_data if self._frame.eof else b""


class Lines:
    """The raw lines of an input, each with its line break, and how far into the input file they are."""

    def __init__(self, lines: Iterator[bytes], raw: BinaryIO, size: int | None):
        self._lines, self._raw, self._size = lines, raw, size

    def __iter__(self) -> "Lines":
        return self

    def __next__(self) -> bytes:
        return next(self._lines)

    def fraction(self) -> float | None:
        """The share of the input file read so far (compressed bytes for a compressed file); ``None`` for
        stdin or a pipe, whose size is unknown."""
        if not self._size:
            return None
        try:
            return min(1.0, self._raw.tell() / self._size)
        except (OSError, ValueError):
            return None


@contextmanager
def open_lines(path: str) -> Iterator[Lines]:
    """Yield the raw lines of ``path`` (``-``: stdin), each with its line break (:class:`Lines`)."""
    if path == STDIO and sys.stdin is None:
        raise InputError("stdin is closed; pass the input as --input FILE")
    try:
        raw = _peekable(sys.stdin.buffer) if path == STDIO else open(path, "rb")
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None
    try:
        kind = _sniff(raw) if path == STDIO else compression(path)
        size = os.fstat(raw.fileno()).st_size if path != STDIO and os.path.isfile(path) else None
        yield Lines(_lines(_decompressed(raw, kind), path), raw, size)
    finally:
        if path != STDIO:
            raw.close()
        elif raw is not sys.stdin.buffer:
            raw.detach()  # drop the peek buffer without closing stdin


def _lines(stream: BinaryIO, path: str) -> Iterator[bytes]:
    import zstandard

    number = 0
    try:
        for number, line in enumerate(stream, 1):
            yield line
    except (OSError, EOFError, zstandard.ZstdError) as e:
        raise InputError(f"cannot read {path} after line {number}: {e}; is it complete and named for its "
                         "compression (.gz, .zst)?") from None


def splice(line: bytes, fields: Sequence[tuple[str, Any]], empty: bool = False) -> bytes:
    """The JSON object on ``line`` with ``fields`` appended before its closing brace, every original byte
    kept in place (no re-serialisation); ``empty`` says the object is ``{}``. Ends with a line break.

    >>> splice(b'{"b": 1,  "a":"\\\\u00e9"}\\r\\n', [("detector", {"p": 0.5})])
    b'{"b": 1,  "a":"\\\\u00e9", "detector": {"p": 0.5}}\\n'
    >>> splice(b"{ }", [("x", [])], empty=True)
    b'{ "x": []}\\n'
    """
    body = line.rstrip(_JSON_SPACE)
    if not body.endswith(b"}"):
        raise ValueError("splice needs a line holding one JSON object")
    added = b", ".join(dumps(key) + b": " + dumps(value) for key, value in fields)
    return body[:-1] + (b"" if empty else b", ") + added + b"}\n"


def dumps(value: Any) -> bytes:
    """Compact-ish UTF-8 JSON (``", "`` and ``": "`` separators, no ASCII escaping, no NaN)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")


def partial_path(path: str) -> Path:
    return Path(f"{path}{PARTIAL_SUFFIX}")


class Sink:
    """One output file (or stdout): chunks go to ``<path>.partial``; :meth:`commit` renames it to ``path``.

    ``keep`` is the number of bytes of an existing partial file to keep (resuming); ``None`` starts over.
    """

    def __init__(self, path: str, keep: int | None = None):
        self.path = path
        self.kind = None if path == STDIO else compression(path)
        if path == STDIO:
            if sys.stdout is None or not hasattr(sys.stdout, "buffer"):
                raise OutputError("stdout is closed; write to a file with --output FILE")
            self._file, self.size = sys.stdout.buffer, 0
            return
        partial = partial_path(path)
        if keep is not None and not partial.is_file():
            raise InputError(f"{partial} is missing but the checkpoint expects {keep} bytes in it; "
                             "rerun without --resume to start over")
        try:
            self._file = open(partial, "r+b" if keep is not None else "wb")
        except OSError as e:
            raise OutputError(f"cannot write {partial}: {e.strerror or e}") from None
        if keep is not None:
            self._resume_at(partial, keep)
        self.size = self._file.tell()

    def _resume_at(self, partial: Path, keep: int) -> None:
        have = os.fstat(self._file.fileno()).st_size
        if have < keep:
            self._file.close()
            raise InputError(f"{partial} has {have} bytes but the checkpoint expects {keep}; it was changed "
                             "after the interruption; rerun without --resume to start over")
        self._file.truncate(keep)
        self._file.seek(keep)

    def write(self, data: bytes) -> None:
        """Write one chunk, compressed on its own (a gzip member or zstd frame)."""
        if not data:
            return
        if self.kind == "gzip":
            packer = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: a gzip member, mtime 0
            data = packer.compress(data) + packer.flush()
        elif self.kind == "zstd":
            import zstandard

            data = zstandard.ZstdCompressor(level=3).compress(data)
        try:
            self._file.write(data)
        except (OSError, ValueError) as e:  # ValueError: a closed stdout
            raise OutputError(f"cannot write {self._name}: {getattr(e, 'strerror', None) or e}") from None
        self.size += len(data)

    def sync(self) -> None:
        """Flush, and for files make the bytes durable (checkpoints rely on it)."""
        try:
            self._file.flush()
            if self.path != STDIO:
                os.fsync(self._file.fileno())
        except (OSError, ValueError) as e:
            raise OutputError(f"cannot write {self._name}: {getattr(e, 'strerror', None) or e}") from None

    @property
    def _name(self) -> str:
        return "stdout" if self.path == STDIO else str(partial_path(self.path))

    def commit(self) -> None:
        self.sync()
        if self.path != STDIO:
            self._file.close()
            os.replace(partial_path(self.path), self.path)

    def close(self) -> None:
        """Close without committing: the partial file stays for ``--resume``."""
        if self.path != STDIO and not self._file.closed:
            self._file.close()


def write_json_atomic(path: str | Path, obj: Any) -> None:
    """Write ``obj`` as JSON to a temporary file beside ``path``, fsync it, and rename it into place."""
    tmp = Path(f"{path}.tmp")
    with open(tmp, "wb") as f:
        # backslashreplace: a path holding surrogate escapes (a file name that is not UTF-8) is written as
        # the JSON escape "\\udce9", which reads back as the same str
        f.write(json.dumps(obj, indent=2, ensure_ascii=False).encode("utf-8", "backslashreplace") + b"\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_json(path: str | Path) -> Any | None:
    """The JSON in ``path``, or ``None`` if there is no such file."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise InputError(f"cannot read {path}: {e}; delete it to start over") from None
