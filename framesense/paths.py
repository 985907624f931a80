"""File names whose bytes are not UTF-8: kept losslessly, shown escaped.

On POSIX a file name is bytes. Python hands such a name over as a ``str`` with the
bytes that are not UTF-8 as lone surrogates (``os.fsdecode``, 'surrogateescape'),
which opens the right file again. That ``str`` cannot be UTF-8 text, so:

- the catalog stores such a path as a BLOB of its raw bytes (a valid UTF-8 path stays
  TEXT; the two never collide, the form follows from the bytes) - :func:`to_db`,
  :func:`from_db`;
- JSON and OTIO carry it as a percent-encoded ``file://`` URL of the raw bytes -
  :func:`file_url`, :func:`path_from_url`;
- people see it with each such byte as ``\\xNN`` - :func:`display`, and the
  ``framesense.escape`` codec error handler for anything printed.
"""

from __future__ import annotations

import codecs
import os
import re
from urllib.parse import quote_from_bytes, unquote_to_bytes

_SURROGATE = re.compile("[\udc80-\udcff]")

# Columns that hold a file's path (or a part of it); their non-UTF-8 values are BLOBs.
PATH_COLUMNS = frozenset({"path", "folder", "name", "media_path"})


def is_text(value: str) -> bool:
    """Whether ``value`` is valid Unicode text (no escaped bytes that UTF-8 cannot hold)."""
    return value.isascii() or not _SURROGATE.search(value)


def display(value) -> str:
    """The name as people see it: each byte that is not UTF-8 as ``\\xNN``."""
    text = os.fspath(value) if not isinstance(value, str) else value
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if is_text(text):
        return text
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)


def to_db(value):
    """A path as the catalog stores it: TEXT when it is UTF-8, else a BLOB of its bytes."""
    if value is None:
        return None
    text = value if isinstance(value, str) else os.fspath(value)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    return text if is_text(text) else os.fsencode(text)


def from_db(value):
    """A stored path back as the ``str`` Python opens files with (a BLOB: its bytes, escaped)."""
    return os.fsdecode(value) if value.__class__ is bytes else value


def row_paths(d: dict) -> dict:
    """Decode the path columns of one fetched row (a dict) in place."""
    for key in PATH_COLUMNS.intersection(d):
        if d[key].__class__ is bytes:
            d[key] = os.fsdecode(d[key])
    return d


def safe_text(value: str) -> str:
    """Text for a TEXT column or a UTF-8 file: a path's escaped bytes shown as ``\\xNN``."""
    return value if is_text(value) else display(value)


def json_safe(obj):
    """A JSON-able structure with every string UTF-8 text (paths in it escaped for display)."""
    if isinstance(obj, str):
        return safe_text(obj)
    if isinstance(obj, dict):
        return {safe_text(str(k)): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    return obj


def json_text(text: str) -> str:
    """JSON text (as ``json.dumps(ensure_ascii=False)`` writes it) with escaped bytes shown as ``\\xNN``."""
    return text if is_text(text) else _SURROGATE.sub(lambda m: f"\\\\x{ord(m.group()) - 0xDC00:02x}", text)


def file_url(path) -> str:
    """``file://`` URL of a POSIX path with the raw bytes percent-encoded (UTF-8 names: as UTF-8)."""
    return "file://" + quote_from_bytes(os.fsencode(path), safe="/:")


def path_from_url(url: str) -> str:
    """The path a ``file:`` URL names, its percent-encoded bytes decoded once and losslessly."""
    rest = url[len("file:"):]
    if rest.startswith("//"):
        rest = rest[2:]
        host, _, rest = rest.partition("/")
        rest = "/" + rest
        if host not in ("", "localhost"):
            rest = "//" + host + rest
    return os.fsdecode(unquote_to_bytes(rest))


def _escape_errors(exc: UnicodeError):
    """Codec error handler: escaped bytes as ``\\xNN``, other unencodable characters as ``\\uNNNN``."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start:exc.end]:
        o = ord(ch)
        out.append(f"\\x{o - 0xDC00:02x}" if 0xDC80 <= o <= 0xDCFF else
                   f"\\u{o:04x}" if o <= 0xFFFF else f"\\U{o:08x}")
    return "".join(out), exc.end


codecs.register_error("framesense.escape", _escape_errors)


def escape_streams(*streams) -> None:
    """Make text streams print escaped path bytes instead of raising UnicodeEncodeError."""
    for s in streams:
        try:
            s.reconfigure(errors="framesense.escape")
        except (AttributeError, ValueError, OSError):
            pass
