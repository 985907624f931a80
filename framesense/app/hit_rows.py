"""How one hit is drawn in the results list, on any screen from 1024 px wide: thumbnail, the
file name elided (never broken mid-word), timecode and length, kind and score, and the
sentence cut around the matched words so they are always in view.

Each line is measured with the row's font, so a row is as tall as what it shows (no fixed
height clipping the words) and never wider than the list.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette, QTextDocument, QTextOption
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

ROLE_HIT = Qt.ItemDataRole.UserRole          # the hit's index in the results
ROLE_INFO = Qt.ItemDataRole.UserRole + 1     # what the row shows (name, timing, meta, text, context, pixmap)
THUMB = QSize(128, 72)
MIN_THUMB_W = 64
WORD_LINES = 2          # the sentence gets at most two lines
PAD = 6
ELLIPSIS = "…"


def words_around(context: str | None, text: str | None, fits) -> tuple[str, str, str]:
    """(before, matched, after): the sentence trimmed word by word around the matched words, both
    sides in turn, while ``fits(before + matched + after)`` holds; cut ends get an ellipsis. The
    matched words are always kept whole."""
    if not context:
        return "", text or "", ""
    lo = context.find(text) if text else -1
    if lo < 0 and text:
        lo = context.lower().find(text.lower())
    if lo < 0:                                   # no match in the sentence: its start, as far as it fits
        lo, text = 0, ""
    matched = context[lo:lo + len(text)]
    left, right = context[:lo].split(" "), context[lo + len(text):].split(" ")
    i, j = len(left), 0                          # left[i:] and right[:j] are shown
    more_left, more_right, side = True, True, 0
    while (more_left and i > 0) or (more_right and j < len(right)):
        if side == 0 and more_left and i > 0:
            more_left = fits(_join(left, i - 1, right, j, matched))
            i -= more_left
        elif more_right and j < len(right):
            more_right = fits(_join(left, i, right, j + 1, matched))
            j += more_right
        side ^= 1
    return _parts(left, i, right, j, matched)


def _parts(left, i, right, j, matched) -> tuple[str, str, str]:
    cut_left = bool(" ".join(left[:i]).strip())
    cut_right = bool(" ".join(right[j:]).strip())
    return (ELLIPSIS if cut_left else "") + " ".join(left[i:]), matched, \
        " ".join(right[:j]) + (ELLIPSIS if cut_right else "")


def _join(left, i, right, j, matched) -> str:
    return "".join(_parts(left, i, right, j, matched))


def row_lines(info: dict) -> int:
    """Lines of text a row shows: name, timecode and length, kind and score, then the words."""
    return 3 + (WORD_LINES if info.get("context") or info.get("text") else 0)


class HitDelegate(QStyledItemDelegate):
    def sizeHint(self, option, index):
        """As tall as the row's lines at the list's font (at 14 pt a fixed height made rows overlap)."""
        info = index.data(ROLE_INFO) or {}
        text = row_lines(info) * QFontMetrics(option.font).lineSpacing()
        return QSize(200, max(THUMB.height(), text) + 2 * PAD)

    def paint(self, painter, option, index):
        info = index.data(ROLE_INFO) or {}
        painter.save()
        painter.setClipRect(option.rect)          # never paint into the next row
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(option.rect, option.palette.color(QPalette.ColorRole.Highlight))
            fg = option.palette.color(QPalette.ColorRole.HighlightedText)
        else:
            if index.row() % 2:
                painter.fillRect(option.rect, option.palette.color(QPalette.ColorRole.AlternateBase))
            fg = option.palette.color(QPalette.ColorRole.Text)
        dim = QColor("#cfd8e3") if selected else QColor("#7a7a7a")
        thumb, box = self.boxes(option.rect)
        pix = info.get("pixmap")
        if pix is not None and not pix.isNull():
            painter.drawPixmap(thumb, pix)
        else:
            painter.fillRect(thumb, QColor(40, 40, 40))
        for rect, text, font, colour, elide in self.lines(info, box, option.font, fg, dim):
            painter.setFont(font)
            painter.setPen(colour)
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                             QFontMetrics(font).elidedText(text, elide, rect.width()))
        words = self.words_html(info, box.width(), option.font)
        if words:
            line = QFontMetrics(option.font).lineSpacing()
            doc = _doc(words, option.font, box.width(), fg)
            painter.translate(box.left(), box.top() + 3 * line)
            painter.setClipRect(QRect(0, 0, box.width(), WORD_LINES * line), Qt.ClipOperation.IntersectClip)
            doc.drawContents(painter)
        painter.restore()

    @staticmethod
    def boxes(rect: QRect) -> tuple[QRect, QRect]:
        """(thumbnail, text) rectangles of a row: the thumbnail shrinks (to 64 px) on a narrow list."""
        r = rect.adjusted(PAD, PAD, -PAD, -PAD)
        tw = max(MIN_THUMB_W, min(THUMB.width(), r.width() * 2 // 5))
        th = tw * THUMB.height() // THUMB.width()
        thumb = QRect(r.left(), r.top() + max(0, (r.height() - th) // 2), tw, th)
        return thumb, QRect(thumb.right() + 8, r.top(), max(20, r.right() - thumb.right() - 8), r.height())

    @staticmethod
    def lines(info, box: QRect, font: QFont, fg: QColor, dim: QColor):
        """(rect, text, font, colour, elide) of the three one-line fields."""
        bold = QFont(font)
        bold.setBold(True)
        line = QFontMetrics(font).lineSpacing()
        rect = lambda n: QRect(box.left(), box.top() + n * line, box.width(), line)  # noqa: E731
        return [(rect(0), info.get("name", ""), bold, fg, Qt.TextElideMode.ElideMiddle),
                (rect(1), info.get("timing", ""), font, fg, Qt.TextElideMode.ElideRight),
                (rect(2), info.get("meta", ""), font, dim, Qt.TextElideMode.ElideRight)]

    @staticmethod
    def words_html(info, width: int, font: QFont) -> str:
        """The sentence cut around the matched words to fit two lines of ``width``, the words in bold."""
        if not info.get("context") and not info.get("text"):
            return ""
        bold = QFont(font)
        bold.setBold(True)
        fm = QFontMetrics(bold)                  # measured all in bold: never more than it shows
        limit = WORD_LINES * fm.lineSpacing()
        flags = int(Qt.TextFlag.TextWordWrap)

        def fits(s: str) -> bool:
            return fm.boundingRect(QRect(0, 0, width, 10 * limit), flags, s).height() <= limit

        before, matched, after = words_around(info.get("context"), info.get("text"), fits)
        return html.escape(before) + (f"<b>{html.escape(matched)}</b>" if matched else "") + html.escape(after)


def _doc(words_html: str, font: QFont, width: int, fg: QColor) -> QTextDocument:
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    opt = QTextOption()
    opt.setWrapMode(QTextOption.WrapMode.WordWrap)
    doc.setDefaultTextOption(opt)
    doc.setDefaultStyleSheet(f"body {{ color: {fg.name()}; }}")
    doc.setHtml(f"<body>{words_html}</body>")
    doc.setTextWidth(width)
    return doc
