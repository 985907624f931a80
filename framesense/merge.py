"""Merge another library (a second machine's index, a worker's partial results) into a catalog.

The unit is one stage of one file, as in indexing: a stage the other library finished
(``analysis_runs`` done) and this one has not finished with the same version and model
is copied, rows and run record together, in one transaction. Files match by path and
content hash; a path whose content differs here is reported and left alone. Merging
the same library twice changes nothing the second time.

Rows are moved by what they mean, not by row id: shots by their index in the file,
transcripts through the transcript store (terms and full-text index kept), plugin
tables generically (their ``media_id`` and ``shot_id`` remapped). Thumbnail files are
copied beside the rows that name them. Faces bring their people (``PeopleMap``): each of
their people is joined to one of ours with the same name, else to the nearest by centroid
(under ``people.SAME_PERSON``, names not contradicting), else added with its name; faces the
user removed from a person stay removed. The report lists every join.

The whole merge is one transaction: a merge that fails leaves this library as it was (thumbnail
files it wrote are removed), and says which file and stage it was copying.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .atomic_files import write_atomic
from .catalog import Catalog
from .errors import FrameSenseError, disk_full

RUN_COLUMNS = ("analyzer", "version", "model", "status", "error", "detail", "started_at", "finished_at", "seconds")
MEDIA_SKIP = ("id",)


@dataclass
class MergeReport:
    media_added: int = 0
    stages_copied: int = 0
    stages_kept: int = 0          # already done here with the same version and model
    conflicts: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    people_added: int = 0
    people_joined: list[str] = field(default_factory=list)   # "their #3 'Eileen' -> our #1 'Eileen' (by name)"

    def to_json(self) -> dict:
        return dict(vars(self))


class MergeFailed(FrameSenseError):
    """A merge stopped part way; nothing of it was kept."""


def _label(p: dict) -> str:
    return f"#{p['id']}" + (f" {p['name']!r}" if p["name"] else "")


class PeopleMap:
    """Their person ids as ours, decided the first time one of their faces comes across."""

    def __init__(self, dst: Catalog, src: Catalog, report: MergeReport):
        self.dst, self.src, self.report = dst, src, report
        self.ours: dict[int, int] = {}

    def __call__(self, their_id: int) -> int | None:
        if their_id not in self.ours:
            p = self.src.one("SELECT * FROM people WHERE id = ?", (their_id,))
            self.ours[their_id] = None if p is None else self._place(p)
        return self.ours[their_id]

    def _place(self, p: dict) -> int:
        from .analysis.people import SAME_PERSON, vector
        dst, c = self.dst, vector(p["centroid"], "<f4")
        how, mine = None, None
        if p["name"]:
            named = dst.query("SELECT * FROM people WHERE name = ? COLLATE NOCASE", (p["name"],))
            if len(named) == 1:
                how, mine = "by name", named[0]
        if mine is None:
            rows = dst.query("SELECT * FROM people")
            if rows:
                d = np.linalg.norm(np.stack([vector(r["centroid"], "<f4") for r in rows]) - c, axis=1)
                j = int(d.argmin())
                names = {(rows[j]["name"] or "").casefold(), (p["name"] or "").casefold()} - {""}
                if d[j] < SAME_PERSON and len(names) <= 1:
                    how, mine = f"by face, {d[j]:.2f} apart", rows[j]
        if mine is None:
            self.report.people_added += 1
            return self.dst.insert("people", {"name": p["name"], "centroid": p["centroid"], "n": p["n"]})
        n = mine["n"] + p["n"]
        cent = (vector(mine["centroid"], "<f4") * mine["n"] + c * p["n"]) / max(1, n)
        dst.execute("UPDATE people SET centroid = ?, n = ?, name = COALESCE(name, ?) WHERE id = ?",
                    (cent.astype("<f4").tobytes(), n, p["name"], mine["id"]))
        self.report.people_joined.append(f"their {_label(p)} -> our {_label(mine)} ({how})")
        return mine["id"]


def _columns(cat: Catalog, table: str) -> list[str]:
    return [r["name"] for r in cat.query(f"PRAGMA table_info({table})")]


def _shot_map(cat: Catalog, media_id: int) -> dict[int, int]:
    return {r["idx"]: r["id"] for r in cat.query("SELECT id, idx FROM shots WHERE media_id = ?", (media_id,))}


def _copy_rows(dst: Catalog, src: Catalog, table: str, src_mid: int, dst_mid: int,
               src_shots: dict[int, int] | None = None, dst_shots: dict[int, int] | None = None,
               people: PeopleMap | None = None) -> int:
    """Rows of ``table`` for one media, ``media_id``, ``shot_id`` and ``person_id`` remapped, other ids fresh."""
    have = set(_columns(dst, table))
    cols = [c for c in _columns(src, table) if c in have and c != "id"]
    rows = src.query(f"SELECT {', '.join(cols)} FROM {table} WHERE media_id = ?", (src_mid,))
    by_id = {v: k for k, v in (src_shots or {}).items()}  # their shot id -> idx
    out = []
    for r in rows:
        r["media_id"] = dst_mid
        if "shot_id" in r and r["shot_id"] is not None:
            r["shot_id"] = (dst_shots or {}).get(by_id.get(r["shot_id"]))
        if r.get("person_id") is not None:
            r["person_id"] = people(r["person_id"]) if people else None
        out.append(tuple(r[c] for c in cols))
    dst.conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})", out)
    return len(out)


def _copy_stage(dst: Catalog, src: Catalog, analyzer: str, tables: tuple, src_mid: int, dst_mid: int,
                people: PeopleMap, written: list[Path]) -> None:
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
                written.append(write_atomic(target, source.read_bytes()))
        frames = src.one("SELECT frames, duration FROM media WHERE id = ?", (src_mid,))
        dst.update("media", dst_mid, frames)
        return
    src_shots, dst_shots = _shot_map(src, src_mid), _shot_map(dst, dst_mid)
    if analyzer == "faces":
        tables = (*tables, "face_pins")   # what the user said of these faces (merge, split, remove) comes too
    for table in tables:
        dst.execute(f"DELETE FROM {table} WHERE media_id = ?", (dst_mid,))
        _copy_rows(dst, src, table, src_mid, dst_mid, src_shots, dst_shots, people)


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
    """Everything or nothing: one transaction; a failure raises ``MergeFailed`` naming the file and stage."""
    tables = owned_tables() if tables is None else tables
    report = MergeReport()
    step = ["opening"]                 # what was being copied, for the error
    written: list[Path] = []           # thumbnail files this merge added
    try:
        with dst.transaction():
            _merge(dst, src, tables, report, step, written)
    except Exception as exc:
        for f in written:
            f.unlink(missing_ok=True)
        why = "the disk is full" if disk_full(exc, dst.dir) else f"{type(exc).__name__}: {exc}"
        raise MergeFailed(f"merging {src.dir} failed while {step[0]}: {why}; "
                          f"this library was left as it was before the merge") from exc
    return report


def _merge(dst: Catalog, src: Catalog, tables: dict[str, tuple], report: MergeReport, step: list,
           written: list[Path]) -> None:
    order = list(tables)
    people = PeopleMap(dst, src, report)
    media_cols = [c for c in _columns(src, "media") if c in set(_columns(dst, "media")) and c not in MEDIA_SKIP]
    for m in src.query("SELECT * FROM media ORDER BY path"):
        if not m["content_hash"]:
            continue  # a file that failed there: nothing to bring
        step[0] = f"adding {m['path']}"
        mine = dst.media_by_path(m["path"])
        if mine and mine["content_hash"] and (mine["content_hash"], mine["size"]) != (m["content_hash"], m["size"]):
            report.conflicts.append(f"{m['path']}: different content here; kept this library's")
            continue
        theirs = src.runs(m["id"])
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
            step[0] = f"copying the {name} stage of {m['path']}"
            _copy_stage(dst, src, name, tables[name], m["id"], mid, people, written)
            dst.execute(f"INSERT INTO analysis_runs (media_id, {', '.join(RUN_COLUMNS)}) VALUES "
                        f"(?, {', '.join('?' for _ in RUN_COLUMNS)}) ON CONFLICT (media_id, analyzer) DO UPDATE SET "
                        + ", ".join(f"{c} = excluded.{c}" for c in RUN_COLUMNS[1:]),
                        (mid, *(run[c] for c in RUN_COLUMNS)))
            report.stages_copied += 1
        if shots_replaced:  # stages here built on the shots just replaced must run again
            for name, r in ours.items():
                if name != "shots" and not (theirs.get(name, {}).get("status") == "done"):
                    dst.execute("DELETE FROM analysis_runs WHERE media_id = ? AND analyzer = ?", (mid, name))
        row = dst.media_by_id(mid)
        if m["status"] == "indexed" and row["status"] != "indexed":
            dst.update("media", mid, {"status": "indexed", "error": None})
    step[0] = "adding folders"
    for folder in src.folders():
        dst.add_folder(folder)


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
