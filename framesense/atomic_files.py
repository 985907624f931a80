"""Files written whole or not at all, and the temporary files of killed writers swept away.

Every writer (exports, sequences, renders, thumbnails, caches, model records) writes to a
temporary file beside the target and renames it into place, so a reader never meets half a
file. The temporary name says who made it: ``.tmp-<pid>-<random>-<target name>`` (it ends like
the target, so tools that choose a format by suffix still can). An error removes it at once;
a kill -9 cannot, so ``sweep`` removes those whose process is gone (or whose pid now belongs
to a process started after the file was made). Finished files get the user's umask mode, as
any ordinary file would, not ``mkstemp``'s 0600.
"""

from __future__ import annotations

import os
import re
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

PREFIX = ".tmp-"
_OURS = re.compile(r"^\.tmp-(\d+)-[0-9a-f]{8}-")
_UMASK: int | None = None
_SWEPT: set[str] = set()         # folders this process has swept (once each: writers come back often)


def _umask() -> int:
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0)
        os.umask(_UMASK)
    return _UMASK


def temp_name(path: Path) -> Path:
    return path.with_name(f"{PREFIX}{os.getpid()}-{secrets.token_hex(4)}-{path.name}")


@contextmanager
def atomic_path(path) -> Iterator[Path]:
    """A temporary path beside ``path`` for the caller to write (by name: PyAV, zipfile, SQLite);
    renamed to ``path`` when the block ends, removed if it raises."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if str(path.parent) not in _SWEPT:   # the first write into a folder clears what killed writers left there
        _SWEPT.add(str(path.parent))
        sweep(path.parent)
    tmp = temp_name(path)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` whole or not at all; returns ``path``."""
    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _alive_since(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch, Linux), 0 where unknown; None: no such process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass                          # someone else's process: alive
    try:   # field 22 of /proc/PID/stat: its start in clock ticks after boot (/proc/stat's btime)
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime"))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return 0.0


def stale(p: Path, owner: int) -> bool:
    """The process that made ``p`` is gone: no process has its pid, or the one that has it started later."""
    if owner == os.getpid():
        return False
    since = _alive_since(owner)
    if since is None:
        return True
    try:
        return since > p.lstat().st_mtime + 1.0
    except OSError:
        return False


def sweep(folder, recursive: bool = False, extra=None) -> list[Path]:
    """Remove the temporary files of dead writers in ``folder``; returns what went.
    ``extra(name) -> pid | None`` recognises other temporary names (the catalog's ``.new`` files)."""
    gone: list[Path] = []
    folder = Path(folder)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return gone
    for e in entries:
        if e.is_dir(follow_symlinks=False):
            if recursive:
                gone += sweep(e.path, True, extra)
            continue
        m = _OURS.match(e.name)
        owner = int(m.group(1)) if m else (extra(e.name) if extra else None)
        if owner is not None and stale(Path(e.path), owner):
            try:
                os.unlink(e.path)
                gone.append(Path(e.path))
            except OSError:
                pass
    return gone
