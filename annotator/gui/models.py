"""Qt item models: thin adapters over the services (documents) and the session (spans)."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from annotator.domain.documents import DocumentListItem, Status
from annotator.domain.labels import LabelSet
from annotator.domain.layers import Owner, OwnerKind
from annotator.domain.span_index import Change, SpanIndex
from annotator.domain.spans import Span
from annotator.services.annotation import Annotations

Index = QModelIndex | QPersistentModelIndex
PAGE = 200
STATUS_TEXT = {Status.TODO: "to do", Status.IN_PROGRESS: "in progress", Status.DONE: "done", Status.SKIPPED: "skipped"}
STATUS_COLOUR = {Status.TODO: "#8a8f98", Status.IN_PROGRESS: "#c77d1a", Status.DONE: "#3c8d40",
                 Status.SKIPPED: "#a0a0a0"}
ID_ROLE = Qt.ItemDataRole.UserRole


class _Rows(Protocol):
    def __len__(self) -> int: ...

    def __getitem__(self, row: int, /) -> Any: ...


class _RowsModel(QAbstractTableModel):
    """A read-only table over a Python list of rows (`_rows`), with fixed column headers."""

    HEADERS: tuple[str, ...] = ()
    _rows: _Rows

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def _row(self, index: Index) -> Any:
        return self._rows[index.row()] if index.isValid() and 0 <= index.row() < len(self._rows) else None


class DocumentListModel(_RowsModel):
    """The project's documents, one SQL page at a time (canFetchMore / fetchMore); never their texts."""

    HEADERS = ("#", "Title", "Status", "Spans")

    def __init__(self, annotations: Annotations, parent: Any = None) -> None:
        super().__init__(parent)
        self._annotations = annotations
        self._rows: list[DocumentListItem] = []
        self._status: Status | None = None
        self._text = ""
        self._queue = False  # only the annotator's assigned documents, in queue order
        self._exhausted = False

    # -- filtering ---------------------------------------------------------------------------------
    @property
    def status_filter(self) -> Status | None:
        return self._status

    @property
    def text_filter(self) -> str:
        return self._text

    @property
    def queue_filter(self) -> bool:
        return self._queue

    def set_filter(self, status: Status | None, text: str, first_page: list[DocumentListItem] | None = None,
                   *, queue: bool = False) -> None:
        """Show another selection; `first_page` is given when it was read in the background."""
        self.beginResetModel()
        self._status, self._text, self._queue = status, text, queue
        self._rows = list(first_page or [])
        self._exhausted = first_page is not None and len(first_page) < PAGE
        self.endResetModel()
        if first_page is None and self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    def read_first_page(self, status: Status | None, text: str, *, queue: bool = False) -> list[DocumentListItem]:
        """The first page of a selection, callable from the worker thread (it touches no Qt object)."""
        return self._annotations.list_documents(status=status, text=text, offset=0, limit=PAGE, queue=queue)

    def reload(self) -> None:
        """Start again from the first page (documents were added, or statuses changed under a status filter)."""
        self.set_filter(self._status, self._text, queue=self._queue)

    def refresh_documents(self, document_ids: frozenset[int]) -> None:
        """Re-read the loaded rows of these documents, a page at a time, in place."""
        if self._status is not None:  # a row may now belong elsewhere: rows would shift
            self.reload()
            return
        pages = sorted({row // PAGE for row, item in enumerate(self._rows) if item.id in document_ids})
        for page in pages:
            fresh = self._page(page * PAGE)
            for offset, item in enumerate(fresh):
                row = page * PAGE + offset
                if row < len(self._rows) and self._rows[row].id == item.id and self._rows[row] != item:
                    self._rows[row] = item
                    self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def row_of(self, document_id: int) -> int | None:
        return next((row for row, item in enumerate(self._rows) if item.id == document_id), None)

    def item(self, row: int) -> DocumentListItem:
        return self._rows[row]

    # -- lazy loading ------------------------------------------------------------------------------
    def _page(self, offset: int) -> list[DocumentListItem]:
        return self._annotations.list_documents(status=self._status, text=self._text, offset=offset, limit=PAGE,
                                                queue=self._queue)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        page = self._page(len(self._rows))
        if len(page) < PAGE:
            self._exhausted = True
        if not page:
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    # -- the model ---------------------------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self._row(index)
        if item is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(item.position + 1), item.title or f"document {item.id}", STATUS_TEXT[item.status],
                    str(item.span_count))[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return item.title
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            return QColor(STATUS_COLOUR[item.status])
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ID_ROLE:
            return item.id
        return None


_SPAN_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole,
                         ID_ROLE})


