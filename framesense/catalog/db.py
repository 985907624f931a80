"""The catalog: one SQLite file in WAL mode, foreign keys on, one writer at a time.

Writes happen inside ``with catalog.transaction():`` blocks, one per unit of
work, so a killed run leaves either the whole unit or none of it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

from ..config import CATALOG_FILE, resolve_library
from ..atomic_files import sweep, write_atomic
from ..errors import CatalogDamaged, disk_full, full_disk_error
from ..paths import PATH_COLUMNS, display, from_db, row_paths, safe_text, to_db
from . import schema


class Catalog:
    def __init__(self, library_dir: Path, conn: sqlite3.Connection):
        self.dir = Path(library_dir)
        self.conn = conn
        self._tx_depth = 0
        self._lock = threading.RLock()

    # -- opening ---------------------------------------------------------
    @classmethod
    def open(cls, library=None, *, create: bool = True) -> "Catalog":
        lib = resolve_library(library)
        path = lib / CATALOG_FILE
        if not path.exists() and not create:
            raise FileNotFoundError(f"no FrameSense library at {lib} (run 'framesense index' to create one)")
        try:
            lib.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OSError(f"cannot create library folder {lib}: {exc.strerror}") from None
        sweep(lib, extra=_new_catalog_owner)   # what killed writers left: half-made catalogs, temporary files
        sweep(lib / "cache", recursive=True)    # (thumbnail folders: at the next write into each)
        if not path.exists():
            _create(path)
        if path.stat().st_size == 0:
            raise CatalogDamaged(path, "the file is empty (zero bytes)")
        read_only = path.exists() and not (os.access(path, os.W_OK) and os.access(lib, os.W_OK))
        try:
            if read_only:   # a library on a read-only disk or share can still be searched
                # A folder SQLite cannot write holds no WAL index either: read the file as it stands.
                flags = "mode=ro" if os.access(lib, os.W_OK) else "mode=ro&immutable=1"
                conn = sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True, isolation_level=None,
                                       timeout=30, check_same_thread=False)
            else:
                conn = sqlite3.connect(str(path), isolation_level=None, timeout=30, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 30000")
            if not read_only:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            if read_only:
                schema.check_current(conn, path)
            else:
                schema.migrate(conn, backup_to=path.with_name(path.name + ".bak"))
        except sqlite3.DatabaseError as exc:
            if disk_full(exc, lib):     # e.g. a migration on a full disk: rolled back, the file as it was
                raise full_disk_error(path) from None
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise
            if "readonly" in str(exc):
                raise PermissionError(f"{path}: cannot write the catalog ({exc})") from None
            raise CatalogDamaged(path, str(exc)) from None
        catalog = cls(lib, conn)
        try:
            catalog.verify()
        except CatalogDamaged:
            conn.close()
            raise
        return catalog

    @property
    def path(self) -> Path:
        return self.dir / CATALOG_FILE

    def close(self):
        self.conn.close()

    def verify(self) -> None:
        """Every open checks the file (quick_check), once per state of it: the sizes and times of the
        file and its WAL are remembered beside it when sound, so a damaged catalog is named as such
        at any open, and the hundredth search of a sound one costs two stats, not a scan."""
        stamp_path = self.dir / (CATALOG_FILE + ".checked")
        stamp = self._stamp()           # taken first: a write during the check means checking again
        try:
            if stamp_path.read_text() == stamp:
                return
        except (OSError, UnicodeDecodeError):
            pass
        problem = self.health()
        if problem:
            raise CatalogDamaged(self.path, problem)
        try:
            write_atomic(stamp_path, stamp)
        except OSError:                 # a read-only library (or a full disk) is checked at each open
            pass

    def _stamp(self) -> str:
        """The file's size and time, and its WAL's while it holds anything (an empty one comes and goes
        with every connection)."""
        parts = []
        for p in (self.path, self.path.with_name(self.path.name + "-wal")):
            try:
                st = p.stat()
            except OSError:
                continue
            if st.st_size:
                parts.append(f"{st.st_size}:{st.st_mtime_ns}")
        return " ".join(parts)

    def health(self) -> str | None:
        """None when SQLite's quick_check finds the file sound, else what it found (first lines)."""
        try:
            rows = [r[0] for r in self.conn.execute("PRAGMA quick_check(5)")]
        except sqlite3.DatabaseError as exc:
            return str(exc)
        return None if rows == ["ok"] else "; ".join(rows)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- transactions ----------------------------------------------------
    @contextmanager
    def transaction(self):
        """One unit of work: BEGIN IMMEDIATE ... COMMIT, rolled back on any error. Nests."""
        with self._lock:
            if self._tx_depth:
                self._tx_depth += 1
                try:
                    yield self
                finally:
                    self._tx_depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._tx_depth = 1
            try:
                yield self
            except BaseException:
                self._tx_depth = 0
                self.conn.execute("ROLLBACK")
                raise
            else:
                self._tx_depth = 0
                self.conn.execute("COMMIT")

    def execute(self, sql: str, params=()):
        """Run SQL; a text parameter holding a non-UTF-8 name is stored as shown (``\\xNN``).
        Paths go through ``paths.to_db`` (as ``media_by_path`` does) to match stored paths."""
        if isinstance(params, (list, tuple)):
            params = tuple(safe_text(p) if p.__class__ is str and not p.isascii() else p for p in params)
        return self.conn.execute(sql, params)

    def query(self, sql: str, params=()) -> list[dict]:
        """Rows as dicts; path columns (``paths.PATH_COLUMNS``) always as ``str``, even non-UTF-8 ones."""
        cur = self.execute(sql, params)
        rows = [dict(r) for r in cur]
        if rows and PATH_COLUMNS.intersection(c[0] for c in cur.description):
            for d in rows:
                row_paths(d)
        return rows

    def one(self, sql: str, params=()) -> dict | None:
        row = self.execute(sql, params).fetchone()
        return row_paths(dict(row)) if row else None

    def insert(self, table: str, values: dict) -> int:
        values = _stored(values)
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cur = self.conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(values.values()))
        return cur.lastrowid

    def update(self, table: str, row_id: int, values: dict) -> None:
        values = _stored(values)
        sets = ", ".join(f"{k} = ?" for k in values)
        self.conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*values.values(), row_id))

    # -- media -------------------------------------------------------------
    def media_by_path(self, path) -> dict | None:
        return self.one("SELECT * FROM media WHERE path = ?", (to_db(str(path)),))

    def media_by_id(self, media_id: int) -> dict | None:
        return self.one("SELECT * FROM media WHERE id = ?", (media_id,))

    def media_list(self, status: str | None = None, path_like: str | None = None) -> list[dict]:
        sql, params = "SELECT * FROM media WHERE 1", []
        if status:
            sql += " AND status = ?"
            params.append(status)
        if path_like:
            sql += " AND path LIKE ?"
            params.append(path_like)
        return self.query(sql + " ORDER BY CAST(path AS BLOB)", params)   # by bytes, UTF-8 or not

    def find_media(self, ref: str) -> dict:
        """Resolve a user's media reference: a path (absolute or relative) or a unique name."""
        p = Path(ref).expanduser()
        row = self.media_by_path(p.resolve()) if p.exists() else self.media_by_path(ref)
        if row:
            return row
        rows = self.query("SELECT * FROM media WHERE name = ? OR path LIKE ?", (to_db(p.name), to_db(f"%/{p.name}")))
        if not rows:   # a name that is not UTF-8, typed as it is shown (\\xNN)
            rows = [r for r in self.query("SELECT * FROM media WHERE typeof(path) = 'blob'")
                    if ref in (display(r["path"]), display(r["name"]))]
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            raise LookupError(f"{ref}: matches {len(rows)} catalogued files; give the full path")
        raise LookupError(f"{ref}: not in the catalog (index it first with 'framesense index')")

    def shots(self, media_id: int) -> list[dict]:
        return self.query(
            "SELECT s.*, t.path AS thumbnail, t.frame AS thumbnail_frame FROM shots s "
            "LEFT JOIN thumbnails t ON t.shot_id = s.id WHERE s.media_id = ? ORDER BY s.idx",
            (media_id,))

    def runs(self, media_id: int) -> dict[str, dict]:
        return {r["analyzer"]: r for r in self.query(
            "SELECT * FROM analysis_runs WHERE media_id = ?", (media_id,))}

    def add_folder(self, path) -> None:
        self.execute("INSERT OR IGNORE INTO folders (path) VALUES (?)", (to_db(str(path)),))

    def folders(self) -> list[str]:
        return [from_db(r["path"]) for r in self.query("SELECT path FROM folders ORDER BY path")]

    # -- saved sequences -----------------------------------------------------
    def record_sequence(self, path, name: str, rate: str, clips: int, duration_frames: int) -> None:
        """List a saved ``.otio`` among the library's sequences (saved again: its row is brought up to date)."""
        with self.transaction():
            self.execute(
                "INSERT INTO sequences (path, name, rate, clips, duration_frames) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (path) DO UPDATE SET name = excluded.name, rate = excluded.rate, clips = excluded.clips, "
                "duration_frames = excluded.duration_frames, saved_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
                (str(path), name, rate, clips, duration_frames))

    def meta(self, key: str, default=None):
        row = self.one("SELECT value FROM meta WHERE key = ?", (key,))
        return json.loads(row["value"]) if row else default

    def set_meta(self, key: str, value) -> None:
        self.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     (key, json.dumps(value)))


