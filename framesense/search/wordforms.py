"""Other ways to write a searched phrase: numbers, British/American spelling, compounds, abbreviations.

People search the way they would write a phrase, not the way Whisper happened to
spell it. A query becomes a short list of *forms* (sequences of normalised words);
phrase search looks each one up and says which form matched. Numbers go both ways
through maintained libraries (``text2num`` words -> digits, ``num2words`` digits ->
words: cardinals, years, ordinals, decimals, percent) for every language the
catalog's transcripts are in that the libraries support. Spelling variants come
from ``breame``; compounds are joined or split only into words the catalog has.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Callable, Iterable

from ..transcript.model import normalize_word, split_words

MAX_FORMS = 48

# Common abbreviations as Whisper writes them (the dot is dropped by normalisation).
ABBREVIATIONS = {
    "mr": ("mister",), "mrs": ("missus", "misses"), "ms": ("miss",), "dr": ("doctor", "drive"),
    "st": ("saint", "street"), "mt": ("mount",), "jr": ("junior",), "sr": ("senior",), "vs": ("versus",),
    "prof": ("professor",), "capt": ("captain",), "col": ("colonel",), "gen": ("general",),
    "lt": ("lieutenant",), "sgt": ("sergeant",), "rev": ("reverend",), "ave": ("avenue",),
    "rd": ("road",), "co": ("company",), "corp": ("corporation",), "dept": ("department",),
    "approx": ("approximately",), "etc": ("etcetera",), "no": (), "ok": ("okay",),
}
_EXPANSIONS: dict[str, tuple[str, ...]] = {}
for _abbr, _full in ABBREVIATIONS.items():
    for _f in _full:
        _EXPANSIONS.setdefault(_f, ())
        _EXPANSIONS[_f] += (_abbr,)

_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)(st|nd|rd|th)?(\s*%)?(?![\w])", re.IGNORECASE)


@dataclass(frozen=True)
class Form:
    """One way of writing the query: normalised words (the last may be a prefix) and how it differs."""

    words: tuple[str, ...]
    prefix: tuple[bool, ...]
    kind: str = "exact"         # exact (as typed) or variant
    label: str = ""             # the form as text, e.g. "1984" or "harbourmaster"


def tokens_of(text: str) -> list[tuple[str, bool]]:
    """(normalised word, is prefix) for each word of a query, as phrase search reads them."""
    out = []
    for raw in (text or "").split():
        prefix = raw.endswith("*")
        parts = [p for p in (normalize_word(x) for x in split_words(raw.rstrip("*"))) if p]
        out += [(p, prefix and i == len(parts) - 1) for i, p in enumerate(parts)]
    return out


def _lang(code: str | None) -> str:
    return (code or "en").split("-")[0].lower()


def number_texts(text: str, languages: Iterable[str] = ("en",)) -> list[str]:
    """The query with its numbers written the other way: digits <-> words, in each language."""
    out = []
    for lang in dict.fromkeys(_lang(x) for x in languages):
        try:
            from text_to_num import alpha2digit
            digits = alpha2digit(text, lang)
        except Exception:   # language not supported, or the library is missing
            digits = text
        if digits != text:
            out.append(digits)
            years = re.sub(r"\b(1[0-9]|20) (\d\d)\b", r"\1\2", digits)   # "19 84" -> "1984"
            if years != digits:
                out.append(years)
        out += _digits_to_words(text, lang)
    return [t for t in dict.fromkeys(out) if t != text]


def _digits_to_words(text: str, lang: str) -> list[str]:
    try:
        from num2words import num2words
    except ImportError:
        return []
    matches = list(_NUMBER.finditer(text))
    if not matches:
        return []
    choices = []
    for m in matches:
        raw, suffix, pct = m.group(1), m.group(2), m.group(3)
        alts = []
        try:
            if "." in raw or ("," in raw and not re.fullmatch(r"\d{1,3}(,\d{3})+", raw)):
                value = float(raw.replace(",", "."))
                alts.append(num2words(value, lang=lang))
            else:
                value = int(raw.replace(",", ""))
                if suffix:
                    alts.append(num2words(value, lang=lang, to="ordinal"))
                else:
                    card = num2words(value, lang=lang)
                    alts += [card, card.replace(" and ", " ")]
                    if 1000 <= value < 2100 and value % 100:
                        alts.append(num2words(value, lang=lang, to="year"))
                    if lang == "en" and 1100 <= value < 2000 and value % 100 == 0:
                        alts.append(num2words(value // 100, lang=lang) + " hundred")
        except (NotImplementedError, ValueError, OverflowError, TypeError):
            continue
        if pct:
            alts = [a + " percent" for a in alts] + [a + " per cent" for a in alts]
        if alts:
            choices.append((m, list(dict.fromkeys(alts))))
    out = []
    for combo in itertools.islice(itertools.product(*[c[1] for c in choices]), 8):
        t, shift = text, 0
        for (m, _), alt in zip(choices, combo):
            t = t[: m.start() + shift] + alt + t[m.end() + shift:]
            shift += len(alt) - (m.end() - m.start())
        out.append(t)
    return out


def spelling_variants(word: str) -> list[str]:
    """British <-> American spellings of one normalised word (breame's lists)."""
    try:
        from breame.spelling import get_american_spelling, get_british_spelling
    except ImportError:
        return []
    out = []
    for f in (get_american_spelling, get_british_spelling):
        try:
            v = normalize_word(f(word))
        except Exception:
            continue
        if v and v != word:
            out.append(v)
    return out


def _word_alternatives(words: list[tuple[str, bool]], known: Callable[[set], set]):
    """Per start position: [(consumed words, replacement words, label)] besides the word itself."""
    n = len(words)
    want: set[str] = set()
    singles: list[list[tuple[int, tuple[str, ...]]]] = [[] for _ in range(n)]
    for i, (w, pre) in enumerate(words):
        if pre:
            continue
        cands = spelling_variants(w) + list(ABBREVIATIONS.get(w, ())) + list(_EXPANSIONS.get(w, ()))
        if w == "percent":
            cands.append("per cent")
        for c in cands:
            singles[i].append((1, tuple(c.split())))
        if i + 1 < n and not words[i + 1][1]:
            singles[i].append((2, (w + words[i + 1][0],)))              # "harbour master" -> "harbourmaster"
        for k in range(3, len(w) - 2):                                   # "harbourmaster" -> "harbour master"
            singles[i].append((1, (w[:k], w[k:])))
    for alts in singles:
        for _, rep in alts:
            want.update(rep)
    have = known(want) if want else set()
    return [[(c, r) for c, r in alts if all(x in have for x in r)] for alts in singles]


def phrase_forms(text: str, known: Callable[[set], set], languages: Iterable[str] = ("en",)) -> list[Form]:
    """The query as typed, then its variants whose words the catalog has (at most MAX_FORMS)."""
    base = tokens_of(text)
    if not base:
        return []
    forms: dict[tuple, Form] = {}

    def add(words: tuple, prefix: tuple, kind: str, label: str):
        if words and words not in forms and len(forms) < MAX_FORMS:
            forms[words] = Form(words, prefix, kind, label)

    add(tuple(w for w, _ in base), tuple(p for _, p in base), "exact", text)
    texts = [text] + number_texts(text.replace("%", " percent"), languages)
    for t in texts:
        toks = tokens_of(t)
        if not toks:
            continue
        alts = _word_alternatives(toks, known)
        for words, prefix in _expand(toks, alts):
            add(words, prefix, "variant", " ".join(words))
        # "50 percent" may be written "50%", one word: the percent sign normalises away
        if "percent" in (w for w, _ in toks):
            kept = [(w, p) for k, (w, p) in enumerate(toks)
                    if not (w == "percent" and k and toks[k - 1][0][:1].isdigit())]
            add(tuple(w for w, _ in kept), tuple(p for _, p in kept), "variant", " ".join(w for w, _ in kept))
    return list(forms.values())


def _expand(toks, alts, cap: int = MAX_FORMS):
    """Every way to rewrite toks with the alternatives (plain first), breadth-limited to cap."""
    paths = [((), (), 0)]   # (words, prefix flags, position)
    done = []
    while paths and len(done) < cap:
        nxt = []
        for words, prefix, i in paths:
            if i >= len(toks):
                done.append((words, prefix))
                continue
            w, p = toks[i]
            nxt.append((words + (w,), prefix + (p,), i + 1))
            for consumed, rep in alts[i]:
                nxt.append((words + rep, prefix + (False,) * len(rep), i + consumed))
        paths = nxt[: cap * 4]
    return done[:cap]
