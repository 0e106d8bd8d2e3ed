"""The spans of the open document in a table; choosing one asks the window to select it in the article."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, QSize, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from annotator.domain.documents import Changes
from annotator.gui.models import ID_ROLE, SpanTableModel
from annotator.gui.session import DocumentSession
from annotator.gui.widgets.tables import row_table


class SpanPanel(QWidget):
    span_requested = Signal(int)  # span id

    def __init__(self, session: DocumentSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setObjectName("span_panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self._title = QLabel("", self)
        layout.addWidget(self._title)
        self.model = SpanTableModel(self)
        self.table = row_table(self.model, "span_table", self)
        header = self.table.horizontalHeader()
        # Fixed widths: sizing to contents would read thousands of rows on every change.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(0, 96)
        header.resizeSection(2, 84)
        layout.addWidget(self.table)
        self.table.activated.connect(self._on_table_activated)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self._syncing = False

    def sizeHint(self) -> QSize:  # the dock's first width
        return QSize(330, 600)

    def show_document(self) -> None:
        doc = self._session.document
        self.model.set_document(doc.text if doc else "", self._session.spans, self._session.labels)
        self._update_title()

    def on_changes(self, changes: Changes) -> None:
        if self._session.document_id in changes.documents and (changes.spans_added or changes.spans_removed):
            added = [self._session.span(i) for i in changes.spans_added]
            self.model.update_spans(changes.spans_removed, [s for s in added if s is not None])
            self._update_title()

    def mark(self, span_id: int | None) -> None:
        """Highlight the row of the span the article selected, without asking for it again."""
        row = None if span_id is None else self.model.row_of(span_id)
        self._syncing = True
        try:
            if row is None:
                self.table.clearSelection()
            else:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
        finally:
            self._syncing = False

    def _update_title(self) -> None:
        n = self.model.rowCount()
        self._title.setText(f"{n} span{'s' if n != 1 else ''} in this document")

    def _on_table_activated(self, index: QModelIndex) -> None:
        self.span_requested.emit(self.model.data(index, ID_ROLE))

    def _on_table_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self._syncing or selected.isEmpty():
            return
        index = selected.indexes()[0]
        self.span_requested.emit(self.model.data(index, ID_ROLE))
        # keep the keyboard in the table while browsing; Enter (activated) is the same request
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
