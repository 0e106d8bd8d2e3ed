"""Span colours as character formats, block by block, as blocks come into view (no ExtraSelections).

Nesting stays visible: a label of kind statement (CLAIM) is a light band with an underline in its colour;
labels of kind entity (SOURCE, LOCATION, FIGURE) are a stronger background on top, the innermost winning;
an entity inside another entity gets a dashed underline in the outer one's colour.
Colours are blended over the paper (light or dark) and the text on them takes whichever ink reads better.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QTextBlock, QTextCharFormat, QTextDocument, QTextLayout

from annotator.domain.labels import LabelSet
from annotator.domain.span_index import Change, SpanIndex
from annotator.domain.spans import Span
from annotator.gui.offsets import OffsetMap

ENTITY_ALPHA = 0.50
BAND_ALPHA = 0.2
PAPER = QColor("#fdfcf9")
INK = QColor("#1d1f23")
DARK_PAPER = QColor("#1e2024")
DARK_INK = QColor("#e4e1da")


def blend(colour: str, alpha: float, under: QColor = PAPER) -> QColor:
    c = QColor(colour)
    return QColor(round(c.red() * alpha + under.red() * (1 - alpha)),
                  round(c.green() * alpha + under.green() * (1 - alpha)),
                  round(c.blue() * alpha + under.blue() * (1 - alpha)))


def _luminance(c: QColor) -> float:
    def linear(v: int) -> float:
        x = v / 255
        return x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(c.red()) + 0.7152 * linear(c.green()) + 0.0722 * linear(c.blue())


def ink_on(background: QColor) -> QColor:
    """The dark or the light ink, whichever has the higher contrast (WCAG) on `background`."""
    ground = _luminance(background)
    dark = (ground + 0.05) / (_luminance(INK) + 0.05)
    light = (_luminance(DARK_INK) + 0.05) / (ground + 0.05)
    return INK if dark >= light else DARK_INK


class SpanHighlighter:
    """Formats the blocks of the article that are about to be painted, and only those.

    Formatting every block up front (what QSyntaxHighlighter does when it is given a document) costs
    ~100 ms on a 1 MB article with 10,000 spans; the view asks for the visible blocks before each paint
    instead, and a block once formatted keeps its formats (QTextLayout.setFormats, the mechanism
    QSyntaxHighlighter uses) until a change touches it.
    """

    def __init__(self) -> None:
        self._index = SpanIndex()  # the annotator's own layer, which the session keeps and tells us the changes of
        self._doc: QTextDocument | None = None
        self._offsets = OffsetMap("")
        self._done: set[int] = set()  # numbers of the blocks whose formats are current
        self._colours: dict[str, str] = {}
        self._bands: frozenset[str] = frozenset()  # the names of the statement labels
        self._paper = PAPER
        self._formats: dict[tuple[str | None, str | None, str | None], QTextCharFormat] = {}

    def set_labels(self, labels: LabelSet) -> None:
        self._colours = {label.name: label.colour for label in labels}
        self._bands = labels.statements()
        self._formats.clear()
        self._done.clear()

    def set_paper(self, paper: QColor) -> None:
        """The colour under the text (light or dark theme)."""
        self._paper = QColor(paper)
        self._formats.clear()
        self._done.clear()

    def document(self) -> QTextDocument | None:
        return self._doc

    # -- span bookkeeping --------------------------------------------------------------------------
    def load(self, document: QTextDocument, index: SpanIndex, offsets: OffsetMap) -> None:
        """Take a newly set document and its layer's index; nothing is formatted until it is painted."""
        self._index.unlisten(self)
        self._doc = document
        self._index = index
        index.listen(self)
        self._offsets = offsets
        self._done.clear()

    def invalidate(self) -> None:
        """Every block is formatted again when next painted (labels or theme changed)."""
        self._done.clear()

    def index_changing(self, change: Change, row: int, span: Span | None) -> None:
        pass

    def index_changed(self, change: Change, row: int, span: Span | None) -> None:
        """The blocks a change touches are formatted again when next painted."""
        if span is None or self._doc is None:
            self._done.clear()
            return
        first = self._doc.findBlock(self._offsets.to_qt(span.start)).blockNumber()
        last = self._doc.findBlock(self._offsets.to_qt(max(span.start, span.end - 1))).blockNumber()
        self._done.difference_update(range(first, last + 1))

    # -- formatting --------------------------------------------------------------------------------
    def ensure(self, block: QTextBlock) -> None:
        """Format `block` unless its formats are current; called for the visible blocks before a paint."""
        number = block.blockNumber()
        if number in self._done or self._doc is None:
            return
        self._done.add(number)
        ranges = self._ranges_of(block)
        layout = block.layout()
        if not ranges and not layout.formats():
            return
        layout.setFormats(ranges)
        self._doc.markContentsDirty(block.position(), block.length())

    def _ranges_of(self, block: QTextBlock) -> list[QTextLayout.FormatRange]:
        base = block.position()
        length = block.length() - 1  # leave the paragraph separator plain
        to_qt = self._offsets.to_qt
        py_start = self._offsets.to_py(base)
        py_end = self._offsets.to_py(base + length)
        spans = self._index.overlapping(py_start, max(py_end, py_start + 1))
        if not spans:
            return []
        entries = [(to_qt(s.start), to_qt(s.end), s.label) for s in spans]
        points = {0, length}
        for start, end, _ in entries:
            points.add(min(max(start - base, 0), length))
            points.add(min(max(end - base, 0), length))
        edges = sorted(points)
        ranges = []
        for a, b in zip(edges, edges[1:], strict=False):
            covering = [e for e in entries if e[0] <= base + a and e[1] >= base + b]
            if covering:
                r = QTextLayout.FormatRange()
                r.start, r.length, r.format = a, b - a, self._format(covering)
                ranges.append(r)
        return ranges

    def _format(self, covering: list[tuple[int, int, str]]) -> QTextCharFormat:
        inner = outer = band = None  # labels of the innermost and outermost entity, of the longest band
        inner_len = outer_len = band_len = -1
        entities = 0
        bands = self._bands
        for start, end, label in covering:
            length = end - start
            if label in bands:
                if length > band_len:
                    band, band_len = label, length
                continue
            entities += 1
            if inner is None or length < inner_len:
                inner, inner_len = label, length
            if length > outer_len:
                outer, outer_len = label, length
        key = (inner, outer if entities > 1 else None, band)
        found = self._formats.get(key)
        if found is None:
            found = self._formats[key] = self._make_format(*key)
        return found

    def _make_format(self, inner: str | None, outer: str | None, band: str | None) -> QTextCharFormat:
        fmt = QTextCharFormat()
        colour = self._colours.get
        background = None
        if inner is not None:
            background = blend(colour(inner, "#999999"), ENTITY_ALPHA, self._paper)
        elif band is not None:
            background = blend(colour(band, "#999999"), BAND_ALPHA, self._paper)
        if background is not None:
            fmt.setBackground(background)
            fmt.setForeground(ink_on(background))
        if band is not None:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(QColor(colour(band, "#999999")))
        elif outer is not None:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
            fmt.setUnderlineColor(QColor(colour(outer, "#999999")))
        return fmt
