"""One search field with modes; an image can be dropped onto it or pasted."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QPushButton, QWidget

from ..api import SearchQuery, search_modes
from ..errors import QueryError

OPTIONS_MODE = "options"     # KEY=VALUE, …: any search's options by name (a refinement such as face_index too)
OPTIONS_HINT = "KEY=VALUE, … any search's options, e.g. face=still.png, face_index=1"
IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif"}


def modes(specs=None) -> dict:
    """Mode name -> the search options it fills, generated from the searches' declarations (built-in
    and plugin alike, ``SearchSpec.options``), then the KEY=VALUE mode."""
    return {**search_modes(specs), OPTIONS_MODE: []}


def placeholder(mode: str, options) -> str:
    if mode == OPTIONS_MODE:
        return OPTIONS_HINT
    return next((o.hint for o in options if o.hint), "") or next((o.help for o in options if o.help), mode)


def prefixes(all_modes: dict) -> dict[str, str]:
    """What may be typed before ':' -> its mode: each mode's name, its options' names (also with dashes)
    and the prefixes they declare; ``where:`` is the KEY=VALUE mode."""
    out = {}
    for mode, options in all_modes.items():
        for word in [mode] + [w for o in options for w in (o.name, o.name.replace("_", "-"), *o.prefixes)]:
            out.setdefault(word.lower(), mode)
    out.setdefault("where", OPTIONS_MODE)
    return out


def build_query(mode: str, text: str, limit: int = 50, media: list[str] | None = None,
                all_modes: dict | None = None) -> SearchQuery:
    """The core SearchQuery for what was typed in a mode (the CLI's flags, one per mode). The values are
    checked by ``Library.search`` against the searches' declarations, as the CLI's and the API's are."""
    all_modes = modes() if all_modes is None else all_modes
    text = text.strip()
    q = SearchQuery(limit=limit, media=list(media or []))
    if mode not in all_modes:
        raise ValueError(f"unknown search mode {mode!r}")
    if mode == OPTIONS_MODE:
        for item in filter(None, (t.strip() for t in text.split(","))):
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"{item!r}: expected KEY=VALUE")
            q.set(key.strip(), value.strip())
    elif text:
        q.set(*_filled(all_modes[mode], text))
    return q


def _filled(options, text: str) -> tuple[str, object]:
    """(option, value) for text typed in a mode: the first of its options whose type takes it (an image
    mode takes MEDIA@SECONDS as a catalogued frame, anything else as a file); a list option's text is
    split at commas, unless it names a file."""
    for i, opt in enumerate(options):
        value = [t.strip() for t in text.split(",") if t.strip()] \
            if opt.multiple and not Path(text).exists() else ([text] if opt.multiple else text)
        if i == len(options) - 1:
            return opt.name, value
        try:
            opt.convert(value, "")
            return opt.name, value
        except QueryError:
            continue
    raise ValueError("a search mode with no options")


def split_prefix(text: str, all_modes: dict | None = None) -> tuple[str | None, str]:
    """'person: Ana' -> ('person', 'Ana'): the mode a typed prefix names, or None when there is none
    (a path that exists is never read as a prefix)."""
    words = prefixes(modes() if all_modes is None else all_modes)
    head, sep, rest = text.partition(":")
    if sep and head.strip().lower() in words and not Path(text).exists():
        return words[head.strip().lower()], rest.strip()
    return None, text


def parse_query_text(text: str, all_modes: dict | None = None) -> tuple[str, str]:
    """'text: red car' -> ('description', 'red car'); no prefix means phrase (``app --smoke --query``
    and the search field take the same prefixes)."""
    mode, rest = split_prefix(text, all_modes)
    return mode or "phrase", rest