class SpanTableModel(_RowsModel):
    """The spans of one layer of the open document (label, text, where): a view of the session's SpanIndex,
    which tells it each change before and after it is made (so Qt's row brackets hold)."""

    HEADERS = ("Label", "Text", "Where", "Links, figure")
    SNIPPET = 80

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: SpanIndex = SpanIndex()
        self._text = ""
        self._colours: dict[str, str] = {}
        self._frames: Callable[[Span], str] = lambda _span: ""  # a claim's links, a figure's reading

    def set_frames(self, describe: Callable[[Span], str]) -> None:
        self._frames = describe

    def frames_changed(self) -> None:
        """Links or figure readings changed: the last column is asked again (only the rows in view are read)."""
        if self._rows:
            self.dataChanged.emit(self.index(0, 3), self.index(len(self._rows) - 1, 3))

    def set_document(self, text: str, index: SpanIndex, labels: LabelSet) -> None:
        self.beginResetModel()
        self._rows.unlisten(self)
        self._text = text
        self._rows = index
        index.listen(self)
        self._colours = {label.name: label.colour for label in labels}
        self.endResetModel()

    def index_changing(self, change: Change, row: int, _span: Span | None) -> None:
        if change is Change.INSERT:
            self.beginInsertRows(QModelIndex(), row, row)
        elif change is Change.REMOVE:
            self.beginRemoveRows(QModelIndex(), row, row)
        elif change is Change.RESET:
            self.beginResetModel()

    def index_changed(self, change: Change, row: int, _span: Span | None) -> None:
        if change is Change.INSERT:
            self.endInsertRows()
        elif change is Change.REMOVE:
            self.endRemoveRows()
        elif change is Change.RESET:
            self.endResetModel()
        else:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def span_at_row(self, row: int) -> Span:
        return self._rows[row]

    def row_of(self, span_id: int) -> int | None:
        return self._rows.row_of(span_id)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _SPAN_ROLES:  # Qt asks seven roles of each cell it paints: five are answered here
            return None
        span = self._row(index)
        if span is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return span.label
            if column == 1:
                return snippet(self._text, span, self.SNIPPET)
            if column == 3:
                return self._frames(span)
            return f"{span.start}–{span.end}"
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return QColor(self._colours.get(span.label, "#999999"))
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return self._text[span.start : span.end]
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return self._frames(span) or None
        if role == ID_ROLE:
            return span.id
        return None


def snippet(text: str, span: Span, limit: int) -> str:
    """The span's text on one line, cut to `limit` characters."""
    shown = " ".join(text[span.start : span.end].split())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


class _LayerRows:
    """The rows of several layers one after another, (owner, span) by row, without a tuple made per span: a long
    article's model layer has 10,000s of spans, and the table is set again after each accept. The layers' lengths
    are read at each call (a few layers), so a row asked for while a layer changes is never past its end."""

    def __init__(self, layers: Mapping[Owner, SpanIndex]) -> None:
        self._layers = list(layers.items())

    def __len__(self) -> int:
        return sum(len(index) for _, index in self._layers)

    def __getitem__(self, row: int) -> tuple[Owner, Span]:
        ends = list(itertools.accumulate(len(index) for _, index in self._layers))
        if not 0 <= row < (ends[-1] if ends else 0):
            raise IndexError(row)
        i = bisect.bisect_right(ends, row)
        owner, index = self._layers[i]
        return owner, index[row - (ends[i - 1] if i else 0)]


class LayerSpanModel(_RowsModel):
    """The spans of the read-only layers (other people, gold, models), one table: whose, label, text.

    They do not change while the document is open, so the rows are set at once.
    """

    HEADERS = ("Layer", "Label", "Text")
    SNIPPET = 60

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: _LayerRows = _LayerRows({})
        self._text = ""
        self._colours: dict[str, str] = {}

    def set_layers(self, text: str, layers: Mapping[Owner, SpanIndex], labels: LabelSet) -> None:
        self.beginResetModel()
        self._text = text
        self._rows = _LayerRows(layers)
        self._colours = {label.name: label.colour for label in labels}
        self.endResetModel()

    def owner_and_span(self, row: int) -> tuple[Owner, Span]:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        found = self._row(index)
        if found is None:
            return None
        owner, span = found
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (layer_name(owner), span.label, snippet(self._text, span, self.SNIPPET))[column]
        if role == Qt.ItemDataRole.DecorationRole and column == 1:
            return QColor(self._colours.get(span.label, "#999999"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{layer_name(owner)}: {span.label} [{span.start}–{span.end}] (read-only)"
        if role == ID_ROLE:
            return span.id
        return None


def layer_name(owner: Owner) -> str:
    """How the window names a layer: a person by name, a model as "model: NAME", gold as "gold"."""
    if owner.kind is OwnerKind.MODEL:
        return f"model: {owner.name}"
    return owner.name
