"""Where the gate reads and writes, checked before anything is opened for writing, and locked while it runs.

Every file a run touches has a role: the input; each output (``--output``, ``--rejects``, ``--stats``)
with its ``.partial`` (or ``.tmp``) and ``.lock`` companions; the checkpoint and its ``.tmp``. Paths
are resolved (``..``, symbolic links, hard links of existing files), and any two roles that name the
same file are refused with an :class:`~detector.errors.InputError`: otherwise ``--stats`` equal to the
input would destroy it, or ``-i X.partial -o X`` would empty the input before reading it.

Each output file is held under an exclusive lock (``flock`` on ``<path>.lock``, which names its holder)
for the whole run, so a second gate writing the same file fails at once with an
:class:`~detector.errors.OutputError` naming the first, instead of interleaving records with it.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import time
from contextlib import contextmanager
from typing import Iterator

from ..errors import InputError, OutputError
from .jsonl import PARTIAL_SUFFIX, STDIO

LOCK_SUFFIX = ".lock"
TMP_SUFFIX = ".tmp"
CHECKPOINT_SUFFIX = ".checkpoint.json"


def checkpoint_path(output: str, rejects: str | None) -> str | None:
    """``<output>.checkpoint.json``, or ``None`` when an output is stdout (nothing to resume into)."""
    return None if STDIO in (output, rejects) else f"{output}{CHECKPOINT_SUFFIX}"


def roles(input: str, output: str, rejects: str | None, stats: str | None) -> list[tuple[str, str]]:
    """``(role, path)`` for every file a run reads or writes (stdin and stdout have none)."""
    out: list[tuple[str, str]] = [] if input == STDIO else [("the input", input)]
    for option, path in (("--output", output), ("--rejects", rejects)):
        if path is not None and path != STDIO:
            out += [(option, path), (f"the {option} partial file", path + PARTIAL_SUFFIX),
                    (f"the {option} lock", path + LOCK_SUFFIX)]
    checkpoint = checkpoint_path(output, rejects)
    if checkpoint is not None:
        out += [("the checkpoint", checkpoint), ("the checkpoint's temporary file", checkpoint + TMP_SUFFIX)]
    if stats is not None:
        out += [("--stats", stats), ("the --stats temporary file", stats + TMP_SUFFIX),
                ("the --stats lock", stats + LOCK_SUFFIX)]
    return out


def check_distinct(named: list[tuple[str, str]]) -> None:
    """Refuse two roles that name the same file (by resolved path, or by inode for existing files)."""
    seen: dict[object, str] = {}
    for role, path in named:
        for key in _identities(path):
            if key in seen and seen[key] != role:
                raise InputError(f"{seen[key]} and {role} must differ, both are {_shown(path)}; "
                                 "give each its own file name")
            seen.setdefault(key, role)


def _identities(path: str) -> list[object]:
    keys: list[object] = [os.path.realpath(path)]
    try:
        st = os.stat(path)
        keys.append((st.st_dev, st.st_ino))
    except OSError:
        pass
    return keys


def _shown(path: str) -> str:
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def holder() -> dict:
    """Who holds a lock: written into the lock file, quoted to whoever finds it taken."""
    return {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "command": " ".join(sys.argv)}


@contextmanager
def locked(paths: list[str]) -> Iterator[None]:
    """Hold an exclusive lock on each of ``paths`` (files, not ``-``) for the body; the lock files are
    removed afterwards."""
    held: list[tuple[str, int]] = []
    try:
        for path in paths:
            held.append((path + LOCK_SUFFIX, _lock(path)))
        yield
    finally:
        for lock_path, fd in reversed(held):
            try:
                os.unlink(lock_path)  # before unlocking: a waiter that opened it sees a stale file and retries
            except OSError:
                pass
            os.close(fd)


def _lock(path: str) -> int:
    import fcntl

    lock_path = path + LOCK_SUFFIX
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise OutputError(f"cannot write {_shown(lock_path)}: {e.strerror or e}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            who = _read_holder(fd)
            os.close(fd)
            raise OutputError(f"{_shown(path)} is being written by another gate ({who}); wait for it to end, "
                              "or write elsewhere") from None
        try:
            if os.stat(lock_path).st_ino == os.fstat(fd).st_ino:
                break  # still the file at that path (not one its last holder removed meanwhile)
        except FileNotFoundError:
            pass
        os.close(fd)
    os.ftruncate(fd, 0)
    os.write(fd, json.dumps(holder(), ensure_ascii=False).encode("utf-8", "backslashreplace") + b"\n")
    return fd


def _read_holder(fd: int) -> str:
    try:
        who = json.loads(os.pread(fd, 4096, 0).decode("utf-8", "replace"))
        return f"pid {who['pid']} on {who['host']} since {who['since']}: {who['command']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that has not yet said who it is"