class QueryField(QLineEdit):
    image_given = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setClearButtonEnabled(True)

    def dragEnterEvent(self, event):
        md = event.mimeData()
        if md.hasImage() or any(Path(u.toLocalFile()).suffix.lower() in IMAGE_EXTS for u in md.urls()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event):
        md = event.mimeData()
        for u in md.urls():
            if Path(u.toLocalFile()).suffix.lower() in IMAGE_EXTS:
                self.image_given.emit(u.toLocalFile())
                event.acceptProposedAction()
                return
        if md.hasImage():
            self.image_given.emit(_save_pasted(md.imageData()))
            event.acceptProposedAction()
            return
        super().dropEvent(event)

    def keyPressEvent(self, event):
        if event.matches(QKeySequence.StandardKey.Paste):
            md = QGuiApplication.clipboard().mimeData()
            if md is not None and md.hasImage() and not md.hasText():
                self.image_given.emit(_save_pasted(md.imageData()))
                return
        super().keyPressEvent(event)


def _save_pasted(image) -> str:
    """A pasted picture becomes a PNG file: the core searches by image files."""
    folder = Path(tempfile.gettempdir()) / "framesense-pasted"
    folder.mkdir(exist_ok=True)
    path = folder / f"pasted-{time.time_ns()}.png"
    image.save(str(path), "PNG")
    return str(path)


class SearchBar(QWidget):
    search_requested = Signal(str, str)   # mode, text

    def __init__(self, parent=None, specs=None):
        super().__init__(parent)
        self.modes = modes(specs)         # from the searches of the registry (or ``specs``): plugins' too
        self.mode_names = list(self.modes)
        self.mode = QComboBox(self)
        self.mode.addItems(self.mode_names)
        words = [w for w in prefixes(self.modes) if not {" ", "_"} & set(w)]
        self.mode.setToolTip(f"What to search by (or type a prefix: {', '.join(w + ':' for w in words)})")
        self.field = QueryField(self)
        self.field.returnPressed.connect(self._enter)
        self.by_enter = False          # the last search came from Enter in the field: its hits take the keys
        self.field.image_given.connect(self.use_image)
        self.button = QPushButton("Search", self)
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        self._placeholders = {m: placeholder(m, opts) for m, opts in self.modes.items()}
        self.mode.currentTextChanged.connect(lambda m: self.field.setPlaceholderText(self._placeholders[m]))
        self.field.setPlaceholderText(self._placeholders["phrase"])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mode)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.button)

    def query(self, mode: str, text: str, limit: int = 50, media: list[str] | None = None) -> SearchQuery:
        """The core query for text typed in one of this bar's modes."""
        return build_query(mode, text, limit, media, self.modes)

    def set_unavailable(self, reasons: dict[str, str]):
        """Modes that cannot run here are greyed out, with why as their tooltip; the current one moves to phrase."""
        model = self.mode.model()
        for i, mode in enumerate(self.mode_names):
            item = model.item(i)
            item.setEnabled(mode not in reasons)
            item.setToolTip(reasons.get(mode, ""))
        if self.mode.currentText() in reasons:
            self.mode.setCurrentText("phrase")

    def set_description_languages(self, languages: str | None):
        """Say which languages the picture model reads (English, or many for a multilingual text tower)."""
        item = self.mode.model().item(self.mode_names.index("description"))
        text = placeholder("description", self.modes["description"]) + (f"  — in {languages}" if languages else "")
        self._placeholders["description"] = text
        if languages:
            item.setToolTip(f"Describe the picture in {languages} (what the picture model reads)")
        if self.mode.currentText() == "description":
            self.field.setPlaceholderText(text)

    def available(self, mode: str) -> bool:
        return mode in self.modes and self.mode.model().item(self.mode_names.index(mode)).isEnabled()

    def set_query(self, mode: str, text: str):
        self.mode.setCurrentText(mode)
        self.field.setText(text)

    def use_image(self, path: str):
        if self.mode.currentText() not in ("image", "same footage"):   # without a picture model: reuses
            self.mode.setCurrentText("image" if self.available("image") else "same footage")
        self.field.setText(path)
        self.submit()

    def _enter(self):
        self.submit()
        self.by_enter = True

    def submit(self):
        self.by_enter = False
        text = self.field.text().strip()
        mode, rest = split_prefix(text, self.modes)
        if mode is not None:              # "face: …", "person: …", "like: FILE@SEC", "text: …": that mode
            self.set_query(mode, rest)
            text = rest
        if text:
            self.search_requested.emit(self.mode.currentText(), text)
