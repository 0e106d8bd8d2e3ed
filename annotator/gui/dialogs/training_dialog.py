"""Annotate > Train a model…: which layer, how many steps, the learning curve and the retrain rule; then the
progress (step, loss, F) with Cancel, and at the end the scores per label and the learning curve chart.

The dialog is not modal: the training runs on the trainer's worker and the annotator may keep working in the
window (or close the dialog; the status bar says when the new model is ready).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from annotator.errors import AnnotatorError, TrainingCancelledError
from annotator.gui.training import CHART_FILE, Trainer, TrainingSettings
from annotator.services.training import LayerOption, Progress, TrainingResult, curve_series, summary_lines

MAX_STEPS = 100_000
CHART_WIDTH = 600


class TrainingDialog(QDialog):
    def __init__(self, trainer: Trainer, settings: TrainingSettings, layers: Sequence[LayerOption], default: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("training_dialog")
        self.setWindowTitle("Train a model")
        self._trainer, self._settings = trainer, settings
        self.layer_combo = QComboBox(self)
        for option in layers:
            self.layer_combo.addItem(option.text, option.layer)
        self.layer_combo.setCurrentIndex(default)
        self.steps = QSpinBox(self)
        self.steps.setRange(1, MAX_STEPS)
        self.steps.setValue(min(settings.max_steps, MAX_STEPS))
        self.curve = QCheckBox("also train on 25, 50 and 75 % of the documents (takes 3 more trainings)", self)
        self.curve.setChecked(settings.curve)
        self.retrain = QSpinBox(self)
        self.retrain.setRange(0, 10_000)
        self.retrain.setSpecialValueText("never")
        self.retrain.setSuffix(" finished documents")
        self.retrain.setValue(settings.retrain_every)
        self.retrain.setToolTip("Counted from the last training; the window trains in the background when reached")
        form = QFormLayout()
        form.addRow("Train on", self.layer_combo)
        form.addRow("Steps", self.steps)
        form.addRow("Learning curve", self.curve)
        form.addRow("Retrain every", self.retrain)

        self.progress = QProgressBar(self)
        self.progress.setObjectName("training_progress")
        self.progress.setFormat("%v of %m steps")
        self.state = QLabel("A span categorizer learns the layer's finished documents; a fifth is held back to "
                            "score it.", self)
        self.state.setObjectName("training_state")
        self.state.setWordWrap(True)
        self.scores = QPlainTextEdit(self)
        self.scores.setObjectName("training_scores")
        self.scores.setReadOnly(True)
        self.scores.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.scores.setMinimumHeight(160)
        self.chart = QLabel(self)
        self.chart.setObjectName("training_chart")
        self.chart.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.chart.hide()

        buttons = QDialogButtonBox(self)
        self.train_button = QPushButton("&Train", self)
        self.train_button.setObjectName("train_button")
        self.cancel_button = QPushButton("Cancel training", self)
        self.cancel_button.setObjectName("cancel_training_button")
        buttons.addButton(self.train_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.close)
        self.train_button.clicked.connect(self._on_train_clicked)
        self.cancel_button.clicked.connect(trainer.cancel)
        self.retrain.valueChanged.connect(self._on_retrain_value_changed)
        self.steps.valueChanged.connect(self._on_steps_value_changed)
        self.curve.toggled.connect(self._on_curve_toggled)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.state)
        layout.addWidget(self.scores, 1)
        layout.addWidget(self.chart)
        layout.addWidget(buttons)
        self.setMinimumWidth(CHART_WIDTH + 60)

        trainer.started.connect(self._on_trainer_started)
        trainer.progressed.connect(self._on_trainer_progressed)
        trainer.finished.connect(self._on_trainer_finished)
        trainer.failed.connect(self._on_trainer_failed)
        self._set_running(trainer.running)

    def _set_running(self, running: bool) -> None:
        for widget in (self.layer_combo, self.steps, self.curve, self.train_button):
            widget.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def _on_train_clicked(self) -> None:
        self._trainer.start(layer=self.layer_combo.currentData(), max_steps=self.steps.value(),
                            curve=self.curve.isChecked())

    def _on_retrain_value_changed(self, documents: int) -> None:
        self._settings.retrain_every = documents

    def _on_steps_value_changed(self, steps: int) -> None:
        self._settings.max_steps = steps  # the retrain rule trains with these steps too

    def _on_curve_toggled(self, on: bool) -> None:
        self._settings.curve = on

    def _on_trainer_started(self, automatic: bool) -> None:
        self._set_running(True)
        self.scores.clear()
        self.chart.hide()
        self.progress.setRange(0, 0)  # busy until the first step: reading the documents, building the corpus
        self.progress.setFormat("%v of %m steps")
        self.state.setText("Started by the retrain rule: reading the documents…" if automatic
                           else "Reading the documents…")

    def _on_trainer_progressed(self, p: Progress) -> None:
        if self.progress.maximum() != p.max_steps:
            self.progress.setRange(0, p.max_steps)
        self.progress.setValue(p.step)
        score = "" if p.score is None else f" · F {p.score:.2f}"
        self.state.setText(f"{p.stage}: step {p.step} of {p.max_steps} · loss {p.loss:.2f}{score}")

    def _on_trainer_finished(self, result: TrainingResult) -> None:
        self._set_running(False)
        self.progress.setRange(0, max(result.model.steps, 1))
        self.progress.setValue(result.model.steps)
        self.state.setText(f"Done: F {result.model.overall.f:.2f} overall. The model is the suggestion source "
                           "'trained' now.")
        self.scores.setPlainText("\n".join(summary_lines(result)))
        if result.curve and result.model.path is not None:
            self._show_chart(result)

    def _show_chart(self, result: TrainingResult) -> None:
        from annotator.gui.charts import PALETTE, line_chart_png

        assert result.model.path is not None
        labels = result.data.labels
        try:
            path = line_chart_png(result.model.path / CHART_FILE, curve_series(result), y_range=(0.0, 1.0),
                                  colours={label: PALETTE[n % len(PALETTE)] for n, label in enumerate(labels)},
                                  title=f"Learning curve: F per label on {len(result.data.held_out)} held-back "
                                        "documents", x_label="training documents", y_label="F (held-back documents)")
        except OSError as e:  # the model is saved; only its picture is missing
            self.state.setText(f"{self.state.text()} The chart could not be written: {e}")
            return
        self.chart.setPixmap(QPixmap(str(path)).scaledToWidth(CHART_WIDTH,
                                                              Qt.TransformationMode.SmoothTransformation))
        self.chart.show()

    def _on_trainer_failed(self, error: AnnotatorError) -> None:
        self._set_running(False)
        if self.progress.maximum() == 0:  # stopped before its first step: no count of steps to show
            self.progress.setRange(0, 1)
            self.progress.setFormat("")
        self.state.setText("Cancelled: no model was written." if isinstance(error, TrainingCancelledError)
                           else str(error))
