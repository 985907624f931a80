"""Pieces every exporter needs: file URLs, reel names, atomic writes, rate elements."""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction
from pathlib import Path
from urllib.parse import quote

from ... import atomic_files
from ...paths import display, file_url as raw_file_url, is_text
from ..model import Sequence, SourceMedia

_DRIVE = re.compile(r"^([A-Za-z]):[\\/]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_document(text: str) -> str:
    """A written XML document made well-formed whatever the names in it: characters XML 1.0 cannot hold
    (control characters, bytes of a name that is not UTF-8) shown as ``\\xNN``; file URLs are
    percent-encoded already, so only names and notes change."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x20 else "\\u" + f"{ord(m.group()):04x}",
                        display(text))


def file_url(path: str) -> str:
    """A properly encoded file:// URL: spaces and non-ASCII percent-encoded (UTF-8);
    a Windows path ``C:\\x y\\a.mov`` becomes ``file:///C:/x%20y/a.mov``; a name that is not UTF-8
    has its raw bytes percent-encoded."""
    p = str(path)
    if not is_text(p):
        return raw_file_url(p)
    if _DRIVE.match(p):
        p = "/" + p.replace("\\", "/")
    elif p.startswith("\\\\"):                     # UNC share: file://server/share/...
        return "file:" + quote(p.replace("\\", "/"), safe="/:")
    return "file://" + quote(unicodedata.normalize("NFC", p), safe="/:")


def write_atomic(path: Path, data: str | bytes) -> Path:
    """An export file written whole or not at all (``atomic_files``), at its absolute path."""
    return atomic_files.write_atomic(Path(path).expanduser().resolve(), data)


def prepare(seq: Sequence, allow_missing: bool = False) -> None:
    from ...errors import FrameSenseError
    if not seq.clips:
        raise FrameSenseError(f"sequence {seq.name!r} has no clips: nothing to export")
    if not allow_missing:
        seq.check_media()


def reel_names(media: list[SourceMedia], width: int = 8) -> dict[str, str]:
    """An EDL-safe reel name (A-Z, 0-9, _; at most ``width``) per file path, unique per file."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for m in media:
        base = unicodedata.normalize("NFKD", m.reel or Path(m.path).stem).encode("ascii", "ignore").decode()
        base = re.sub(r"[^A-Za-z0-9_]+", "_", base).strip("_").upper() or "AX"
        name = base[:width]
        n = 1
        while name in used:
            n += 1
            suffix = str(n)
            name = base[: width - len(suffix)] + suffix
        used.add(name)
        out[m.path] = name
    return out


def seconds_str(t: Fraction) -> str:
    """FCPXML rational time: ``1001/24000s``, ``0s``, ``5s``."""
    t = Fraction(t)
    if t.denominator == 1:
        return f"{t.numerator}s"
    return f"{t.numerator}/{t.denominator}s"
