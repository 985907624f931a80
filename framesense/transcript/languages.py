"""Language codes, and the one per-language rule that changes what a written word is in the catalog.

French and Italian write an elided article or pronoun onto the next word ("l'homme", "c'est",
"dell'anno"). Whisper hears such words as two ("c'" "est"), a subtitle keeps them as one, and
joined into one term ("lhomme", "dans" for "d'ans") they would collide with other words. So in
those languages an elided word is stored and searched as two terms, however it was written:
"c'est" is ``c`` + ``est`` both ways, "homme" finds "l'homme", "ans" never finds "dans".
Every other per-language way of writing (numbers, abbreviations, compounds) is a query form
(``search/wordforms.py``) and leaves the stored terms alone.
"""

from __future__ import annotations

import re

from ..errors import QueryError

# Bumped when a rule here changes the terms a word is stored as; transcripts stored under an
# older version are stored again from their words (``Library.index`` does it, no re-transcription).
WORD_RULES = 1

# Elided words, as written before the apostrophe (accents folded, lower case).
ELISIONS: dict[str, frozenset[str]] = {
    "fr": frozenset({"c", "l", "d", "j", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}),
    "it": frozenset({"l", "un", "d", "c", "dell", "all", "dall", "nell", "sull", "coll", "quest", "quell",
                     "nessun", "buon", "sant", "tutt"}),
    "ca": frozenset({"l", "d", "m", "n", "s", "t"}),
}
_ALL_ELIDED = frozenset().union(*ELISIONS.values())
APOSTROPHES = "'\u2019\u02bc"
_ELIDED = re.compile(rf"^([^\W\d_]+)[{APOSTROPHES}](?=\w)", re.UNICODE)
_ELIDED_PIECE = re.compile(rf"^[^\W\d_]+[{APOSTROPHES}]$", re.UNICODE)

# Container tags (ISO 639-2) and language names, as other tools write them, to Whisper's codes.
ISO3 = {"eng": "en", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "ita": "it",
        "por": "pt", "nld": "nl", "dut": "nl", "rus": "ru", "jpn": "ja", "zho": "zh", "chi": "zh",
        "kor": "ko", "ara": "ar", "pol": "pl", "tur": "tr", "swe": "sv", "nor": "no", "dan": "da",
        "fin": "fi", "ukr": "uk", "ces": "cs", "cze": "cs", "ell": "el", "gre": "el", "heb": "he",
        "hin": "hi", "cat": "ca", "glg": "gl", "eus": "eu", "baq": "eu", "ron": "ro", "rum": "ro",
        "hun": "hu"}
NAMES = {"english": "en", "spanish": "es", "castilian": "es", "french": "fr", "german": "de", "italian": "it",
         "portuguese": "pt", "dutch": "nl", "catalan": "ca", "galician": "gl", "basque": "eu", "russian": "ru",
         "japanese": "ja", "chinese": "zh", "korean": "ko", "arabic": "ar", "polish": "pl", "turkish": "tr",
         "swedish": "sv", "norwegian": "no", "danish": "da", "finnish": "fi", "ukrainian": "uk", "czech": "cs",
         "greek": "el", "hebrew": "he", "hindi": "hi", "romanian": "ro", "hungarian": "hu"}
UNDETERMINED = {"", "und", "unk", "mul", "zxx", "mis"}


def language_code(tag) -> str | None:
    """A language tag as Whisper's two-letter code ("ES", "es-ES", "spa", "Spanish" -> "es"); None when
    the tag says nothing ("und", empty)."""
    if tag is None:
        return None
    t = str(tag).strip().lower().replace("_", "-")
    t = t.split("-")[0]
    if t in UNDETERMINED:
        return None
    return ISO3.get(t) or NAMES.get(t) or t


def checked_language(tag, where: str = "--language") -> str | None:
    """``language_code`` for a language a person gave: one Whisper does not know is a clear error."""
    code = language_code(tag)
    if code is None:
        return None
    known = whisper_languages()
    if known and code not in known:
        raise QueryError(f"{where}: unknown language {tag!r}; use a two-letter code such as "
                         f"en, es, fr, de, it, pt ({len(known)} are known to Whisper)")
    return code


def whisper_languages() -> frozenset[str]:
    """The language codes Whisper transcribes (empty when faster-whisper is not installed)."""
    try:
        from faster_whisper.tokenizer import _LANGUAGE_CODES
    except ImportError:
        return frozenset()
    return frozenset(_LANGUAGE_CODES)


def language_label(heard) -> str:
    """The languages a file speaks, as lists show them: "es 0.93" (detected, with Whisper's confidence),
    "fr set", "en file"; "-" when no transcript says. ``heard``: dicts with language, language_probability
    and language_from (transcript rows, or ``stream_languages``'s streams)."""
    out = []
    for h in heard:
        if h.get("language"):
            p = h.get("language_probability")
            how = f"{p:.2f}" if p is not None and h.get("language_from") == "detected" else h.get("language_from")
            out.append(f"{h['language']} {how}" if how else h["language"])
    return ",".join(dict.fromkeys(out)) or "-"


def split_elisions(word: str, language: str | None) -> list[str]:
    """One written word as the pieces its language stores: "l'homme" -> ["l'", "homme"] in French,
    "qu'aujourd'hui" -> ["qu'", "aujourd'hui"]; unchanged in a language without elisions."""
    elided = ELISIONS.get(language_code(language) or "")
    if not elided:
        return [word]
    out = []
    rest = word
    while True:
        m = _ELIDED.match(rest)
        if not m or _fold(m.group(1)) not in elided:
            break
        out.append(rest[: m.end()])
        rest = rest[m.end():]
    return out + [rest] if rest else out


def is_elided_piece(text: str) -> bool:
    """True for a piece such as "l'" or "qu'" (of any language here): it is read joined to the next word."""
    t = text.strip()
    return bool(_ELIDED_PIECE.match(t)) and _fold(t[:-1]) in _ALL_ELIDED


def _fold(text: str) -> str:
    from .model import normalize_word
    return normalize_word(text)
