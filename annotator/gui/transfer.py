"""Import and export from the window: in the background, with a progress dialog that can cancel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from annotator.domain.documents import Changes
from annotator.errors import AnnotatorError
from annotator.gui import messages
from annotator.gui.tasks import Task, TaskRunner

if TYPE_CHECKING:  # every format's reader and writer is imported by the first import or export, not at start-up
    from annotator.gui.dialogs.export_dialog import ExportOptions
    from annotator.services.annotation import Annotations
    from annotator.services.exporting import ExportSummary
    from annotator.services.importing import ImportSummary
    from annotator.services.workspace import Workspace


class Transfers(QObject):
    changes_made = Signal(object)  # Changes: documents were added
    import_finished = Signal(object)  # ImportSummary, or None when cancelled or failed
    export_finished = Signal(object)  # ExportSummary, or None

    def __init__(self, ws: Workspace, annotations: Annotations, project: str, annotator: str, runner: TaskRunner,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self._ws = ws
        self._annotations = annotations
        self._project = project
        self._annotator = annotator
        self._runner = runner
        self._parent = parent

    def _progress_dialog(self, title: str, cancellable: bool) -> QProgressDialog:
        dialog = QProgressDialog(title, "Cancel" if cancellable else "", 0, 0, self._parent)
        dialog.setObjectName("progress_dialog")
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not cancellable:
            dialog.setCancelButton(None)
        return dialog

    @staticmethod
    def _close(dialog: QProgressDialog) -> None:
        dialog.close()
        dialog.deleteLater()

    def _count(self) -> int:
        try:
            return self._annotations.count_documents()
        except AnnotatorError:
            return 0

    # -- import ------------------------------------------------------------------------------------
    def start_import(self, paths: Sequence[str | Path], fmt: str = "auto") -> Task:
        """Import in the background; the folders are walked there too (a walk can take long, or loop)."""
        from annotator.services.importing import Cancelled, import_paths

        dialog = self._progress_dialog("Importing", cancellable=True)
        before = self._count()
        ws, project, who = self._ws, self._project, self._annotator
        files = [0]  # set on the worker before its first progress report, read here after it

        def found(count: int, task: Task) -> None:
            files[0] = count
            task.report(0, 0, "")

        def work(task: Task) -> ImportSummary:
            return import_paths(ws, paths, project=project, annotator=who, fmt=fmt,
                                progress=lambda read, done, current: task.report(done, read, current),
                                cancelled=task.cancelled, inputs_found=lambda count: found(count, task))

        def progressed(files_done: int, documents_read: int, current: str) -> None:
            dialog.setMaximum(max(files[0], 1))
            dialog.setValue(files_done)
            name = Path(current).name if current else ""
            dialog.setLabelText(f"{documents_read:,} documents read · file {min(files_done + 1, files[0])} of "
                                f"{files[0]}\n{name}")

        def done(summary: ImportSummary) -> None:
            self._close(dialog)
            added = summary.total("documents_added")
            self.changes_made.emit(Changes(documents_added=added, labels=bool(summary.labels_added)))
            lines = summary.lines() + [f"not imported: {error}" for error in summary.errors]  # as the CLI says
            lines += [f"skipped: {skipped}" for skipped in summary.skipped]
            messages.show_lines(self._parent, "Import", lines, problem=bool(summary.errors))
            self.import_finished.emit(summary)

        def failed(error: AnnotatorError) -> None:
            self._close(dialog)
            if not isinstance(error, Cancelled):
                messages.show_error(self._parent, error)
            added = self._count() - before  # the files before the one cancelled or failed are in
            if added:
                self.changes_made.emit(Changes(documents_added=added))
            self.import_finished.emit(None)

        task = self._runner.submit("import", work, on_done=done, on_error=failed, on_progress=progressed)
        dialog.canceled.connect(task.cancel)
        return task

    # -- export ------------------------------------------------------------------------------------
    def start_export(self, options: ExportOptions) -> Task:
        from annotator.services.exporting import export

        dialog = self._progress_dialog("Exporting", cancellable=False)
        ws, project = self._ws, self._project
        who = self._annotator if options.only_mine else None

        def work(task: Task) -> ExportSummary:
            return export(ws, fmt=options.fmt, out=options.out, project=project, annotator=who, layer=options.layer,
                          align=options.align, only_done=options.only_done, replace=options.replace,
                          progress=lambda n, total: task.report(n, total, ""))

        def progressed(n: int, total: int, _text: str) -> None:
            dialog.setMaximum(total)
            dialog.setValue(n)
            dialog.setLabelText(f"{n:,} of {total:,} documents")

        def finished(show: Callable[[], None], summary: ExportSummary | None) -> None:
            self._close(dialog)
            show()
            self.export_finished.emit(summary)

        def done(summary: ExportSummary) -> None:
            finished(lambda: messages.show_lines(self._parent, "Export", summary.lines()), summary)

        def failed(error: AnnotatorError) -> None:
            finished(lambda: messages.show_error(self._parent, error), None)

        return self._runner.submit("export", work, on_done=done, on_error=failed, on_progress=progressed)
