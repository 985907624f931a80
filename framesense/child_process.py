"""Helper processes (``--jobs`` workers, plugin hosts) die with the process that started them.

A kill -9 of the indexer runs no clean-up, so the kernel does it: on Linux PR_SET_PDEATHSIG has
it send SIGKILL to the child when its parent dies. Elsewhere the child notices on its next read
of the pipe to the parent (EOF) and ends there."""

from __future__ import annotations

import os
import signal
import sys


def die_with_parent(parent: int | None) -> bool:
    """Call first thing in the child; False when the parent is gone already (the child should return)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except Exception:
            pass
    return parent is None or os.getppid() == parent   # it died before the signal was asked for
