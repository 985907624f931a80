"""A paper edit's script: the lines wanted (read from text or a CSV) and what became of each.

Data and parsing only, so front ends read and show scripts without the machinery that places them
(``assemble``, reached through ``Library.assemble``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import QueryError


@dataclass
class ScriptLine:
    text: str
    media: list[str] = field(default_factory=list)   # only takes from these files (path part or glob)
    person: str | None = None                        # only takes where this person (name or #id) is on screen


@dataclass
class LineResult:
    line: int                 # 1-based, in script order
    text: str
    status: str               # "placed", "partial" (a run of its words), "missing"
    said: str | None = None   # the words of the take
    media_path: str | None = None
    start: float | None = None
    end: float | None = None
    score: float | None = None
    match: str | None = None
    alternates: int = 0
    near_miss: dict | None = None
    note: str | None = None   # e.g. the line was split (part 2 of 3)

    def to_json(self) -> dict:
        return {k: v for k, v in vars(self).items() if v is not None}


def read_script(path) -> list[ScriptLine]:
    """Plain text (one wanted line per line; blank lines and ``#`` comments skipped) or a CSV with a
    ``line`` (or ``text``) column and optional ``media`` (files, ``;``-separated) and ``person`` columns."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise QueryError(f"{path}: cannot read the script ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise QueryError(f"{path}: the script is not UTF-8 text") from None
    return parse_script(text, csv_table=path.suffix.lower() == ".csv", name=str(path))


def parse_script(text: str, csv_table: bool = False, name: str = "the script") -> list[ScriptLine]:
    """A script's lines from its text (a pasted paper edit, or a file's contents), as ``read_script``."""
    if csv_table:
        rows = list(csv.DictReader(io.StringIO(text)))
        key = next((k for k in ("line", "text") if rows and k in rows[0]), None)
        if key is None:
            raise QueryError(f"{name}: a CSV script needs a 'line' column")
        lines = [ScriptLine(r[key].strip(), [m.strip() for m in (r.get("media") or "").split(";") if m.strip()],
                            (r.get("person") or "").strip() or None)
                 for r in rows if (r.get(key) or "").strip()]
    else:
        lines = [ScriptLine(s.strip()) for s in text.splitlines() if s.strip() and not s.lstrip().startswith("#")]
    if not lines:
        raise QueryError(f"{name}: the script has no lines")
    return lines
