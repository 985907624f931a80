"""The typed options a search declares (``SearchSpec.options``): from one ``SearchOption`` come the
query key the API takes, the CLI's ``--flag`` and the app's search mode, and the one check of a value
that all three share, so a search (built-in or plugin) means the same wherever it is asked."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..errors import QueryError


def _text(value) -> str:
    if isinstance(value, (str, Path)):
        return str(value)
    raise TypeError("must be text")


def _whole(value) -> int:
    if isinstance(value, bool):
        raise TypeError("must be a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError("must be a whole number")


def _number(value) -> float:
    if isinstance(value, bool):
        raise TypeError("must be a number")
    try:
        out = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise ValueError("must be a number") from None
    if not math.isfinite(out):
        raise ValueError("must be a finite number")
    return out


def _yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be yes or no")


CONVERTERS: dict[Any, Callable[[Any], Any]] = {str: _text, int: _whole, float: _number, bool: _yes_no}
TYPE_NAMES = {str: "TEXT", int: "INTEGER", float: "NUMBER", bool: ""}


def frame_ref(value) -> str:
    """``MEDIA_PATH@SECONDS``: a catalogued frame (whether the media is catalogued is the search's check)."""
    ref = _text(value)
    path, sep, secs = ref.rpartition("@")
    try:
        ok = bool(sep and path) and math.isfinite(float(secs))
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"expected MEDIA_PATH@SECONDS (e.g. clip.mov@12.5), got {ref!r}")
    return ref


@dataclass(frozen=True)
class SearchOption:
    """One option of a search. ``type`` is str, int, float, bool or a function of the given value that
    returns the value to use and raises ValueError saying why not. ``refines`` names the option this one
    only adjusts (``face_index`` refines ``face``): it is refused alone and gets no app mode. Options
    sharing a ``mode`` share the app's mode; the first whose ``type`` takes the typed text gets it."""

    name: str                           # the query key; the CLI's --flag (underscores as dashes)
    type: Callable[[Any], Any] = str
    help: str = ""
    default: Any = None                 # filled in when its search is asked and it was not given
    choices: tuple = ()
    multiple: bool = False              # a list: the flag repeats, the app splits what is typed at commas
    refines: str | None = None
    mode: str | None = None             # the app's mode name (default: the name, with spaces)
    hint: str = ""                      # the app field's placeholder in that mode
    prefixes: tuple[str, ...] = ()      # words typed before ':' that pick the mode besides the name
    metavar: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def mode_name(self) -> str | None:
        return None if self.refines else (self.mode or self.name.replace("_", " "))

    @property
    def is_flag(self) -> bool:
        return self.type is bool

    def type_name(self) -> str:
        if self.metavar:
            return self.metavar
        if self.choices:
            return "[" + "|".join(map(str, self.choices)) + "]"
        return TYPE_NAMES.get(self.type, "VALUE")

    def convert(self, value, search: str):
        """The value as the search reads it (a list for ``multiple``); QueryError names the option and the search."""
        if self.multiple:
            items = [value] if isinstance(value, (str, Path)) or not hasattr(value, "__iter__") else list(value)
            return [self._one(v, search) for v in items]
        return self._one(value, search)

    def _one(self, value, search: str):
        try:
            out = CONVERTERS.get(self.type, self.type)(value)
        except (TypeError, ValueError, QueryError) as exc:
            why = str(exc).removeprefix(f"{self.flag}: ")
            raise QueryError(f"search '{search}': {self.flag}: {why}"
                             + ("" if repr(value) in why else f", got {value!r}")) from None
        if self.choices and out not in self.choices:
            raise QueryError(f"search '{search}': {self.flag}: must be one of {', '.join(map(str, self.choices))}, "
                             f"got {value!r}")
        return out


def given(value) -> bool:
    """Whether an option's value asks for something: None, "", [] and a flag left off do not."""
    return value is not None and value is not False and value != "" and value != [] and value != ()


def declared(specs) -> dict[str, tuple[Any, SearchOption]]:
    """Option name -> (the search that declares it, the option), the first declaration of a name winning."""
    out: dict = {}
    for spec in specs:
        for opt in spec.options:
            out.setdefault(opt.name, (spec, opt))
    return out


def search_modes(specs) -> dict[str, list[SearchOption]]:
    """The app's search modes in the order the searches declare them: mode name -> its options."""
    modes: dict[str, list[SearchOption]] = {}
    for _spec, opt in declared(specs).values():
        if opt.mode_name:
            modes.setdefault(opt.mode_name, []).append(opt)
    return modes