def _stored(values: dict) -> dict:
    """Column values as stored: paths losslessly (``paths.to_db``), other text UTF-8."""
    return {k: (to_db(v) if k in PATH_COLUMNS else safe_text(v)) if v.__class__ is str and not v.isascii() else v
            for k, v in values.items()}


def media_rate(row: dict) -> Fraction | None:
    """The exact frame rate of a catalogued media row (None for audio-only files)."""
    if row.get("rate_num") and row.get("rate_den"):
        return Fraction(row["rate_num"], row["rate_den"])
    return None


def _new_catalog_owner(name: str) -> int | None:
    """The pid in a half-made catalog's name (``.catalog.sqlite.PID.THREAD.new``, and its journal)."""
    parts = name.split(".")
    if name.startswith(f".{CATALOG_FILE}.") and parts[-1] in ("new", "new-journal") and parts[-3].isdigit():
        return int(parts[-3])
    return None


def _create(path: Path) -> None:
    """Make a new catalog whole, then put it in place only if none appeared meanwhile: a second
    process never meets a half-made (zero-byte) file, and never replaces the first one's.
    On a full disk: the disk-full error, and the half-made file removed."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.new")
    try:
        conn = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            schema.migrate(conn)
        finally:
            conn.close()
        try:
            os.link(tmp, path)          # atomic, and fails when the name is taken
        except FileExistsError:
            pass
        except OSError:                 # a filesystem without hard links
            if not path.exists():
                os.replace(tmp, path)
    except (sqlite3.DatabaseError, OSError) as exc:
        if disk_full(exc):
            raise full_disk_error(path) from None
        raise
    finally:
        for p in (tmp, tmp.with_name(tmp.name + "-journal")):
            p.unlink(missing_ok=True)
