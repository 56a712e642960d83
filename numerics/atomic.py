"""Atomic file writes with the user's umask: the one writer every output goes through.

A file is written to a temporary name in its own folder, flushed to disk, given the
permissions a plain ``open()`` would have given it (``0o666`` less the umask: a
temporary file is created ``0o600``), and moved into place with :func:`os.replace`,
so a reader sees the old file or the new one, never half of one, and an interrupted
write leaves nothing behind.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable, IO


def umask() -> int:
    """The process's current umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], object]) -> Path:
    """Call ``write(fh)`` on a binary file that becomes ``path`` only when it returns.

    The folder is created if missing.  Raises what ``write`` or the file system raise,
    after removing the temporary file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """:func:`atomic_write` of ``text`` in UTF-8."""
    if not isinstance(text, str):
        raise TypeError(f"atomic_write_text: text must be a str; got {type(text).__name__}")
    data = text.encode("utf-8")
    return atomic_write(path, lambda fh: fh.write(data))


__all__ = ["atomic_write", "atomic_write_text", "umask"]
