"""Answers a search asks for again and again, kept per open catalog until the catalog changes.

Which files a ``--media`` pattern names, which vocabulary words lie near a misspelt one: each
costs a pass over a table that grows with the archive, and a paper edit asks the same thing for
every run of every line. An answer is kept with the catalog's state and dropped at the first
write by anyone: SQLite's ``PRAGMA data_version`` moves when another connection commits, this
connection's ``total_changes`` when it writes. So a cached answer is never stale, and a search
costs what its words cost, not what the number of files costs.
"""

from __future__ import annotations

import threading
import weakref
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")

MAX_ENTRIES = 20_000      # answers kept per catalog; past this the oldest half goes

_memos: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _state(catalog) -> tuple[int, int]:
    conn = catalog.conn
    return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes


def remembered(catalog, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``'s answer for ``key``, computed once per state of the catalog."""
    state = _state(catalog)
    with _lock:
        memo = _memos.get(catalog)
        if memo is None or memo[0] != state:
            memo = (state, {})
            _memos[catalog] = memo
        answers = memo[1]
        if key in answers:
            return answers[key]
    value = compute()
    with _lock:
        if len(answers) >= MAX_ENTRIES:
            for old in list(answers)[: MAX_ENTRIES // 2]:
                del answers[old]
        answers[key] = value
    return value
