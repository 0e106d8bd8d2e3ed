"""The window's worker runs every source switched on in the Suggest menu, as a user meets it: a project with a tiny
trained model shows the model's ghosts on a new document without `annotator suggest`, the Suggest menu switches
them off, and a pipeline source that fails is named in the status bar, switched off for the session, while the
window keeps taking keys. The database is the judge of what was stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from data_fixtures import ruler_model

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui_fixtures import (  # noqa: E402
    ALT,
    ANNOTATOR,
    EVACUATION,
    PROJECT,
    TIMEOUT_MS,
    add_documents,
    colour_near,
    open_training_dialog,
    ready,
    set_spin,
    shot,
    shown,
    stored,
    trained_project,
)
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QAction  # noqa: E402

from annotator.domain.layers import Owner  # noqa: E402
from annotator.domain.spans import Span  # noqa: E402

pytestmark = pytest.mark.gui
NEW = "Amina Haddad said 75 homes lost power in Saltmere on Tuesday. Repairs in Saltmere go on."


def source_item(window: Any, name: str) -> QAction:
    window._menus["Suggest"].aboutToShow.emit()  # the menu lists its sources as it opens
    items = [a for a in window._menus["Suggest"].actions() if a.objectName() == f"suggest.source.{name}"]
    assert len(items) == 1, [a.objectName() for a in window._menus["Suggest"].actions()]
    return items[0]


def layer(ws: Any, name: str, document_id: int) -> list[tuple[str, int, int]]:
    with ws.unit() as repo:
        owner = repo.owners.owner_id(Owner.model(name), create=False)
        if owner is None:
            return []
        return sorted((s.label, s.start, s.end) for s in repo.spans.of_document(document_id, owner))


def rows(ws: Any, name: str, document_id: int) -> set[int]:
    """The row ids of a model layer on the document: a source that runs again writes new rows."""
    with ws.unit() as repo:
        owner = repo.owners.owner_id(Owner.model(name), create=False)
        return {s.id for s in repo.spans.of_document(document_id, owner)} if owner is not None else set()


@pytest.fixture
def trained(gui_ws: Any, tmp_path: Path) -> int:
    """The project of the window training tests, with a model trained on it (40 steps: enough to find places), and
    a new document nobody tagged; returns that document's id."""
    from annotator.services import training
    from annotator.services.trained_models import trained_model_for

    trained_project(gui_ws, tmp_path, 12, done=12)
    data = training.training_data(gui_ws, project=PROJECT, fallback=ANNOTATOR, held_out=0.2)
    result = training.train(data, max_steps=40, seed=0)
    assert trained_model_for(PROJECT) == result.model.path.resolve()
    return add_documents(gui_ws, tmp_path / "new", [NEW])[-1]


