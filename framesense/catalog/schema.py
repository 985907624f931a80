"""Discover component migrations and bring a catalog up to date."""

from __future__ import annotations

import sqlite3

from .migrations import BUILTIN

_EXTRA: dict[str, list[str]] = {}


def register(component: str, scripts: list[str]) -> None:
    """Let a plugin version its own tables alongside the built-in components."""
    _EXTRA[component] = list(scripts)


def components() -> dict[str, list[str]]:
    found = {**BUILTIN, **_EXTRA}
    # core first: everything else references media
    return dict(sorted(found.items(), key=lambda kv: (kv[0] != "core", kv[0])))


def _versions(conn) -> dict[str, int]:
    return dict(conn.execute("SELECT component, version FROM schema_versions").fetchall())


def _pending(conn, wanted: dict[str, list[str]]) -> dict[str, int]:
    have = _versions(conn)
    for name, scripts in wanted.items():
        if have.get(name, 0) > len(scripts):
            raise RuntimeError(
                f"catalog schema for '{name}' is version {have[name]}, newer than this FrameSense "
                f"({len(scripts)}); upgrade FrameSense to open it")
    return {name: have.get(name, 0) for name, scripts in wanted.items() if have.get(name, 0) < len(scripts)}


def check_current(conn: sqlite3.Connection, path) -> None:
    """A read-only catalog can be used only if it needs no migration."""
    try:
        pending = _pending(conn, components())
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        pending = {"core": 0}
    if pending:
        raise PermissionError(f"{path}: the library is read-only and its catalog needs an upgrade "
                              f"({', '.join(pending)}); open it once where it is writable")


def migrate(conn: sqlite3.Connection, only: dict[str, list[str]] | None = None, backup_to=None) -> dict[str, int]:
    """Apply pending migrations (of all components, or of ``only``); each script runs in its own transaction.

    Two processes opening a new library at once are serialised: the version is read again
    inside each script's write transaction, so a step another process applied is skipped.
    A catalog holding media is first copied to ``backup_to`` (SQLite's backup API).
    """
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_versions'").fetchone():
        conn.execute("CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    wanted = components() if only is None else only
    pending = _pending(conn, wanted)
    if not pending:
        return {name: len(scripts) for name, scripts in wanted.items()}   # nothing written: read-only catalogs work
    if pending and backup_to is not None and "core" not in pending:
        from ..atomic_files import atomic_path
        with atomic_path(backup_to) as tmp:   # the previous backup stays until this one is whole
            dest = sqlite3.connect(str(tmp))
            try:
                conn.backup(dest)
            finally:
                dest.close()
    for name, scripts in wanted.items():
        for version in range(pending.get(name, len(scripts)) + 1, len(scripts) + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                if _versions(conn).get(name, 0) >= version:   # another process got here first
                    conn.execute("COMMIT")
                    continue
                for statement in _split(scripts[version - 1]):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_versions (component, version) VALUES (?, ?) "
                             "ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                             (name, version))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:   # SQLite already rolled back after some errors (a full disk)
                    conn.execute("ROLLBACK")
                raise
    return {name: len(scripts) for name, scripts in wanted.items()}


def _split(script: str) -> list[str]:
    """Split a script into statements (executescript would commit our transaction)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf)
            buf = ""
    if buf.strip():
        out.append(buf)
    return out
