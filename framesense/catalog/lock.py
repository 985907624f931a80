"""One indexer per library: an advisory lock on ``index.lock`` holding the writer's pid.

SQLite serialises single writes, but two indexers interleave whole files and race on the same
media; the second one is told who holds the library instead. The lock goes with the process
(a killed indexer frees it at once), so a stale file never blocks anyone.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from ..errors import LibraryBusy

LOCK_FILE = "index.lock"


def _try_lock(fd) -> bool:
    try:
        import fcntl
    except ImportError:   # Windows
        import msvcrt
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


@contextmanager
def writer_lock(library_dir: Path, what: str = "index"):
    path = Path(library_dir) / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(fd):
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            raise LibraryBusy(f"{library_dir}: {holder} is indexing this library; wait for it to finish "
                              f"(or stop it) and run this {what} again")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"framesense {what} (pid {os.getpid()})".encode(), 0)
        yield
    finally:
        os.close(fd)   # closing the descriptor releases the lock
