"""The spans of the open document in a table, and below it the read-only layers' spans (other people, gold,
models); choosing one asks the window to select it in the article."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, QSize, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from annotator.domain.documents import Changes
from annotator.domain.figures import figure_summary
from annotator.domain.spans import Span
from annotator.gui.models import ID_ROLE, LayerSpanModel, SpanTableModel, layer_name, snippet
from annotator.gui.session import DocumentSession
from annotator.gui.widgets.tables import row_table


class SpanPanel(QWidget):
    span_requested = Signal(int)  # span id, of the annotator's own layer
    range_requested = Signal(int, int)  # a read-only span's [start, end): selected, never changed

    def __init__(self, session: DocumentSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setObjectName("span_panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self._title = QLabel("", self)
        layout.addWidget(self._title)
        self.model = SpanTableModel(self)
        self._syncing = False
        # Connected before the table is: a selected row taken out (a span moved by an edge key, or its undo) makes
        # the table select a neighbour, which is not the reader asking for that span.
        self.model.rowsAboutToBeRemoved.connect(self._on_model_rows_about_to_be_removed)
        self.model.rowsRemoved.connect(self._on_model_rows_removed)
        self.table = row_table(self.model, "span_table", self)
        # Fixed widths: sizing to contents would read thousands of rows on every change.
        # The links column takes the spare width: a claim's frame is what its row is read for.
        _fixed_columns(self.table, {0: 90, 2: 70}, stretch=3)
        self.table.horizontalHeader().resizeSection(1, 120)
        self.model.set_frames(self._describe)
        session.links.changed.connect(self.model.frames_changed)
        layout.addWidget(self.table, 3)
        self._layers_title = QLabel("", self)
        self._layers_title.setObjectName("layers_title")
        self._layers_title.setWordWrap(True)
        layout.addWidget(self._layers_title)
        self.layer_model = LayerSpanModel(self)
        self.layer_table = row_table(self.layer_model, "layer_span_table", self)
        _fixed_columns(self.layer_table, {0: 90, 1: 96}, stretch=2)
        layout.addWidget(self.layer_table, 2)
        self.table.activated.connect(self._on_table_activated)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.layer_table.activated.connect(self._on_layer_table_activated)
        self.layer_table.selectionModel().selectionChanged.connect(self._on_layer_table_selection_changed)

    def sizeHint(self) -> QSize:  # the dock's first width
        return QSize(330, 600)

    def _describe(self, span: Span) -> str:
        """"said_by: Irena Dobric; figure: 12,000 residents" for a claim, a figure's reading for a figure."""
        links = self._session.links
        doc = self._session.document
        text = doc.text if doc else ""
        figure = links.figure(span.id)
        if figure is not None:
            return figure_summary(figure) or "(no number read: Ctrl+Shift+F to write it)"
        parts = [f"{r.type}: {snippet(text, r.child, 40)}" for r in links.of_claim(span.id)]
        pending = len(links.ghosts_of(span.id))
        if pending:
            parts.append(f"{pending} proposed (Enter takes, Backspace drops)")
        return "; ".join(parts)

    def show_document(self) -> None:
        doc = self._session.document
        self.model.set_document(doc.text if doc else "", self._session.index, self._session.labels)
        self._update_title()
        self.show_layers()

    def show_layers(self) -> None:
        """List the read-only layers that are shown (after opening a document or hiding a layer)."""
        doc = self._session.document
        shown = self._session.shown_layers()
        self.layer_model.set_layers(doc.text if doc else "", shown, self._session.labels)
        visible = bool(self._session.layers)
        self._layers_title.setVisible(visible)
        self.layer_table.setVisible(visible)
        counts = ", ".join(f"{layer_name(owner)} {len(index):,}" for owner, index in shown.items())
        hidden = len(self._session.layers) - len(shown)
        self._layers_title.setText("Other layers, read-only: " + (counts or "none shown")
                                   + (f"; {hidden} hidden (View menu)" if hidden else "")
                                   + "\nA person's spans are lined under the words, a model's boxed in dashes.")

    def on_changes(self, changes: Changes) -> None:
        if self._session.document_id in changes.documents and (changes.spans_added or changes.spans_removed):
            self._update_title()  # the rows follow the session's index by themselves

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
        editing = self._session.editing  # gold in review mode
        whose = "of yours" if editing is None else f"of {editing.name}"
        self._title.setText(f"{n} span{'s' if n != 1 else ''} {whose} in this document")

    def _on_model_rows_about_to_be_removed(self, *_args: object) -> None:
        self._syncing = True

    def _on_model_rows_removed(self, *_args: object) -> None:
        self._syncing = False

    def _on_table_activated(self, index: QModelIndex) -> None:
        self.span_requested.emit(self.model.data(index, ID_ROLE))

    def _on_table_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self._syncing or selected.isEmpty():
            return
        index = selected.indexes()[0]
        self.span_requested.emit(self.model.data(index, ID_ROLE))
        # keep the keyboard in the table while browsing; Enter (activated) is the same request
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_layer_table_activated(self, index: QModelIndex) -> None:
        _owner, span = self.layer_model.owner_and_span(index.row())
        self.range_requested.emit(span.start, span.end)

    def _on_layer_table_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        if selected.isEmpty():
            return
        self._on_layer_table_activated(selected.indexes()[0])
        self.layer_table.setFocus(Qt.FocusReason.OtherFocusReason)


def _fixed_columns(table: QTableView, widths: dict[int, int], *, stretch: int) -> None:
    header = table.horizontalHeader()
    for column, width in widths.items():
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(column, width)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
