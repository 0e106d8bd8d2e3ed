"""The project's documents with this annotator's status and span count; filter by status and text."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSize, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.documents import Changes, DocumentListItem, Status
from annotator.gui.models import ID_ROLE, STATUS_TEXT, DocumentListModel
from annotator.gui.tasks import Task, TaskRunner
from annotator.gui.widgets.tables import row_table
from annotator.services.annotation import Annotations
from annotator.services.team import may_write_gold

FILTER_DELAY_MS = 200
QUEUE = "queue"  # the filter entry of the annotator's own assigned documents
MAX_PAGES_TO_FIND_CURRENT = 5


class DocumentList(QWidget):
    document_requested = Signal(int)

    def __init__(self, annotations: Annotations, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("document_list")
        self._annotations = annotations
        self._runner = runner
        self._searches = 0  # only the newest text search may fill the list
        self._text_shown = 0  # how many documents the last text search found
        self._current: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        filters = QHBoxLayout()
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("status_filter")
        # With a queue of their own, an annotator starts on it; the whole project stays one entry away.
        if annotations.has_queue():
            self.status_combo.addItem("My queue", QUEUE)
        self.status_combo.addItem("All", None)
        for status in Status:
            self.status_combo.addItem(STATUS_TEXT[status].capitalize(), status.value)  # Qt keeps a str
        filters.addWidget(self.status_combo)
        self.text_edit = QLineEdit(self)
        self.text_edit.setObjectName("text_filter")
        self.text_edit.setPlaceholderText("Filter by words…")
        self.text_edit.setClearButtonEnabled(True)
        filters.addWidget(self.text_edit, 1)
        layout.addLayout(filters)
        self.counts_label = QLabel("", self)
        self.counts_label.setObjectName("counts")
        layout.addWidget(self.counts_label)
        # The lead (anyone on SQLite) sees how far each annotator's queue has got.
        self.team_label = QLabel("", self)
        self.team_label.setObjectName("team_progress")
        self.team_label.setWordWrap(True)
        self._lead = may_write_gold(annotations.ws)
        self.team_label.setVisible(False)
        layout.addWidget(self.team_label)

        self.model = DocumentListModel(annotations, self)
        self.table = row_table(self.model, "document_table", self)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(0, 44)
        header.resizeSection(2, 82)
        header.resizeSection(3, 44)
        layout.addWidget(self.table, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(FILTER_DELAY_MS)
        self._debounce.timeout.connect(self._apply_filter)
        # Row refreshes after a change are coalesced and wait for the article to repaint first.
        self._pending: set[int] = set()
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(50)
        self._refresh.timeout.connect(self._on_refresh_timeout)
        self.text_edit.textChanged.connect(self._on_text_edit_text_changed)
        self.status_combo.currentIndexChanged.connect(self._on_status_combo_current_index_changed)
        self.table.activated.connect(self._on_table_activated)
        self.table.clicked.connect(self._on_table_activated)
        self._apply_filter()

    # -- following the window ----------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # the dock's first width
        return QSize(290, 600)

    def set_current(self, document_id: int) -> None:
        self._current = document_id
        if self.model.queue_filter and self.model.row_of(document_id) is None and not self.model.text_filter:
            self.model.reload()  # an open document handed out joins the end of the queue
        self._select_current()

    def on_changes(self, changes: Changes) -> None:
        if changes.documents_added or changes.labels:
            self._apply_filter()
            return
        if changes.documents:
            self._pending.update(changes.documents)
            self._refresh.start()

    def _on_refresh_timeout(self) -> None:
        pending, self._pending = frozenset(self._pending), set()
        self.model.refresh_documents(pending)
        self._select_current()
        self._update_counts()

    def _select_current(self) -> None:
        if self._current is None:
            return
        row = self.model.row_of(self._current)
        pages = 0
        while row is None and self.model.canFetchMore(QModelIndex()) and pages < MAX_PAGES_TO_FIND_CURRENT:
            self.model.fetchMore(QModelIndex())
            row = self.model.row_of(self._current)
            pages += 1
        if row is None:
            self.table.clearSelection()
            return
        blocked = self.table.selectionModel().blockSignals(True)
        self.table.selectRow(row)
        self.table.selectionModel().blockSignals(blocked)
        self.table.scrollTo(self.model.index(row, 1), QAbstractItemView.ScrollHint.EnsureVisible)

    # -- filtering ---------------------------------------------------------------------------------
    def _on_text_edit_text_changed(self, _text: str) -> None:
        self._debounce.start()

    def _on_status_combo_current_index_changed(self, _index: int) -> None:
        self._apply_filter()

    def _apply_filter(self) -> None:
        self._debounce.stop()
        value = self.status_combo.currentData()
        queue = value == QUEUE
        status, text = (Status(value) if value and not queue else None), self.text_edit.text().strip()
        if not text:
            self._searches += 1
            self.model.set_filter(status, "", queue=queue)
            self._select_current()
            self._update_counts()
            return
        # Words are looked for in every text (a full scan on a large project): off the GUI thread.
        self._searches += 1
        search = self._searches
        self.counts_label.setText("searching…")

        # The first page shows as soon as it is found (the walk in reading order stops after one page);
        # the count of every match, a scan of all texts, follows in a second task.
        def page_work(_task: Task) -> list[DocumentListItem]:
            if search != self._searches:
                return []  # the user typed on before this started
            return self.model.read_first_page(status, text, queue=queue)

        def count_work(_task: Task) -> int:
            if search != self._searches:
                return -1
            return self._annotations.count_documents(status=status, text=text, queue=queue)

        self._runner.submit("filter", page_work,
                            on_done=lambda page: self._on_page_found(search, status, text, page, queue),
                            on_error=lambda e: self.counts_label.setText(str(e)))
        self._runner.submit("filter-count", count_work, on_done=lambda n: self._on_count_found(search, n),
                            on_error=lambda e: self.counts_label.setText(str(e)))

    def _on_page_found(self, search: int, status: Status | None, text: str, page: list[DocumentListItem],
                       queue: bool) -> None:
        if search != self._searches:
            return  # the user typed on: a newer search is on its way
        self.model.set_filter(status, text, page, queue=queue)
        self._select_current()
        self.counts_label.setText(f"{len(page):,}{'+' if self.model.canFetchMore(QModelIndex()) else ''} "
                                  "shown · counting…")

    def _on_count_found(self, search: int, shown: int) -> None:
        if search != self._searches:
            return
        self._text_shown = shown
        self._update_counts(shown)

    def _update_counts(self, shown: int | None = None) -> None:
        progress = self._annotations.progress()
        status, text, queue = self.model.status_filter, self.model.text_filter, self.model.queue_filter
        team = self._annotations.team_progress() if self._lead or queue else {}
        if shown is None:
            # a text count is a full scan: it comes from the background search, not from here
            if text:
                shown = self._text_shown
            elif queue:
                shown = self._annotations.count_documents(status=status, queue=True)
            else:
                shown = progress.total if status is None else progress.counts[status]
        mine = team.get(self._annotations.annotator)
        if queue and mine is not None:  # the figures of the queue the annotator works through
            self.counts_label.setText(f"{shown:,} shown · {mine['assigned'] - mine['done']:,} left in my queue · "
                                      f"{mine['done']:,} of {mine['assigned']:,} done")
        else:
            self.counts_label.setText(f"{shown:,} shown · {progress.left:,} left to do · "
                                      f"{progress.done:,} of {progress.total:,} done")
        self.team_label.setVisible(self._lead and bool(team))
        if self._lead and team:
            self.team_label.setText("Team: " + " · ".join(f"{name} {p['done']:,}/{p['assigned']:,} done"
                                                          for name, p in team.items()))

    def _on_table_activated(self, index: QModelIndex) -> None:
        document_id = self.model.data(index, ID_ROLE)
        if document_id is not None and document_id != self._current:
            self.document_requested.emit(document_id)
