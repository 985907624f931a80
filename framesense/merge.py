"""Merge another library (a second machine's index, a worker's partial results) into a catalog.

The unit is one stage of one file, as in indexing: a stage the other library finished
(``analysis_runs`` done) and this one has not finished with the same version and model
is copied, rows and run record together, in one transaction. Files match by path and
content hash; a path whose content differs here is reported and left alone. Merging
the same library twice changes nothing the second time.

Rows are moved by what they mean, not by row id: shots by their index in the file,
transcripts through the transcript store (terms and full-text index kept), plugin
tables generically (their ``media_id`` and ``shot_id`` remapped). Thumbnail files are
copied beside the rows that name them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .analysis.scan import write_atomic
from .catalog import Catalog

RUN_COLUMNS = ("analyzer", "version", "model", "status", "error", "detail", "started_at", "finished_at", "seconds")
MEDIA_SKIP = ("id",)


@dataclass
class MergeReport:
    media_added: int = 0
    stages_copied: int = 0
    stages_kept: int = 0          # already done here with the same version and model
    conflicts: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return dict(vars(self))


def _columns(cat: Catalog, table: str) -> list[str]:
    return [r["name"] for r in cat.query(f"PRAGMA table_info({table})")]


def _shot_map(cat: Catalog, media_id: int) -> dict[int, int]:
    return {r["idx"]: r["id"] for r in cat.query("SELECT id, idx FROM shots WHERE media_id = ?", (media_id,))}


def _copy_rows(dst: Catalog, src: Catalog, table: str, src_mid: int, dst_mid: int,
               src_shots: dict[int, int] | None = None, dst_shots: dict[int, int] | None = None) -> int:
    """Rows of ``table`` for one media, ``media_id`` and ``shot_id`` remapped, other ids fresh."""
    have = set(_columns(dst, table))
    cols = [c for c in _columns(src, table) if c in have and c != "id"]
    rows = src.query(f"SELECT {', '.join(cols)} FROM {table} WHERE media_id = ?", (src_mid,))
    by_id = {v: k for k, v in (src_shots or {}).items()}  # their shot id -> idx
    out = []
    for r in rows:
        r["media_id"] = dst_mid
        if "shot_id" in r and r["shot_id"] is not None:
            r["shot_id"] = (dst_shots or {}).get(by_id.get(r["shot_id"]))
        out.append(tuple(r[c] for c in cols))
    dst.conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})", out)
    return len(out)


def _copy_stage(dst: Catalog, src: Catalog, analyzer: str, tables: tuple, src_mid: int, dst_mid: int) -> None:
    if analyzer == "speech":
        from .transcript.store import load_transcripts, store_transcripts
        store_transcripts(dst, dst_mid, load_transcripts(src, src_mid))
        return
    if analyzer == "shots":
        dst.execute("DELETE FROM shots WHERE media_id = ?", (dst_mid,))  # thumbnails go with them
        _copy_rows(dst, src, "shots", src_mid, dst_mid)
        _copy_rows(dst, src, "thumbnails", src_mid, dst_mid, _shot_map(src, src_mid), _shot_map(dst, dst_mid))
        for t in src.query("SELECT path FROM thumbnails WHERE media_id = ?", (src_mid,)):
            source, target = src.dir / t["path"], dst.dir / t["path"]
            if source.is_file() and not target.is_file():
                write_atomic(source.read_bytes(), target)
        frames = src.one("SELECT frames, duration FROM media WHERE id = ?", (src_mid,))
        dst.update("media", dst_mid, frames)
        return
    src_shots, dst_shots = _shot_map(src, src_mid), _shot_map(dst, dst_mid)
    for table in tables:
        dst.execute(f"DELETE FROM {table} WHERE media_id = ?", (dst_mid,))
        _copy_rows(dst, src, table, src_mid, dst_mid, src_shots, dst_shots)


def owned_tables(registry=None) -> dict[str, tuple]:
    """analyzer name -> the tables it owns, for every analyzer this installation knows."""
    if registry is None:
        from .plugins.manager import get_plugins
        registry = get_plugins()
    analyzers = registry.analyzers({"speech": True, "visual": True})
    try:
        return {a.name: tuple(a.owns_tables) for a in analyzers}
    finally:
        for a in analyzers:
            getattr(a, "close", lambda: None)()


def merge_library(dst: Catalog, src: Catalog, tables: dict[str, tuple] | None = None) -> MergeReport:
    tables = owned_tables() if tables is None else tables
    order = list(tables)
    report = MergeReport()
    media_cols = [c for c in _columns(src, "media") if c in set(_columns(dst, "media")) and c not in MEDIA_SKIP]
    for m in src.query("SELECT * FROM media ORDER BY path"):
        if not m["content_hash"]:
            continue  # a file that failed there: nothing to bring
        mine = dst.media_by_path(m["path"])
        if mine and mine["content_hash"] and (mine["content_hash"], mine["size"]) != (m["content_hash"], m["size"]):
            report.conflicts.append(f"{m['path']}: different content here; kept this library's")
            continue
        theirs = src.runs(m["id"])
        with dst.transaction():
            if not mine:
                mid = dst.insert("media", {c: m[c] for c in media_cols})
                report.media_added += 1
            else:
                mid = mine["id"]
                dst.update("media", mid, {c: m[c] for c in media_cols if c not in ("status", "error", "path")})
        ours = dst.runs(mid)
        same = lambda name: (ours.get(name, {}).get("status") == "done" and theirs[name]["status"] == "done"
                             and (ours[name]["version"], ours[name]["model"]) ==
                             (theirs[name]["version"], theirs[name]["model"]))
        shots_replaced = "shots" in theirs and theirs["shots"]["status"] == "done" and not same("shots")
        for name in sorted(theirs, key=lambda n: order.index(n) if n in order else len(order)):
            run = theirs[name]
            if run["status"] != "done":
                continue
            if same(name):
                report.stages_kept += 1
                continue
            if name not in tables:
                report.skipped.append(f"{m['path']}: {name} (no such analyzer here)")
                continue
            with dst.transaction():
                _copy_stage(dst, src, name, tables[name], m["id"], mid)
                dst.execute(f"INSERT INTO analysis_runs (media_id, {', '.join(RUN_COLUMNS)}) VALUES "
                            f"(?, {', '.join('?' for _ in RUN_COLUMNS)}) ON CONFLICT (media_id, analyzer) DO UPDATE SET "
                            + ", ".join(f"{c} = excluded.{c}" for c in RUN_COLUMNS[1:]),
                            (mid, *(run[c] for c in RUN_COLUMNS)))
            report.stages_copied += 1
        with dst.transaction():
            if shots_replaced:  # stages here built on the shots just replaced must run again
                for name, r in ours.items():
                    if name != "shots" and not (theirs.get(name, {}).get("status") == "done"):
                        dst.execute("DELETE FROM analysis_runs WHERE media_id = ? AND analyzer = ?", (mid, name))
            row = dst.media_by_id(mid)
            if m["status"] == "indexed" and row["status"] != "indexed":
                dst.update("media", mid, {"status": "indexed", "error": None})
    for folder in src.folders():
        with dst.transaction():
            dst.add_folder(folder)
    return report


def merge_paths(dst: Catalog, other: Path, registry=None) -> MergeReport:
    other = Path(other).expanduser()
    if not (other / "catalog.sqlite").is_file():
        raise FileNotFoundError(f"{other}: not a FrameSense library (no catalog.sqlite)")
    if other.resolve() == Path(dst.dir).resolve():
        raise ValueError(f"{other}: that is this library; nothing to merge")
    src = Catalog.open(other, create=False)
    try:
        return merge_library(dst, src, owned_tables(registry))
    finally:
        src.close()
