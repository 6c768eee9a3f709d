"""Writing report files whole or not at all: a temp file next to the target, renamed over it when complete."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from quizdl.errors import QuizdlError


@contextlib.contextmanager
def atomic_path(path: Path, suffix: str = "") -> Iterator[Path]:
    """A temp path in `path`'s folder; renamed to `path` when the block succeeds, removed when it fails."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise QuizdlError(f"cannot write {path}: the folder {folder} does not exist")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or ".tmp", dir=folder)
    except OSError as err:
        raise QuizdlError(f"cannot write {path}: {err.strerror or err}") from None
    os.close(fd)
    tmp = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)  # mkstemp makes the file private; a report is an ordinary file
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as err:
        raise QuizdlError(f"cannot write {path}: {err.strerror or err}") from None
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_with(path: Path, fill: Callable[[TextIO], object]) -> None:
    """Open a temp text file, let `fill` write into it, then put it in place."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as handle:
        fill(handle)
