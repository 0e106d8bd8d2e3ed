"""Training from the window: Annotate > Train a model… runs in the background with progress, Cancel leaves no
model, the end shows the scores and the learning curve, the window keeps taking keys meanwhile, and the retrain
rule trains again after N finished documents. Small data, few steps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui_fixtures import (  # noqa: E402
    ANNOTATOR,
    PROJECT,
    TIMEOUT_MS,
    open_training_dialog,
    set_spin,
    stored,
    trained_project,
)
from PySide6.QtCore import Qt  # noqa: E402

from annotator.services.trained_models import TRAINED, models_folder, trained_model_for  # noqa: E402

pytestmark = pytest.mark.gui


def _back_to_the_article(qtbot: Any, window: Any) -> None:
    """As a user clicks into the article: the window, not the dialog, is active, and the article has the keys."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.article.setFocus()
    qtbot.waitUntil(window.article.hasFocus, timeout=5000)


def test_cancel_leaves_no_model_and_the_window_takes_keys_meanwhile(qtbot: Any, gui_ws: Any, tmp_path: Path,
                                                                     open_window: Any) -> None:
    ids = trained_project(gui_ws, tmp_path, 6, done=5)
    window = open_window(gui_ws, document_id=ids[5])
    dialog = open_training_dialog(qtbot, window)
    assert dialog.layer_combo.currentData() == ANNOTATOR and not dialog.cancel_button.isEnabled()
    set_spin(qtbot, dialog.steps, 100_000)
    if dialog.curve.isChecked():
        qtbot.mouseClick(dialog.curve, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.train_button, Qt.MouseButton.LeftButton)
    trainer = window.training.trainer
    qtbot.waitUntil(lambda: "step 2 of 100000" in dialog.state.text() or "step 3 " in dialog.state.text(),
                    timeout=TIMEOUT_MS)
    assert trainer.running and dialog.cancel_button.isEnabled() and not dialog.train_button.isEnabled()

    # The window is not blocked: a key press tags a span while the model trains.
    _back_to_the_article(qtbot, window)
    text = window.session.document.text
    place = text.rindex("Monday")
    window.article.select_range(place, place + len("Monday"))
    before = stored(gui_ws, ids[5])
    qtbot.keyClick(window.article, Qt.Key.Key_2)
    assert trainer.running
    assert set(stored(gui_ws, ids[5])) - set(before) == {("LOCATION", "Monday")}

    with qtbot.waitSignal(trainer.failed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.state.text() == "Cancelled: no model was written." and dialog.train_button.isEnabled()
    assert not trainer.running and trainer.model_folder is None
    folder = models_folder(PROJECT)
    assert not folder.exists() or list(folder.iterdir()) == []
    assert trained_model_for(PROJECT) is None


def test_a_finished_training_shows_scores_and_curve_and_becomes_the_trained_source(
        qtbot: Any, gui_ws: Any, tmp_path: Path, open_window: Any) -> None:
    from annotator.nlp.suggest import get_source

    ids = trained_project(gui_ws, tmp_path, 7, done=7)
    window = open_window(gui_ws, document_id=ids[0])
    dialog = open_training_dialog(qtbot, window)
    set_spin(qtbot, dialog.steps, 3)
    if not dialog.curve.isChecked():
        qtbot.mouseClick(dialog.curve, Qt.MouseButton.LeftButton)
    trainer = window.training.trainer
    with qtbot.waitSignal(trainer.finished, timeout=TIMEOUT_MS) as finished:
        qtbot.mouseClick(dialog.train_button, Qt.MouseButton.LeftButton)
    result = finished.args[0]
    lines = dialog.scores.toPlainText().splitlines()
    assert lines[0].startswith(f"trained on 6 document(s) of {ANNOTATOR}, scored on 1 held back; 3 steps")
    assert ["label", "P", "R", "F"] in [line.split() for line in lines]
    assert "learning curve (precision, recall and F on the held-back documents):" in lines
    assert dialog.state.text().startswith("Done: F ")
    assert dialog.chart.isVisible() and not dialog.chart.pixmap().isNull()
    assert (result.model.path / "learning-curve.png").is_file()
    assert trained_model_for(PROJECT) == result.model.path.resolve() == trainer.model_folder.resolve()
    assert get_source(TRAINED).name == str(result.model.path.resolve())
    assert "trained suggestion source now" in window.statusBar().currentMessage()
    assert dialog.grab().save(str(tmp_path / "training-dialog.png"))


def test_the_retrain_rule_trains_after_n_finished_documents(qtbot: Any, gui_ws: Any, tmp_path: Path,
                                                           open_window: Any) -> None:
    from annotator.nlp.suggest import get_source

    ids = trained_project(gui_ws, tmp_path, 6, done=2)
    window = open_window(gui_ws, document_id=ids[2])
    dialog = open_training_dialog(qtbot, window)
    set_spin(qtbot, dialog.steps, 3)
    set_spin(qtbot, dialog.retrain, 4)  # no model yet: counted from nothing, so the 4th finished document starts it
    dialog.close()
    trainer = window.training.trainer
    _back_to_the_article(qtbot, window)
    with qtbot.waitSignal(window.runner.task_finished, timeout=TIMEOUT_MS,
                          check_params_cb=lambda name: name == "count since training"):
        qtbot.keyClick(window.article, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not trainer.running  # three of four
    with qtbot.waitSignal(trainer.started, timeout=TIMEOUT_MS) as started:
        qtbot.keyClick(window.article, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert started.args == [True]
    assert window.statusBar().currentMessage().startswith("Training a new model in the background: 4 document(s)")
    with qtbot.waitSignal(trainer.finished, timeout=TIMEOUT_MS) as finished:
        pass
    first = finished.args[0].model.path
    assert trained_model_for(PROJECT) == first.resolve() and finished.args[0].curve == []
    assert get_source(TRAINED).name == str(first.resolve())  # the new model is the `trained` source
    assert "trained suggestion source now" in window.statusBar().currentMessage()
