"""Writing output files the way `-o PATH` promises: to what is at PATH, never replacing it by something else.

- a regular file or a new path: written whole or not at all (a temp file beside the target, renamed over
  it when complete), so a crash never leaves half a report;
- a symlink: followed, and its target written as above (the link stays a link);
- a FIFO, a character device (/dev/stdout, /dev/null, a terminal) or `-` (standard output): streamed into,
  since renaming a file over them would replace the pipe or device node instead of writing to it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from quizdl.errors import QuizdlError

STDOUT = Path("-")


def is_stream(path: Path) -> bool:
    """Whether `path` is written by streaming into it (`-`, a FIFO, a character device, a socket)."""
    if path == STDOUT:
        return True
    try:
        mode = os.stat(path).st_mode  # follows symlinks: /dev/stdout is a link to /proc/self/fd/1
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)


def _fail(path: Path, err: OSError) -> QuizdlError:
    return QuizdlError(f"cannot write {path}: {err.strerror or err}")


@contextlib.contextmanager
def _open_stream(path: Path, binary: bool) -> Iterator[TextIO | BinaryIO]:
    if path == STDOUT:
        stream: TextIO | BinaryIO = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    try:
        with open(path, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": ""})) as handle:  # type: ignore[call-overload]
            yield handle
    except OSError as err:
        raise _fail(path, err) from None


@contextlib.contextmanager
def atomic_path(path: Path, suffix: str = "") -> Iterator[Path]:
    """A temp path to write into; on success its content ends up at `path` (see the module docstring)."""
    if is_stream(path):
        with tempfile.TemporaryDirectory(prefix="quizdl-out-") as folder:
            tmp = Path(folder) / f"out{suffix or '.tmp'}"
            yield tmp
            with tmp.open("rb") as source, _open_stream(path, binary=True) as sink:
                try:
                    shutil.copyfileobj(source, sink)  # type: ignore[misc]
                except OSError as err:
                    raise _fail(path, err) from None
        return
    target = Path(os.path.realpath(path))  # a symlink's target is what gets written
    folder = target.parent
    if not folder.is_dir():
        raise QuizdlError(f"cannot write {path}: the folder {folder} does not exist")
    if target.is_dir():
        raise QuizdlError(f"cannot write {path}: it is a directory")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or ".tmp", dir=folder)
    except OSError as err:
        raise _fail(path, err) from None
    os.close(fd)
    tmp = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)  # mkstemp makes the file private; a report is an ordinary file
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as err:
        raise _fail(path, err) from None
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    write_with(path, lambda handle: handle.write(text))


def write_with(path: Path, fill: Callable[[TextIO], object]) -> None:
    """Let `fill` write text into `path`: streamed into a pipe or device, else a temp file put in place."""
    if is_stream(path):
        with _open_stream(path, binary=False) as handle:
            try:
                fill(handle)  # type: ignore[arg-type]
            except OSError as err:  # e.g. /dev/full: ENOSPC
                raise _fail(path, err) from None
        return
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as handle:
        fill(handle)
