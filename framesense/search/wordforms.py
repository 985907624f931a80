"""Other ways to write a searched phrase, by the rules of each language it is searched in.

People search the way they would write a phrase, not the way Whisper happened to
spell it. A query becomes a short list of *forms* (sequences of normalised words);
phrase search looks each one up and says which form matched. Each language the
search covers gives its own forms, and a form only one language writes matches only
transcripts in that language (``Form.languages``). Numbers go both ways through
maintained libraries (``text2num`` words -> digits, ``num2words`` digits -> words:
cardinals, years, ordinals, decimals, percent) in the language's words; ordinals
written with digits ("1er", "2.º"), "percent" ("por ciento", "pour cent") and
abbreviations ("Sr.", "M.") come from ``language_words.py``. Spelling variants
(``breame``) are English; compounds are joined or split only in languages that write
them as one word, and only into words the catalog has. Elisions ("c'est") are split
the same way the transcript's words were stored (``transcript/languages.py``).
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, replace
from typing import Callable, Iterable

from ..transcript.languages import language_code, split_elisions
from ..transcript.model import normalize_word, split_words
from .language_words import ABBREVIATIONS, COMPOUNDING, ORDINAL_SUFFIXES, PERCENT, SPELLING_VARIANTS, expansions

MAX_FORMS = 48      # forms per language searched
MAX_SPAN = 3        # words one alternative may stand for ("vingt et unieme" for "21e")

_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)(st|nd|rd|th)?(\s*%)?(?![\w])", re.IGNORECASE)


@dataclass(frozen=True)
class Form:
    """One way of writing the query: normalised words (the last may be a prefix) and how it differs."""

    words: tuple[str, ...]
    prefix: tuple[bool, ...]
    kind: str = "exact"         # exact (as typed) or variant
    label: str = ""             # the form as text, e.g. "1984" or "harbourmaster"
    languages: tuple[str, ...] = ()   # the languages that write it so; () for every language searched


def tokens_of(text: str, language: str | None = None) -> list[tuple[str, bool]]:
    """(normalised word, is prefix) for each word of a query, as phrase search reads them in a language."""
    out = []
    for raw in (text or "").split():
        prefix = raw.endswith("*")
        parts = [p for p in (normalize_word(e) for x in split_words(raw.rstrip("*"))
                             for e in split_elisions(x, language)) if p]
        out += [(p, prefix and i == len(parts) - 1) for i, p in enumerate(parts)]
    return out


def _lang(code: str | None) -> str:
    return language_code(code) or "en"


def percent_signs(text: str, language: str) -> str:
    """The language's words for percent written as "%" ("cincuenta por ciento" -> "cincuenta %"), so the
    number libraries do not read "cent" as a hundred."""
    for words in PERCENT.get(language, ()):
        pattern = r"\s+".join(re.escape(w) for w in words.split())
        text = re.sub(rf"(?<!\w){pattern}(?!\w)", " % ", text, flags=re.IGNORECASE)
    return text


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
            alts = [a + " %" for a in alts]   # spelled in the language's words by written_texts
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


def written_texts(text: str, language: str) -> list[str]:
    """The whole query as a language writes it: as typed, its numbers the other way, and a percent
    sign spelled out in the language's words or dropped after a digit (a transcript's "50%" is "50")."""
    signed = percent_signs(text, language)
    out = []
    for t in [text, signed] + number_texts(signed, (language,)):
        if "%" not in t:
            out.append(t)
            continue
        out += [t.replace("%", f" {w} ") for w in PERCENT.get(language, ())]
        out.append(re.sub(r"(\d)\s*%", r"\1", t))
    return list(dict.fromkeys(" ".join(t.split()) for t in out))


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


@functools.lru_cache(maxsize=16)
def ordinals(language: str) -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Ordinals 1-100 both ways in a language: ("1er",) <-> ("premier",), ("21e",) <-> ("vingt", "et",
    "unieme"), feminine forms ("1re": "premiere", "2.ª": "segunda") and Spanish "1er": "primer"."""
    suffixes = ORDINAL_SUFFIXES.get(language)
    if not suffixes:
        return {}
    try:
        from num2words import num2words
    except ImportError:
        return {}
    table: dict[tuple, list[tuple]] = {}

    def link(a: tuple, b: tuple):
        for x, y in ((a, b), (b, a)):
            if y not in table.setdefault(x, []):
                table[x].append(y)

    for n in range(1, 101):
        try:
            masc = tuple(w for w, _ in tokens_of(num2words(n, lang=language, to="ordinal"), language))
        except (NotImplementedError, ValueError, TypeError):
            return {}
        fem = _feminine(masc, language)
        for suffix, gender in suffixes.items():
            digits = (f"{n}{suffix}",)
            if language == "es" and suffix == "er":
                if masc[-1] in ("primero", "tercero"):
                    link(digits, masc[:-1] + (masc[-1][:-1],))     # "1.er" is "primer"
                continue
            link(digits, fem if gender == "f" else masc)
    return {k: tuple(v) for k, v in table.items()}


