"""What a user asks for, in one object shared by the CLI, the API and the app.

Which options a query may hold, and of what type, is what the searches declare (``SearchSpec.options``,
``search/options.py``): ``validate(specs)`` checks every value against its search's declaration. The
built-in searches' options have fields of their own; every other search's (faces, people, plugins)
are in ``options`` under the name their search declares.

Pads are not part of a query: they are a sequence option (``SequenceOptions``),
applied once to every kind of hit."""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass, field, fields

from ..errors import QueryError
from .options import declared, given

MAX_LIMIT = 100_000
SERVICE_FIELDS = ("limit", "min_score", "media", "options")   # the service's own, for every search: no search declares them


@dataclass
class SearchQuery:
    phrase: str | None = None                       # spoken words (phrase search, FTS, fuzzy)
    text: list[str] = field(default_factory=list)   # descriptions; "-night" or "night:-0.5" weigh against
    image: list[str] = field(default_factory=list)  # example image files
    like: str | None = None                         # "MEDIA_PATH@SECONDS": a catalogued frame as example
    same_as: str | None = None                      # "MEDIA_PATH@SECONDS" or an image: reuses of that shot
    language: str | None = None                     # spoken words in this language only ("es"; phrase search)
    limit: int = 50
    min_score: float = 0.0                          # drop hits scoring below this (0..1)
    media: list[str] = field(default_factory=list)  # only these files: contained or glob-ended (refs.media_matches)
    options: dict = field(default_factory=dict)     # other searches' options (face, person, plugins'), by declared name

    @property
    def extra(self) -> dict:
        """The old name of ``options``: plugins written before typed options read it, and keep working."""
        warnings.warn("SearchQuery.extra is now SearchQuery.options", DeprecationWarning, stacklevel=2)
        return self.options

    def get(self, name: str, default=None):
        """An option's value, whether it has a field or lives in ``options``."""
        value = getattr(self, name) if name in _FIELDS else self.options.get(name)
        return value if given(value) else default

    def set(self, name: str, value) -> None:
        if name in _FIELDS:
            setattr(self, name, value)
        elif given(value):
            self.options[name] = value
        else:
            self.options.pop(name, None)

    def asked(self) -> dict:
        """Every search option given (fields and ``options``): name -> value."""
        out = {f: getattr(self, f) for f in _FIELDS if given(getattr(self, f))}
        out.update((k, v) for k, v in self.options.items() if given(v))
        return out

    def is_empty(self) -> bool:
        return not self.asked()

    def validate(self, specs) -> None:
        """Check every option against the search that declares it (``SearchSpec.options``): unknown
        names, wrong types and values outside their choices are a QueryError naming the option and the
        search; values are stored as their search reads them, and a search's defaults filled in."""
        if not isinstance(self.limit, int) or not 0 < self.limit <= MAX_LIMIT:
            raise QueryError(f"--limit must be a whole number from 1 to {MAX_LIMIT}, got {self.limit}")
        known = declared(specs)
        asked = self.asked()
        for name, value in asked.items():
            if name not in known:
                near = difflib.get_close_matches(name, known, n=1)
                raise QueryError(f"unknown search option {name!r}" + (f" (did you mean {near[0]!r}?)" if near else "")
                                 + f"; the searches here take: {', '.join(sorted(known))}")
            spec, opt = known[name]
            self.set(name, opt.convert(value, spec.name))
        for name in asked:
            spec, opt = known[name]
            if opt.refines and self.get(opt.refines) is None:
                raise QueryError(f"search '{spec.name}': {opt.flag} refines --{opt.refines.replace('_', '-')}: "
                                 f"give it with --{opt.refines.replace('_', '-')}")
        if not asked:
            flags = [opt.flag for _, opt in known.values() if not opt.refines]
            raise QueryError(f"empty query: give {', '.join(flags) or 'a search option'} (or --where KEY=VALUE)")
        for spec in {id(s): s for s, _ in known.values()}.values():     # each search once
            if any(self.get(o.name) is not None for o in spec.options if not o.refines):
                for o in spec.options:
                    if o.default is not None and self.get(o.name) is None:
                        self.set(o.name, o.default)


_FIELDS = tuple(f.name for f in fields(SearchQuery) if f.name not in SERVICE_FIELDS)
