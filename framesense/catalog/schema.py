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


def migrate(conn: sqlite3.Connection, only: dict[str, list[str]] | None = None) -> dict[str, int]:
    """Apply pending migrations (of all components, or of ``only``); each script runs in its own transaction."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    have = dict(conn.execute("SELECT component, version FROM schema_versions").fetchall())
    result = {}
    for name, scripts in (components() if only is None else only).items():
        current = have.get(name, 0)
        if current > len(scripts):
            raise RuntimeError(
                f"catalog schema for '{name}' is version {current}, newer than this FrameSense "
                f"({len(scripts)}); upgrade FrameSense to open it")
        for version in range(current + 1, len(scripts) + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _split(scripts[version - 1]):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_versions (component, version) VALUES (?, ?) "
                             "ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                             (name, version))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        result[name] = len(scripts)
    return result


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
