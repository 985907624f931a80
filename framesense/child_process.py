"""Helper processes (``--jobs`` workers, plugin hosts, face helpers) die with the process that started them.

A kill -9 of the indexer runs no clean-up, so the kernel does it: on Linux PR_SET_PDEATHSIG has
it send SIGKILL to the child when its parent dies. Elsewhere the child notices on its next read
of the pipe to the parent (EOF) and ends there. Pool helpers (``concurrent.futures``) hold both ends
of their task queue, so they would wait forever: they watch their parent instead (``exit_with_parent``).
"""

from __future__ import annotations

import os
import signal
import sys
import threading


def die_with_parent(parent: int | None) -> bool:
    """Call first thing in the child; False when the parent is gone already (the child should return)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except Exception:
            pass
    return parent is None or os.getppid() == parent   # it died before the signal was asked for


def exit_with_parent() -> None:
    """In a spawned pool helper (its ``initializer``): end this process when the process that started
    it ends, whichever thread started it (PR_SET_PDEATHSIG follows the starting thread) and on any
    platform. Spawn leaves each child a pipe from its parent that reads as closed once the parent is
    gone, killed or not."""
    import multiprocessing
    from multiprocessing.connection import wait
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch():
        wait([parent.sentinel])
        os._exit(0)
    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