def test_a_trained_model_shows_its_ghosts_without_annotator_suggest_and_the_menu_switches_them_off(
        qtbot: Any, gui_ws: Any, trained: int, tmp_path: Path, settings_path: Path, open_window: Any) -> None:
    from PySide6.QtCore import QSettings

    from annotator.gui.suggestion_desk import OFF_KEY
    from annotator.services.trained_models import trained_model_for

    # The built-in sources switched off (they would be preferred where they propose the same span): the model alone.
    QSettings(str(settings_path), QSettings.Format.IniFormat).setValue(OFF_KEY, '["occurrences", "rules"]')
    assert layer(gui_ws, "trained", trained) == []  # nobody ran `annotator suggest --source trained`
    window = ready(qtbot, open_window(gui_ws, document_id=trained))
    assert window.session.document.text == NEW
    saltmere = NEW.index("Saltmere")
    assert ("LOCATION", "Saltmere", "trained") in shown(window), shown(window)
    assert {source for *_, source in shown(window)} == {"trained"}
    assert ("LOCATION", saltmere, saltmere + len("Saltmere")) in layer(gui_ws, "trained", trained)
    assert source_item(window, "trained").isChecked() and not source_item(window, "rules").isChecked()
    colours = {label.name: label.colour for label in window.session.labels}
    assert colour_near(shot(window), window, saltmere, saltmere + len("Saltmere"), colours["LOCATION"])
    assert window.grab().save(str(tmp_path / "trained-ghosts.png"))

    # A key on a model's ghost works as on any other: N selects the next suggestion, Enter accepts it.
    window.article.select_range(0, 0)
    qtbot.keyClick(window.article, Qt.Key.Key_N)
    start, end = window.article.selection()
    picked = window.suggestions.at(start, end)
    assert picked is not None and picked.source == "trained"
    qtbot.keyClick(window.article, Qt.Key.Key_Return)
    assert stored(gui_ws, trained) == [(picked.label, NEW[start:end])]
    assert shown(window)

    source_item(window, "trained").trigger()  # off: its ghosts go
    ready(qtbot, window)
    assert shown(window) == [] and window.span_panel.layer_model.rowCount() == 0
    source_item(window, "rules").trigger()  # rules on: theirs come
    ready(qtbot, window)
    assert shown(window) and {source for *_, source in shown(window)} == {"rules"}
    window.close()

    reopened = ready(qtbot, open_window(gui_ws, document_id=trained))  # off is remembered
    assert {source for *_, source in shown(reopened)} == {"rules"}
    source_item(reopened, "rules").trigger()
    source_item(reopened, "trained").trigger()
    ready(qtbot, reopened)
    assert ("LOCATION", "Saltmere", "trained") in shown(reopened)

    # A model trained from the window replaces the loaded one, and runs on the open document at once.
    before = rows(gui_ws, "trained", trained)
    dialog = open_training_dialog(qtbot, reopened)
    set_spin(qtbot, dialog.steps, 3)
    if dialog.curve.isChecked():
        qtbot.mouseClick(dialog.curve, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(reopened.training.trainer.finished, timeout=TIMEOUT_MS) as finished:
        qtbot.mouseClick(dialog.train_button, Qt.MouseButton.LeftButton)
    ready(qtbot, reopened)
    assert trained_model_for(PROJECT) == finished.args[0].model.path.resolve()
    assert rows(gui_ws, "trained", trained) != before  # written again, by the new model


def test_a_broken_pipeline_source_is_named_switched_off_for_the_session_and_the_window_keeps_working(
        qtbot: Any, gui_ws: Any, tmp_path: Path, open_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.services.suggesting import FillSummary, write_layer
    from annotator.services.workspace import ensure_project

    [doc] = add_documents(gui_ws, tmp_path / "articles", ["Floods in Velmora\n\nMore than 12,000 residents have "
                                                            "left Velmora since Monday, the emergency service said.\n"])
    # A pipeline folder the person ran `annotator suggest --source ./broken` with, broken since.
    monkeypatch.chdir(tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.cfg").write_text('[nlp]\nlang = "en"\npipeline = ["ner"]\n', encoding="utf-8")
    write_layer(gui_ws, ensure_project(gui_ws, PROJECT).id, "./broken", {doc: [Span(10, 17, "LOCATION")]},
                FillSummary("./broken"))

    window = ready(qtbot, open_window(gui_ws, document_id=doc))
    message = window.statusBar().currentMessage()
    assert message.startswith("Suggestions from ./broken are off for this session: [A132] suggestion source "
                              "'./broken': the spaCy pipeline cannot be loaded"), message
    assert not source_item(window, "./broken").isChecked()
    sources = {source for *_, source in shown(window)}
    assert "rules" in sources and "./broken" not in sources  # the others still run; its old ghost is not shown
    qtbot.keyClick(window.article, Qt.Key.Key_N)  # and the keys still work
    qtbot.keyClick(window.article, Qt.Key.Key_Return)
    assert len(stored(gui_ws, doc)) == 1

    qtbot.keyClick(window.article, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # no other document: stays
    ready(qtbot, window)
    assert "./broken" not in window.suggestions.enabled()  # not tried again this session
    window.close()

    reopened = ready(qtbot, open_window(gui_ws, document_id=doc))  # a new session tries it again
    assert reopened.statusBar().currentMessage().startswith("Suggestions from ./broken are off for this session")


def test_a_new_users_first_open_of_the_samples_shows_rules_ghosts_before_any_model_runs(
        qtbot: Any, gui_ws: Any, open_window: Any) -> None:
    from annotator.app import import_samples_if_empty
    from annotator.resources import sample_articles
    from annotator.services.trained_models import models_folder, record_latest

    assert import_samples_if_empty(gui_ws, PROJECT, ANNOTATOR) == len(sample_articles())
    record_latest(PROJECT, ruler_model(models_folder(PROJECT) / "model", "Grain shipments", PROJECT))
    window = ready(qtbot, open_window(gui_ws))
    assert window.session.document.text.startswith("Thousands leave river port")
    assert "rules" in {source for *_, source in shown(window)}

    answers: list[set[str]] = []  # the sources shown as each of the worker's answers arrives
    window.runner.task_finished.connect(lambda name: answers.append({s for *_, s in shown(window)})
                                        if name == "suggest" else None)
    qtbot.keyClick(window.article, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    ready(qtbot, window)
    assert window.session.document.text.startswith("Grain shipments")
    assert len(answers) == 2 and "rules" in answers[0] and "trained" not in answers[0]
    assert ("LOCATION", "Grain shipments", "trained") in shown(window)


def test_alt_right_while_the_rules_run_on_a_long_article_ends_that_run_and_the_next_articles_ghosts_come(
        qtbot: Any, gui_ws: Any, tmp_path: Path, open_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from annotator.gui import gate
    from annotator.nlp.suggest import rules

    monkeypatch.setattr(gate, "LONGEST_HOLD_S", 60.0)  # the hold below ends by the paint, not by the clock
    long_text = "".join(f"Day {n}: {EVACUATION}\n" for n in range(60))
    assert len(rules.blocks(long_text)) > 3
    long, short = add_documents(gui_ws, tmp_path / "articles", [long_text, NEW])
    reached, go = threading.Event(), threading.Event()
    blocks = {long: 0, short: 0}
    propose_block = rules._propose

    def counted(text: str, lang: str) -> Any:  # the rules' own work on each block, counted per document
        blocks[short if text == NEW else long] += 1
        if text != NEW and not reached.is_set():  # the worker is inside the long article's first block
            reached.set()
            go.wait()
        return propose_block(text, lang)

    monkeypatch.setattr(rules, "_propose", counted)
    window = open_window(gui_ws, document_id=long)
    try:
        qtbot.waitUntil(reached.is_set, timeout=TIMEOUT_MS)
        qtbot.keyClick(window.article, Qt.Key.Key_Right, ALT)  # the person moves on while the rules run
        assert window.session.document_id == short
        assert window.session.gate.held  # the worker waits until the article is painted
        window.article.viewport().repaint()
        assert not window.session.gate.held
    finally:
        go.set()
    ready(qtbot, window)
    assert blocks[long] == 1  # the run ended at the pause point before the long article's second block
    assert layer(gui_ws, "rules", long) == []  # and wrote nothing for it
    assert blocks[short] == 1 and layer(gui_ws, "rules", short)
    assert ("FIGURE", "75 homes", "rules") in shown(window), shown(window)


def test_with_the_article_not_painted_the_worker_goes_on_after_a_short_wait(
        qtbot: Any, gui_ws: Any, tmp_path: Path, open_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.gui import gate

    monkeypatch.setattr(gate, "LONGEST_HOLD_S", 3600.0)  # released by the session's timer, not by the gate's clock
    first, second = add_documents(gui_ws, tmp_path / "articles", [EVACUATION, NEW])
    window = ready(qtbot, open_window(gui_ws, document_id=first))
    window.centralWidget().hide()  # the article is not shown: no paint comes (as in a minimised window)
    qtbot.keyClick(window.document_list.table, Qt.Key.Key_Right, ALT)
    try:
        assert window.session.document_id == second and window.session.gate.held
        qtbot.waitUntil(lambda: not window.session.gate.held, timeout=TIMEOUT_MS)
    finally:
        window.session.gate.release()  # a failed test leaves no worker waiting for an hour
    ready(qtbot, window)
    assert ("FIGURE", "75 homes", "rules") in shown(window), shown(window)
