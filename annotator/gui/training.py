"""Training from the window: one training at a time on a worker of its own, and retraining every N documents.

The training runs on its own worker thread, not the window's task runner: a run takes minutes, and the window's
database work (imports, exports, warming the tokenizer) must not wait behind it. Progress, the result and errors
travel back as queued signals; nothing here touches a widget from the worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtWidgets import QWidget

from annotator.domain.documents import Changes
from annotator.errors import AnnotatorError
from annotator.gui.tasks import Task, TaskRunner
from annotator.services.trained_models import use_trained
from annotator.services.workspace import Workspace

if TYPE_CHECKING:  # spaCy's training code stays off the window's start-up path: imported when first needed
    from annotator.services import training

CHART_FILE = "learning-curve.png"  # drawn into the model's folder, beside the model it describes
NOTICE_MS = 15000


def _int(store: QSettings, key: str, default: int) -> int:
    try:
        return int(str(store.value(key, default)))
    except ValueError:  # a hand-edited .ini file
        return default


class TrainingSettings:
    """The training dialog's choices, kept in QSettings: steps, the learning curve, and retraining every N
    finished documents (0: never)."""

    MAX_STEPS = "training/max_steps"
    CURVE = "training/curve"
    RETRAIN_EVERY = "training/retrain_every"

    def __init__(self, store: QSettings) -> None:
        self.store = store

    @property
    def max_steps(self) -> int:
        from annotator.services.training import DEFAULT_MAX_STEPS

        return max(1, _int(self.store, self.MAX_STEPS, DEFAULT_MAX_STEPS))

    @max_steps.setter
    def max_steps(self, steps: int) -> None:
        self._set(self.MAX_STEPS, int(steps))

    @property
    def curve(self) -> bool:
        return str(self.store.value(self.CURVE, "true")).strip().lower() not in ("false", "0", "no", "off")

    @curve.setter
    def curve(self, on: bool) -> None:
        self._set(self.CURVE, "true" if on else "false")

    @property
    def retrain_every(self) -> int:
        return max(0, _int(self.store, self.RETRAIN_EVERY, 0))

    @retrain_every.setter
    def retrain_every(self, documents: int) -> None:
        self._set(self.RETRAIN_EVERY, max(0, int(documents)))

    def _set(self, key: str, value: object) -> None:
        self.store.setValue(key, value)
        self.store.sync()


class Trainer(QObject):
    """Runs one training at a time in the background; the project's latest model becomes the `trained` source."""

    started = Signal(bool)  # automatic: started by the retrain rule rather than by the user
    progressed = Signal(object)  # Progress
    finished = Signal(object)  # TrainingResult
    failed = Signal(object)  # AnnotatorError; TrainingCancelledError after Cancel

    def __init__(self, ws: Workspace, project: str, annotator: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ws, self._project, self._annotator = ws, project, annotator
        self._runner = TaskRunner(self)
        self._cancel: threading.Event | None = None
        self.automatic = False
        self.model_folder: Path | None = use_trained(project)  # a model from an earlier session serves at once

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def start(self, *, layer: str | None, max_steps: int, curve: bool, automatic: bool = False) -> bool:
        """Start a training of the layer (None: gold once the project has it, else this person's); False when one
        is running already."""
        if self.running:
            return False
        cancel = self._cancel = threading.Event()
        self.automatic = automatic
        ws, project, annotator = self._ws, self._project, self._annotator

        def work(_task: Task) -> training.TrainingResult:
            from annotator.services import training

            data = training.training_data(ws, project=project, layer=layer, fallback=annotator, curve=curve)
            result = training.train(data, curve=curve, max_steps=max_steps, progress=self.progressed.emit,
                                    cancel=cancel)
            use_trained(project)  # the new model replaces the `trained` source
            return result

        self._runner.submit("train", work, on_done=self._on_done, on_error=self._on_error)
        self.started.emit(automatic)
        return True

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def shutdown(self) -> None:
        self.cancel()
        self._runner.shutdown()

    def _on_done(self, result: training.TrainingResult) -> None:
        self._cancel = None
        self.model_folder = result.model.path
        self.finished.emit(result)

    def _on_error(self, error: AnnotatorError) -> None:
        self._cancel = None
        self.failed.emit(error)


class WindowTraining(QObject):
    """What the main window holds: the trainer, its settings, the dialog, and the retrain-every-N rule."""

    def __init__(self, ws: Workspace, runner: TaskRunner, *, project: str, annotator: str, store: QSettings,
                 notice: Callable[[str, int], None], parent: QWidget) -> None:
        super().__init__(parent)
        self._ws, self._runner, self._project, self._annotator = ws, runner, project, annotator
        self._notice = notice
        self._parent = parent
        self.settings = TrainingSettings(store)
        self.trainer = Trainer(ws, project, annotator, self)
        self.trainer.finished.connect(self._on_trainer_finished)
        self.trainer.failed.connect(self._on_trainer_failed)

    def open_dialog(self) -> None:
        from annotator.gui.dialogs.training_dialog import TrainingDialog
        from annotator.services import training

        def show(found: tuple[list[training.LayerOption], int]) -> None:
            dialog = self._parent.findChild(TrainingDialog)
            if dialog is None or not dialog.isVisible():  # a closed one may still wait for its deleteLater
                dialog = TrainingDialog(self.trainer, self.settings, found[0], found[1], self._parent)
                dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.show()
            dialog.raise_()
            dialog.activateWindow()

        # The layers' span counts read every span of the project: on the worker, then the dialog.
        self._runner.submit("training layers", lambda _task: training.layer_options(self._ws, self._project,
                                                                                     self._annotator),
                            on_done=show, on_error=self._show_error)

    def on_changes(self, changes: Changes) -> None:
        """A document marked done may make the retrain rule due: counted on the worker, started when reached."""
        every = self.settings.retrain_every
        if not changes.statuses or every <= 0 or self.trainer.running:
            return
        # The training service is imported only when a retraining may be due.
        from annotator.services.training import documents_since_training

        def counted(since: int) -> None:
            if since >= every and not self.trainer.running:
                self.trainer.start(layer=None, max_steps=self.settings.max_steps, curve=False, automatic=True)
                self._notice(f"Training a new model in the background: {since} document(s) finished since the "
                             "last one", NOTICE_MS)

        self._runner.submit("count since training", lambda _task: documents_since_training(
            self._ws, project=self._project, annotator=self._annotator), on_done=counted,
            on_error=lambda _error: None)  # the count only decides whether to train; the next change asks again

    def shutdown(self) -> None:
        self.trainer.shutdown()

    def _on_trainer_finished(self, result: training.TrainingResult) -> None:
        self._notice(f"The new model (F {result.model.overall.f:.2f} on {len(result.data.held_out)} held-back "
                     "document(s)) is the trained suggestion source now", NOTICE_MS)

    def _on_trainer_failed(self, error: AnnotatorError) -> None:
        if self.trainer.automatic:  # nobody asked for this run: a line in the status bar, not a dialog
            self._notice(f"The automatic training stopped: {error}", NOTICE_MS)

    def _show_error(self, error: AnnotatorError) -> None:
        from annotator.gui import messages

        messages.show_error(self._parent, error)