def _feminine(words: tuple[str, ...], language: str) -> tuple[str, ...]:
    if language == "fr":
        return tuple({"premier": "premiere", "second": "seconde"}.get(w, w) for w in words)
    return tuple(w[:-1] + "a" if w.endswith("o") else w for w in words)


def _word_alternatives(words: list[tuple[str, bool]], known: Callable[[set], set], language: str):
    """Per start position: [(consumed words, replacement words)] besides the word itself, in a language."""
    n = len(words)
    abbreviations, expanded, ordinal = ABBREVIATIONS.get(language, {}), expansions(language), ordinals(language)
    alts: list[list[tuple[int, tuple[str, ...]]]] = [[] for _ in range(n)]
    for i, (w, pre) in enumerate(words):
        if pre:
            continue
        followed = i + 1 < n           # a one-letter title ("M.", "D.") only before a name, never alone
        cands = spelling_variants(w) if language in SPELLING_VARIANTS else []
        cands += [c for c in abbreviations.get(w, ()) if followed or len(w) > 1]
        cands += [c for c in expanded.get(w, ()) if followed or len(c) > 1]
        for c in cands:
            alts[i].append((1, tuple(c.split())))
        for size in range(1, MAX_SPAN + 1):
            span = tuple(x for x, _ in words[i:i + size])
            if len(span) == size and not any(p for _, p in words[i:i + size]):
                alts[i] += [(size, rep) for rep in ordinal.get(span, ())]
                if size > 1 and " ".join(span) in expanded:                   # "estados unidos" -> "eeuu"
                    alts[i] += [(size, (a,)) for a in expanded[" ".join(span)]]
        if language in COMPOUNDING:
            if followed and not words[i + 1][1]:
                alts[i].append((2, (w + words[i + 1][0],)))              # "harbour master" -> "harbourmaster"
            for k in range(3, len(w) - 2):                               # "harbourmaster" -> "harbour master"
                alts[i].append((1, (w[:k], w[k:])))
    want = {x for a in alts for _, rep in a for x in rep}
    have = known(want) if want else set()
    return [[(c, r) for c, r in a if all(x in have for x in r)] for a in alts]


def phrase_forms(text: str, known: Callable[[set], set], languages: Iterable[str] = ("en",)) -> list[Form]:
    """The query as typed, then its variants whose words the catalog has (at most MAX_FORMS a language).

    A form that not every searched language writes carries the languages that do (``Form.languages``):
    phrase search matches it only in transcripts of those languages."""
    langs = list(dict.fromkeys(_lang(x) for x in languages)) or ["en"]
    forms: dict[tuple, Form] = {}
    for lang in langs:
        for f in _forms_in(text, known, lang):
            have = forms.get(f.words)
            if have is None:
                forms[f.words] = f
            elif lang not in have.languages:
                forms[f.words] = replace(have, languages=have.languages + (lang,))
    return [replace(f, languages=()) if set(f.languages) >= set(langs) else f for f in forms.values()]


def _forms_in(text: str, known: Callable[[set], set], language: str) -> list[Form]:
    """The forms of a query in one language: as typed first, then its variants."""
    base = tokens_of(text, language)
    if not base:
        return []
    forms: dict[tuple, Form] = {}

    def add(words: tuple, prefix: tuple, kind: str, label: str):
        if words and words not in forms and len(forms) < MAX_FORMS:
            forms[words] = Form(words, prefix, kind, label, (language,))

    add(tuple(w for w, _ in base), tuple(p for _, p in base), "exact", text)
    for t in written_texts(text, language):
        toks = tokens_of(t, language)
        if not toks:
            continue
        alts = _word_alternatives(toks, known, language)
        for words, prefix in _expand(toks, alts):
            add(words, prefix, "variant", " ".join(words))
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
