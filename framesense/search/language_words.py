"""Each language's written shorthands that phrase search links to the words they stand for.

Abbreviations and titles as a transcript writes them (normalised: the dot dropped, accents folded),
"percent" as each language says it, how ordinals are written with digits, and which languages write
compounds as one word. Only the languages searched in use their table: "Sr." is "señor" in
Spanish, "senior" in English, and Spanish never joins "por qué" into "porque".
"""

from __future__ import annotations

ABBREVIATIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "mr": ("mister",), "mrs": ("missus", "misses"), "ms": ("miss",), "dr": ("doctor", "drive"),
        "st": ("saint", "street"), "mt": ("mount",), "jr": ("junior",), "sr": ("senior",), "vs": ("versus",),
        "prof": ("professor",), "capt": ("captain",), "col": ("colonel",), "gen": ("general",),
        "lt": ("lieutenant",), "sgt": ("sergeant",), "rev": ("reverend",), "ave": ("avenue",),
        "rd": ("road",), "co": ("company",), "corp": ("corporation",), "dept": ("department",),
        "approx": ("approximately",), "etc": ("etcetera",), "ok": ("okay",),
    },
    "es": {
        "sr": ("senor",), "sra": ("senora",), "srta": ("senorita",), "sres": ("senores",),
        "dr": ("doctor",), "dra": ("doctora",), "d": ("don",), "dna": ("dona",), "ud": ("usted",),
        "uds": ("ustedes",), "prof": ("profesor",), "profa": ("profesora",), "lic": ("licenciado",),
        "gral": ("general",), "cap": ("capitan",), "sto": ("santo",), "sta": ("santa",),
        "av": ("avenida",), "avda": ("avenida",), "pag": ("pagina",), "num": ("numero",),
        "etc": ("etcetera",), "eeuu": ("estados unidos",), "vd": ("usted",),
    },
    "fr": {
        "m": ("monsieur",), "mm": ("messieurs",), "mme": ("madame",), "mmes": ("mesdames",),
        "mlle": ("mademoiselle",), "mlles": ("mesdemoiselles",), "dr": ("docteur",), "pr": ("professeur",),
        "st": ("saint",), "ste": ("sainte",), "bd": ("boulevard",), "av": ("avenue",), "cie": ("compagnie",),
        "gal": ("general",), "cdt": ("commandant",), "etc": ("et cetera", "etcetera"),
    },
    "de": {
        "hr": ("herr",), "fr": ("frau",), "dr": ("doktor",), "prof": ("professor",), "str": ("strasse",),
        "nr": ("nummer",), "usw": ("und so weiter",), "bzw": ("beziehungsweise",), "ca": ("circa",),
    },
    "it": {
        "sig": ("signor", "signore"), "sigra": ("signora",), "sigg": ("signori",), "dott": ("dottore",),
        "dottssa": ("dottoressa",), "prof": ("professore",), "ing": ("ingegnere",), "avv": ("avvocato",),
        "gen": ("generale",), "ecc": ("eccetera",),
    },
    "pt": {
        "sr": ("senhor",), "sra": ("senhora",), "dr": ("doutor",), "dra": ("doutora",), "prof": ("professor",),
        "av": ("avenida",), "etc": ("etcetera",),
    },
}

# How each language says "percent" (the query's "%" and the transcript's "50%" meet these).
PERCENT: dict[str, tuple[str, ...]] = {
    "en": ("percent", "per cent"), "es": ("por ciento",), "fr": ("pour cent", "pourcent"),
    "it": ("per cento",), "pt": ("por cento",), "de": ("prozent",), "nl": ("procent",), "ca": ("per cent",),
}

# Ordinals written with digits, by the suffix after the number (normalised: "1.º" is "1o", "2ème" is
# "2eme"), and whether that suffix is masculine or feminine. English ordinals ("3rd") go through the
# number libraries directly.
ORDINAL_SUFFIXES: dict[str, dict[str, str]] = {
    "fr": {"er": "m", "re": "f", "ere": "f", "e": "m", "eme": "m", "nd": "m", "nde": "f"},
    "es": {"o": "m", "a": "f", "er": "m"},
    "it": {"o": "m", "a": "f"},
    "pt": {"o": "m", "a": "f"},
}

# Languages that write compounds as one word, so a query's words may be joined or split there.
COMPOUNDING = frozenset({"en", "de", "nl", "sv", "da", "no"})

# British/American spellings apply to English only.
SPELLING_VARIANTS = frozenset({"en"})


def expansions(language: str) -> dict[str, tuple[str, ...]]:
    """Full word -> its abbreviations, for one language."""
    out: dict[str, tuple[str, ...]] = {}
    for abbr, full in ABBREVIATIONS.get(language, {}).items():
        for f in full:
            out[f] = out.get(f, ()) + (abbr,)
    return out
