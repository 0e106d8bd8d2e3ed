"""The claims table: one row per claim of the project with what it is linked to (a column per relation type:
source, places, figures with their reading), its document, annotator and status; sorted by a header click,
filtered by typing, and a double-click (or Enter) opens the claim in the article. `annotator claims` writes it.

The claims are read on the window's worker (a project of thousands of documents takes a while) and fill the table
when they come; the window goes on taking keys meanwhile."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.documents import Status
from annotator.errors import AnnotatorError
from annotator.gui.models import STATUS_TEXT, Index, _RowsModel
from annotator.gui.tasks import Task, TaskRunner
from annotator.services.claims import Claim, claims
from annotator.services.relations import list_relation_types
from annotator.services.workspace import Workspace

SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def linked_text(items: list[dict[str, Any]]) -> str:
    return "; ".join(item["text"] + (f" [{item['reading']}]" if item.get("reading") else "") for item in items)


class ClaimsModel(_RowsModel):
    """Claims as rows; the relation-type columns come from the project's schema."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Claim] = []
        self.types: list[str] = []
        self.HEADERS = ("Claim", "Document", "Annotator", "Status")

    def set_claims(self, rows: list[Claim], types: list[str]) -> None:
        self.beginResetModel()
        self._rows, self.types = rows, types
        self.HEADERS = ("Claim", *types, "Document", "Annotator", "Status")
        self.endResetModel()

    def claim(self, row: int) -> Claim:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        claim = self._row(index)
        if claim is None:
            return None
        column, n = index.column(), len(self.types)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return " ".join(claim.text.split())
            if column <= n:
                return linked_text(claim.links.get(self.types[column - 1], []))
            status = STATUS_TEXT.get(Status(claim.status), claim.status)
            return (f"{claim.document} ({claim.position})", claim.annotator, status)[column - n - 1]
        if role == SORT_ROLE:
            if column == n + 1:  # the document column sorts by the document's place, then the claim's
                return claim.position * 10**9 + claim.span.start
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        return None


class ClaimsDialog(QDialog):
    claim_requested = Signal(int, int, int)  # document id, start, end

    def __init__(self, ws: Workspace, project: str, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("claims_dialog")
        self.setWindowTitle("Claims")
        self._ws, self._project, self._runner = ws, project, runner
        self._reading: Task | None = None  # the read under way; an older one's result is dropped
        self.model = ClaimsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit(self)
        self.filter.setObjectName("claims_filter")
        self.filter.setPlaceholderText("Filter: any words of a claim, its source, place, figure, document, status…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.filter.textChanged.connect(self._count)
        self.table = QTableView(self)
        self.table.setObjectName("claims_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.table.activated.connect(self._on_table_activated)
        self.table.doubleClicked.connect(self._on_table_activated)
        self.summary = QLabel(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self.resize(1200, 560)

    def reload(self) -> Task:
        """Read the claims again on the worker (the table is a snapshot: it is read when opened)."""
        if self._reading is not None:
            self._reading.cancel()
        self.summary.setText("reading the claims…")
        task = self._runner.submit("claims", self._read)
        # The callbacks run on this thread from the event loop, so they are in place before the result comes.
        task.on_done = lambda found: self._fill(task, found)
        task.on_error = lambda error: self._failed(task, error)
        self._reading = task
        return task

    def _read(self, task: Task) -> tuple[list[str], list[Claim]] | None:
        """On the worker: the relation types and every claim; None when a newer read took over."""
        types = list(dict.fromkeys(t.name for t in list_relation_types(self._ws, self._project)))
        rows: list[Claim] = []
        for claim in claims(self._ws, self._project):
            if task.cancelled():
                return None
            rows.append(claim)
        return types, rows

    def _failed(self, task: Task, error: AnnotatorError) -> None:
        if task is self._reading:
            self._reading = None
            self.summary.setText(str(error))

    def _fill(self, task: Task, found: tuple[list[str], list[Claim]] | None) -> None:
        if task is not self._reading or found is None:
            return
        self._reading = None
        types, rows = found
        self.model.set_claims(rows, types)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        widths = [360, *([170] * len(types)), 200, 90]  # the claim widest: it is what the row is read for
        for column, width in enumerate(widths):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        self.table.sortByColumn(len(types) + 1, Qt.SortOrder.AscendingOrder)
        if self.isVisible():
            self.table.resizeRowsToContents()
        self._count()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()  # once the columns have their shown widths

    def _count(self) -> None:
        if self._reading is not None:
            return  # "reading" stays until the rows come
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.summary.setText(f"{shown:,} of {total:,} claims" if shown != total else f"{total:,} claims"
                             + "; double-click or Enter opens one in the article")

    def _on_table_activated(self, index: QModelIndex) -> None:
        claim = self.model.claim(self.proxy.mapToSource(index).row())
        self.claim_requested.emit(claim.document_id, claim.span.start, claim.span.end)
