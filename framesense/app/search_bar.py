"""One search field with modes; an image can be dropped onto it or pasted."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QPushButton, QWidget

from ..api import SearchQuery

MODES = ["phrase", "description", "image", "same footage", "face", "person", "on-screen text", "colour",
         "plugin option"]
IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif"}
PLACEHOLDERS = {
    "phrase": "Words as spoken, e.g. we choose to go  (news* for a prefix)",
    "description": "Describe the picture, e.g. a red car at night  (-term weighs against)",
    "image": "Drop or paste an image, or type its path (or MEDIA_PATH@SECONDS)",
    "face": "An image with a face, or MEDIA_PATH@SECONDS (the largest face in it)",
    "person": "A person's name or #id (see the People panel)",
    "same footage": "MEDIA_PATH@SECONDS or an image file: find reuses of that shot",
    "on-screen text": "Text shown in the picture, e.g. harbour  (needs the OCR plugin)",
    "colour": "A dominant colour: #ff8800 or orange  (needs the palette plugin)",
    "plugin option": "KEY=VALUE, e.g. scale=close-up  (a plugin's own search)",
}


def build_query(mode: str, text: str, limit: int = 50, media: list[str] | None = None) -> SearchQuery:
    """The core SearchQuery for what was typed in a mode (the CLI's flags, one per mode)."""
    text = text.strip()
    q = SearchQuery(limit=limit, media=list(media or []))
    if mode == "phrase":
        q.phrase = text or None
    elif mode == "description":
        q.text = [t.strip() for t in text.split(",") if t.strip()]
    elif mode == "image":
        if "@" in text and not Path(text).exists():
            q.like = text      # MEDIA_PATH@SECONDS: a catalogued frame as the example
        else:
            q.image = [text] if text else []
    elif mode == "same footage":
        q.same_as = text or None
    elif mode in ("face", "person"):      # face: an image file or MEDIA_PATH@SECONDS; person: a name or #id
        if text:
            q.extra[mode] = text
    elif mode == "on-screen text":
        q.ocr = text or None
    elif mode == "colour":
        if text:
            q.extra["color"] = text
    elif mode == "plugin option":
        for item in filter(None, (t.strip() for t in text.split(","))):
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"{item!r}: expected KEY=VALUE")
            q.extra[key.strip()] = value.strip()
    else:
        raise ValueError(f"unknown search mode {mode!r}")
    return q


PREFIXES = {"phrase": "phrase", "text": "description", "description": "description", "image": "image",
            "like": "image", "same": "same footage", "same-as": "same footage", "face": "face", "person": "person",
            "ocr": "on-screen text", "color": "colour", "colour": "colour", "where": "plugin option"}


def split_prefix(text: str) -> tuple[str | None, str]:
    """'person: Ana' -> ('person', 'Ana'): the mode a typed prefix names, or None when there is none
    (a path that exists is never read as a prefix)."""
    head, sep, rest = text.partition(":")
    if sep and head.strip().lower() in PREFIXES and not Path(text).exists():
        return PREFIXES[head.strip().lower()], rest.strip()
    return None, text


def parse_query_text(text: str) -> tuple[str, str]:
    """'text: red car' -> ('description', 'red car'); no prefix means phrase (``app --smoke --query``
    and the search field take the same prefixes)."""
    mode, rest = split_prefix(text)
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

    def __init__(self, parent=None):
        super().__init__(parent)
        self.mode = QComboBox(self)
        self.mode.addItems(MODES)
        self.mode.setToolTip("What to search by (or type a prefix: text:, like: FILE@SEC, same:, face:, "
                             "person:, ocr:, colour:, where:)")
        self.field = QueryField(self)
        self.field.returnPressed.connect(self._enter)
        self.by_enter = False          # the last search came from Enter in the field: its hits take the keys
        self.field.image_given.connect(self.use_image)
        self.button = QPushButton("Search", self)
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        self._placeholders = dict(PLACEHOLDERS)
        self.mode.currentTextChanged.connect(lambda m: self.field.setPlaceholderText(self._placeholders[m]))
        self.field.setPlaceholderText(PLACEHOLDERS["phrase"])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mode)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.button)

    def set_unavailable(self, reasons: dict[str, str]):
        """Modes that cannot run here are greyed out, with why as their tooltip; the current one moves to phrase."""
        model = self.mode.model()
        for i, mode in enumerate(MODES):
            item = model.item(i)
            item.setEnabled(mode not in reasons)
            item.setToolTip(reasons.get(mode, ""))
        if self.mode.currentText() in reasons:
            self.mode.setCurrentText("phrase")

    def set_description_languages(self, languages: str | None):
        """Say which languages the picture model reads (English, or many for a multilingual text tower)."""
        item = self.mode.model().item(MODES.index("description"))
        text = PLACEHOLDERS["description"] + (f"  — in {languages}" if languages else "")
        self._placeholders["description"] = text
        if languages:
            item.setToolTip(f"Describe the picture in {languages} (what the picture model reads)")
        if self.mode.currentText() == "description":
            self.field.setPlaceholderText(text)

    def available(self, mode: str) -> bool:
        return self.mode.model().item(MODES.index(mode)).isEnabled()

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
        mode, rest = split_prefix(text)
        if mode is not None:              # "face: …", "person: …", "like: FILE@SEC", "text: …": that mode
            self.set_query(mode, rest)
            text = rest
        if text:
            self.search_requested.emit(self.mode.currentText(), text)
