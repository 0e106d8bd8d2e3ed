"""The main window: assembles the parts, builds the actions from the table and wires signals. No logic of its own."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QMessageBox, QVBoxLayout, QWidget

from annotator import APP_NAME, __version__
from annotator.domain.documents import Changes, Document, Status
from annotator.domain.layers import Owner
from annotator.errors import AnnotatorError, DatabaseLockedError
from annotator.gui import actions, messages
from annotator.gui.link_mode import LinkMode
from annotator.gui.models import layer_name
from annotator.gui.review_mode import ReviewMode
from annotator.gui.session import DocumentSession
from annotator.gui.settings import GuiSettings, Theme, apply_theme
from annotator.gui.span_edges import SpanEdges
from annotator.gui.suggestion_desk import SuggestionDesk, SuggestionKeys
from annotator.gui.tasks import AFTER_FIRST_PAINT_MS, TaskRunner
from annotator.gui.training import WindowTraining
from annotator.gui.transfer import Transfers
from annotator.gui.widgets.article_view import ArticleView, ReadingPlaces
from annotator.gui.widgets.document_list import DocumentList
from annotator.gui.widgets.find_bar import FindBar
from annotator.gui.widgets.label_bar import LabelBar
from annotator.gui.widgets.span_panel import SpanPanel
from annotator.gui.widgets.status_line import StatusLine
from annotator.services.annotation import Annotations
from annotator.services.workspace import Workspace, ensure_project

if TYPE_CHECKING:  # the dialogs (and the services behind them) are imported when they first open, after start-up
    from annotator.gui.dashboard import Dashboards
    from annotator.services.export_layers import LayerOption


def last_document_key(project: str) -> str:
    return f"last_document/{project}"


def owner_key(owner: Owner) -> str:
    """How a layer is named in the settings: kind and name, so that a person called "rules" is not the model."""
    return f"{owner.kind.value}:{owner.name}"


# How long a key press may wait for another program's write before the window says "busy" instead. Longer
# waits freeze the window: its writes run on the GUI thread, each a few milliseconds when nobody else writes.
WINDOW_BUSY_TIMEOUT_MS = 250
BUSY_NOTICE_MS = 10000


class MainWindow(QMainWindow):
    changes_made = Signal(object)  # Changes: every view refreshes what it shows of them

    def __init__(self, ws: Workspace, *, project: str, annotator: str, settings: QSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self.ws = ws  # imports and exports run on the worker, where waiting for a lock freezes nothing
        self.window_ws = ws.waiting_at_most(WINDOW_BUSY_TIMEOUT_MS)  # what key presses write through
        self.project = project
        self.settings = settings
        self.gui_settings = GuiSettings(settings)
        self.annotations = Annotations(self.window_ws, ensure_project(ws, project).id, annotator)
        self.session = DocumentSession(self.annotations, self.show_error, self)
        self.runner = TaskRunner(self)
        self._tokenizer_started = False
        self.transfers = Transfers(ws, self.annotations, project, annotator, self.runner, self)

        self.article = ArticleView(self.session, self)
        self.places = ReadingPlaces(settings, project)
        self.label_bar = LabelBar(self.session.labels, self)
        self.find_bar = FindBar(self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.label_bar)
        layout.addWidget(self.article, 1)
        layout.addWidget(self.find_bar)
        self.setCentralWidget(central)
        self.document_list = DocumentList(self.annotations, self.runner, self)
        self.span_panel = SpanPanel(self.session, self)
        self._dock(self.document_list, "Documents", Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock(self.span_panel, "Spans", Qt.DockWidgetArea.RightDockWidgetArea)
        self.status = StatusLine(self.statusBar(), annotator, self)
        self.dashboards: Dashboards | None = None  # made by the first Ctrl+D
        self.review_mode = ReviewMode(self.session, self.article, self.window_ws, self.annotations.project_id,
                                      annotator, self.status.notice, self.show_error, self)
        self.link_mode = LinkMode(self.session, self.article)
        self.training = WindowTraining(ws, self.runner, project=project, annotator=annotator, store=settings,
                                       notice=self.status.notice, parent=self)
        self.suggestions = SuggestionDesk(self.window_ws, self.session, self.runner, settings, project,
                                          self.status.notice, self)
        self.suggestion_keys = SuggestionKeys(self.suggestions, self.article, self.status.notice)
        self.span_edges = SpanEdges(self.session, self.suggestions, self.suggestion_keys, self.article,
                                    self.status.notice, self)

        self.specs = actions.all_specs(self.session.labels)
        # Not `self.actions`: that would hide QWidget.actions().
        self.actions_by_id = self._build_actions()
        self.review_mode.bind(self.actions_by_id)
        self.link_mode.install()
        self._wire()
        self._apply_appearance()
        self.setAcceptDrops(True)
        self.setWindowTitle(APP_NAME)
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 900)
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)

    def _dock(self, widget: QWidget, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{widget.objectName()}")
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_actions(self) -> dict[str, QAction]:
        handlers: dict[str, Callable[[], object]] = {
            "file.import_files": self._import_files, "file.import_folder": self._import_folder,
            "file.export": self._export, "file.quit": self.close,
            "edit.find": self.find_bar.open_bar, "edit.find_next": self._find_next,
            "edit.settings": self._show_settings,
            "span.next": lambda: self._jump(forward=True), "span.previous": lambda: self._jump(forward=False),
            "span.remove": self._remove_at_caret, "annotate.train": self.training.open_dialog,
            "doc.done_next": lambda: self.session.finish(Status.DONE),
            "doc.skip": lambda: self.session.finish(Status.SKIPPED),
            "doc.next": lambda: self.session.go(forward=True), "doc.previous": lambda: self.session.go(forward=False),
            "link.mode": self.link_mode.enter, "span.figure": self._edit_figure, "go.claims": self._show_claims,
            "help.shortcuts": self._show_shortcuts, "help.about": self._show_about,
            "team.dashboard": self._open_dashboard, **self.review_mode.handlers(),
        }
        handlers.update(self._label_handlers())
        handlers.update(self.suggestion_keys.handlers())
        handlers.update(self.span_edges.handlers())
        premade = self._undo_actions()
        handlers.update({"edit.undo": self.session.undo, "edit.redo": self.session.redo})
        made = actions.build(self.specs, handlers, window=self, article=self.article, premade=premade)
        self._menus = {name: self.menuBar().addMenu(f"&{name}") for name in actions.MENUS}
        for s in self.specs:
            self._menus[s.menu].addAction(made[s.id])
        self.suggestion_keys.install(made)
        self._menus["Suggest"].aboutToShow.connect(self._show_source_items)
        self._show_source_items()
        return made

    def _show_source_items(self) -> None:
        """The Suggest menu's sources, each switched on or off (remembered); a switched-off source is not run or
        shown. Made again when the menu opens: a source that `annotator suggest` ran since joins the list."""
        menu = self._menus["Suggest"]
        for action in [a for a in menu.actions() if a.objectName().startswith("suggest.source.") or
                       a.objectName() == "suggest.sources"]:
            menu.removeAction(action)
            action.deleteLater()
        menu.addSeparator().setObjectName("suggest.sources")
        off = self.suggestions.switched_off()
        for name in self.suggestions.known_sources():
            action = menu.addAction(f"Suggestions from {name}")
            action.setObjectName(f"suggest.source.{name}")
            action.setCheckable(True)
            action.setChecked(name not in off)
            action.toggled.connect(partial(self.suggestions.set_source, name))

    def _undo_actions(self) -> dict[str, QAction]:
        """Undo and redo go through the session, which saves first (the stack's own actions would move first).

        They follow the undo group, whose active stack is the shown document's history.
        """
        group = self.session.undo_group
        undo, redo = QAction(self), QAction(self)
        undo.setEnabled(group.canUndo())
        redo.setEnabled(group.canRedo())
        group.canUndoChanged.connect(undo.setEnabled)
        group.canRedoChanged.connect(redo.setEnabled)
        group.undoTextChanged.connect(lambda text: undo.setText(f"&Undo {text}".strip()))
        group.redoTextChanged.connect(lambda text: redo.setText(f"&Redo {text}".strip()))
        return {"edit.undo": undo, "edit.redo": redo}

    def _label_handlers(self) -> dict[str, Callable[[], None]]:
        return {actions.label_action_id(label.name): partial(self.tag, label.name) for label in self.session.labels}

    def _rebuild_label_actions(self) -> None:
        annotate = self._menus["Annotate"]
        for action_id in [i for i in self.actions_by_id if actions.is_label_action(i)]:
            action = self.actions_by_id.pop(action_id)
            annotate.removeAction(action)
            self.article.removeAction(action)
            action.deleteLater()
        self.specs = actions.all_specs(self.session.labels)
        made = actions.build(actions.label_specs(self.session.labels), self._label_handlers(), window=self,
                             article=self.article)
        annotate.insertActions(self.actions_by_id["span.next"], list(made.values()))
        self.actions_by_id.update(made)

    def _wire(self) -> None:
        self.session.changes_made.connect(self.changes_made)
        self.transfers.changes_made.connect(self.changes_made)
        self.changes_made.connect(self.article.on_changes)
        self.changes_made.connect(self.span_panel.on_changes)
        self.changes_made.connect(self.document_list.on_changes)
        self.changes_made.connect(self._on_changes_made)
        self.changes_made.connect(self.training.on_changes)
        self.suggestions.suggestions_changed.connect(self._on_suggestions_changed)
        self.changes_made.connect(self.suggestions.on_changes)
        self.training.trainer.finished.connect(lambda _result: self.suggestions.refresh())  # its ghosts, at once
        self.session.document_opened.connect(self._on_session_document_opened)
        self.review_mode.toggled.connect(self._on_review_mode_toggled)
        self.session.notice_posted.connect(self.status.notice)
        self.link_mode.notice_posted.connect(self.status.notice)
        self.article.selection_changed.connect(self._on_article_selection_changed)
        self.article.relabel_requested.connect(self.session.relabel)
        self.article.remove_requested.connect(self.session.remove)
        self.article.help_requested.connect(self._show_shortcuts)
        self.label_bar.label_requested.connect(self.tag)
        self.document_list.document_requested.connect(self._on_document_list_document_requested)
        self.span_panel.span_requested.connect(self._on_span_panel_span_requested)
        self.span_edges.span_selected.connect(self.span_panel.mark)
        self.span_panel.range_requested.connect(self.article.select_range)
        self.find_bar.search_changed.connect(self._on_find_bar_search_changed)
        self.find_bar.next_requested.connect(self._on_find_bar_next_requested)
        self.find_bar.closed.connect(self.focus_article)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_style_hints_color_scheme_changed)

    # -- starting ----------------------------------------------------------------------------------
    def start(self, document_id: int | None = None) -> None:
        """Open `document_id`, else the last one opened in this project, else the first to do."""
        if document_id is None:
            remembered = self.settings.value(last_document_key(self.project))
            document_id = int(remembered) if remembered not in (None, "") else None
        if document_id is not None and not self._belongs(document_id):
            document_id = None
        if document_id is None:
            document_id = self.annotations.first_document()
        if document_id is not None:
            self.session.open_document(document_id)
        self.focus_article()
        self.status.notice("Select words (or put the caret in one) and press a label key; the same key again "
                           "removes it. F1 lists every key.", 15000)

    def _belongs(self, document_id: int) -> bool:
        try:
            return self.annotations.in_project(document_id)
        except AnnotatorError:
            return False

    def focus_article(self) -> None:
        self.article.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_error(self, error: AnnotatorError) -> None:
        if isinstance(error, DatabaseLockedError):  # said at once and nothing to dismiss: the key can be pressed again
            self.status.notice(str(messages.plain(error)), BUSY_NOTICE_MS)
            return
        messages.show_error(self, error)

    # -- tagging and moving between spans -----------------------------------------------------------
    def tag(self, label: str) -> None:
        if self.suggestion_keys.with_label(label):
            self.focus_article()
            return
        start, end = self.article.selection()
        meant = self.session.toggle_label(label, start, end)
        if meant is not None:
            self.article.select_range(*meant, centre=False)
        self.focus_article()

    def _jump(self, *, forward: bool) -> None:
        start, end = self.article.selection()
        span = self.session.neighbour_span(start, end, forward=forward)
        if span is None:
            self.status.notice("no more spans" if forward else "no span before this one")
            return
        self.article.select_range(span.start, span.end)
        self.span_panel.mark(span.id)

    def _remove_at_caret(self) -> None:
        start, end = self.article.selection()
        exact = [s for s in self.session.spans_over(start, end) if (s.start, s.end) == (start, end)] \
            if start != end else []
        under = exact or self.session.spans_at(start)
        innermost = min(under, key=lambda s: s.end - s.start).id if under else None
        if innermost is not None:  # the session's spans are stored ones: they all have ids
            self.session.remove(innermost)

    # -- links, figures, claims ----------------------------------------------------------------------
    def _edit_figure(self) -> None:
        start, end = self.article.selection()
        under = self.session.spans_over(start, end) if start != end else self.session.spans_at(start)
        figures = self.session.links.linking.figure_labels()
        span = next((s for s in under if s.label in figures), None)
        doc = self.session.document
        if span is None or span.id is None or doc is None:
            self.status.notice("put the cursor in a figure to edit its reading (Ctrl+Shift+F)")
            return
        from annotator.gui.dialogs.figure_dialog import FigureDialog

        dialog = FigureDialog(doc.text[span.start:span.end], self.session.links.figure(span.id) or {}, self)
        if dialog.exec() == FigureDialog.DialogCode.Accepted:
            with self.session.reporting():
                if self.session.links.set_figure(span.id, dialog.fields()):
                    self.status.notice("figure saved")
        self.focus_article()

    def _show_claims(self) -> None:
        from annotator.gui.dialogs.claims_table import ClaimsDialog

        dialog = self.findChild(ClaimsDialog)
        if dialog is None:
            dialog = ClaimsDialog(self.window_ws, self.project, self.runner, self)
            dialog.claim_requested.connect(self._on_claims_dialog_claim_requested)
        dialog.reload()
        dialog.show()
        dialog.table.resizeRowsToContents()
        dialog.raise_()
        dialog.activateWindow()

    def _open_dashboard(self) -> None:
        if self.dashboards is None:
            from annotator.gui.dashboard import Dashboards

            self.dashboards = Dashboards(self.ws, self.project, self.runner, self, self.show_error,
                                         self.status.notice)
        self.dashboards.open()

    def _on_claims_dialog_claim_requested(self, document_id: int, start: int, end: int) -> None:
        if document_id == self.session.document_id or self.session.open_document(document_id):
            self.article.select_range(start, end)
            self.activateWindow()
            self.focus_article()

    # -- reacting ----------------------------------------------------------------------------------
    def _remember_place(self) -> None:
        shown = self.article.place()
        if shown is not None:
            self.places.put(*shown)

    def _on_session_document_opened(self, document: Document) -> None:
        self._remember_place()  # of the document being left
        self.suggestions.show_for(document.id)  # before anything draws: a rejected ghost never shows, even briefly
        self._show_layer_menu()
        self.article.show_document(document, self.places.get(document.id))
        self.span_panel.show_document()
        self.label_bar.set_counts(self.session.counts())
        self.document_list.set_current(document.id)
        self.setWindowTitle(f"{document.display_title} — {APP_NAME}")
        self.settings.setValue(last_document_key(self.project), document.id)
        self._show_position()
        self.focus_article()
        # Tokenize in the background, so that the first key press does not wait for spaCy. The first time,
        # spaCy's import (~0.7 s of the GIL) waits until the window has been painted.
        # Not for a document left before its turn came: its 1 MB would hold the worker (and the GIL) ~0.1 s.
        warm = lambda: self.runner.submit("tokenize", lambda _task: self.annotations.token_bounds(document)  # noqa: E731
                                          if self.session.document_id == document.id else None)
        if self._tokenizer_started:
            warm()
        else:
            self._tokenizer_started = True
            QTimer.singleShot(AFTER_FIRST_PAINT_MS, warm)

    def _on_review_mode_toggled(self, on: bool) -> None:
        self._show_layer_menu()  # one's own layer is read-only in review mode, gold is not
        # Review takes Enter, Backspace, X, N and Shift+N for its candidates: two enabled actions on one key would
        # make Qt run neither.
        self.suggestion_keys.enabled = not on
        for action_id, action in self.actions_by_id.items():
            if action_id.startswith("suggest."):
                action.setEnabled(not on)
        self.span_panel.show_document()
        self.label_bar.set_counts(self.session.counts())

    def _on_changes_made(self, changes: Changes) -> None:
        if changes.labels:
            self._on_labels_changed()
        if self.session.document_id in changes.documents:
            self.label_bar.set_counts(self.session.counts())
            self._on_article_selection_changed(*self.article.selection())
        if changes.statuses or changes.documents_added:
            self._show_position()
        if changes.documents_added and self.session.document is None:
            self.start()

    def _on_labels_changed(self) -> None:
        self.session.reload_labels()
        if self.session.document_id is not None:  # the layers were read again: suggestions as this person sees them
            self.suggestions.show_for(self.session.document_id)
        self._rebuild_label_actions()
        self.article.show_labels()
        self.link_mode.set_labels()
        self.label_bar.set_labels(self.session.labels)
        self.label_bar.set_counts(self.session.counts())
        self.span_panel.show_document()

    def _show_position(self) -> None:
        doc = self.session.document
        try:
            progress = self.annotations.progress()
            number = self.annotations.position(doc.id) + 1 if doc else 0
        except AnnotatorError as e:
            self.show_error(e)
            return
        self.status.show_position(number, progress.total, progress.done)

    def _on_article_selection_changed(self, start: int, end: int) -> None:
        others = [f"{layer_name(owner)}: {span.label}" for owner, span in self.session.read_only_over(start, end)]
        self.status.show_caret_spans(self.session.spans_over(start, end), others)

    # -- the read-only layers (View menu) ----------------------------------------------------------
    def _show_layer_menu(self) -> None:
        """One checkable item per read-only layer of the open document; what is unchecked stays hidden."""
        menu = self._menus["View"]
        menu.clear()
        self._hide_layers(self.gui_settings.hidden_layers)
        if not self.session.layers:
            menu.addAction("No other layers in this document").setEnabled(False)
        for owner in self.session.layers:
            action = menu.addAction(f"Show {layer_name(owner)}'s spans")
            action.setObjectName(f"view.layer.{owner_key(owner)}")
            action.setCheckable(True)
            action.setChecked(owner not in self.session.hidden)
            action.toggled.connect(partial(self._on_layer_toggled, owner))

    def _hide_layers(self, keys: frozenset[str]) -> None:
        self.session.set_hidden(o for o in self.session.layers if owner_key(o) in keys)

    def _on_layer_toggled(self, owner: Owner, shown: bool) -> None:
        key, hidden = owner_key(owner), self.gui_settings.hidden_layers
        hidden = (hidden - {key}) if shown else (hidden | {key})
        self.gui_settings.hidden_layers = hidden
        self._hide_layers(hidden)
        self.span_panel.show_layers()
        self.article.viewport().update()
        self._on_article_selection_changed(*self.article.selection())

    def _on_suggestions_changed(self) -> None:
        self.span_panel.show_layers()
        self.article.viewport().update()
        self._on_article_selection_changed(*self.article.selection())

    def _on_document_list_document_requested(self, document_id: int) -> None:
        self.session.open_document(document_id)

    def _on_span_panel_span_requested(self, span_id: int) -> None:
        span = self.session.span(span_id)
        if span is not None:
            self.article.select_range(span.start, span.end)

    def _on_find_bar_search_changed(self, text: str) -> None:
        self.find_bar.show_result(self.article.find_text(text, from_start=True))

    def _on_find_bar_next_requested(self, text: str) -> None:
        self.find_bar.show_result(self.article.find_text(text, from_start=False))

    def _find_next(self) -> None:
        if self.find_bar.edit.text():
            self._on_find_bar_next_requested(self.find_bar.edit.text())
        else:
            self.find_bar.open_bar()

    # -- files -------------------------------------------------------------------------------------
    def _start_folder(self) -> str:
        return str(self.settings.value("last_folder", str(Path.home())))

    def _import_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import files", self._start_folder(),
                                                "Articles and annotations (*.txt *.html *.htm *.csv *.jsonl *.json "
                                                "*.ann *.conll *.spacy);;All files (*)")
        if paths:
            self.settings.setValue("last_folder", str(Path(paths[0]).parent))
            self.transfers.start_import(paths)

    def _import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import folder", self._start_folder())
        if folder:
            self.settings.setValue("last_folder", folder)
            self.transfers.start_import([folder])

    def _export(self) -> None:
        from annotator.gui.dialogs.export_dialog import ExportDialog
        from annotator.services.export_layers import layer_options

        # The layers' span counts read every span of the project: on the worker, then the dialog.
        def show(found: tuple[list[LayerOption], int]) -> None:
            dialog = ExportDialog(Path(self._start_folder()), self, layers=found[0], default=found[1])
            if dialog.exec() == ExportDialog.DialogCode.Accepted:
                self.transfers.start_export(dialog.options())

        self.runner.submit("export layers", lambda _task: layer_options(self.ws, self.project), on_done=show,
                           on_error=self.show_error)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.transfers.start_import(paths)

    # -- settings ----------------------------------------------------------------------------------
    def _show_settings(self) -> None:
        from annotator.gui.dialogs.settings_dialog import SettingsDialog

        dialog = self.findChild(SettingsDialog)
        if dialog is None or not dialog.isVisible():  # a closed one may still wait for its deleteLater
            dialog = SettingsDialog(self.gui_settings, self.window_ws, self.project, self.article.font(), self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.appearance_changed.connect(self._apply_appearance)
            dialog.labels_changed.connect(self._on_settings_dialog_labels_changed)
            dialog.finished.connect(self.focus_article)
            dialog.open()
        dialog.raise_()
        dialog.activateWindow()

    def _apply_appearance(self) -> None:
        look = self.gui_settings
        self.article.set_reading_font(look.font_family, look.font_size)
        dark = apply_theme(look.theme)
        self.article.set_dark(dark)
        self.label_bar.set_dark(dark)
        self.session.snap_to_tokens = look.snap_to_tokens

    def _on_settings_dialog_labels_changed(self) -> None:
        self.changes_made.emit(Changes(labels=True))

    def _on_style_hints_color_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.gui_settings.theme == Theme.SYSTEM:
            self._apply_appearance()

    # -- help and closing --------------------------------------------------------------------------
    def _show_shortcuts(self) -> None:
        from annotator.gui.dialogs.shortcuts import ShortcutSheet

        sheet = ShortcutSheet(self.specs, self)
        sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sheet.open()

    def _show_about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}",
                          f"{APP_NAME} {__version__}\nDatabase: {self.ws.where}\nProject: {self.project}")

    def closeEvent(self, event: QCloseEvent) -> None:
        try:
            self.session.leave()
        except AnnotatorError as e:
            messages.show_error(self, e)  # the status bar is going away with the window
        self._remember_place()
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()
        self.training.shutdown()
        self.runner.shutdown()
        self.suggestions.close()
        super().closeEvent(event)
