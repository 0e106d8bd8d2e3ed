"""Read-only layers in the window, driven as a user works: another person's spans (imported under their name) and
a model's suggestions are drawn in their own style, listed apart, never changed by the keys; the View menu hides
them. The database is the judge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from cli_runners import run  # noqa: E402
from gui_fixtures import (  # noqa: E402
    ALT,
    CTRL,
    EVACUATION,
    GRAIN,
    PROJECT,
    SHIFT,
    colour_near,
    find,
    ready,
    service,
    shot,
    stored,
)
from PySide6.QtCore import Qt  # noqa: E402

pytestmark = pytest.mark.gui

ARTICLE = EVACUATION
SECOND = GRAIN
PORT = ARTICLE.index("Velmora since")
RESIDENTS = "More than 12,000 residents"
BEN = [("FIGURE", RESIDENTS), ("LOCATION", "Velmora")]  # in reading order
CLAUSE = "The water is still rising by about 3 centimetres an hour"


def span(text: str, phrase: str, label: str, start: int | None = None) -> dict[str, object]:
    at = text.index(phrase) if start is None else start
    return {"start": at, "end": at + len(phrase), "label": label}


@pytest.fixture
def layered(gui_ws: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> int:
    """Two documents imported by the command line under ben; the rules model's suggestions on the first."""
    from annotator.domain.layers import Owner

    jsonl = tmp_path / "ben.jsonl"
    jsonl.write_text(json.dumps({"text": ARTICLE, "spans": [span(ARTICLE, RESIDENTS, "FIGURE"),
                                                            span(ARTICLE, "Velmora", "LOCATION", PORT)]}) + "\n"
                     + json.dumps({"text": SECOND}) + "\n", encoding="utf-8")
    code, _out, err = run(capsys, "import", str(jsonl), "--format", "prodigy", "--annotator", "ben",
                          "--project", PROJECT, "--db", str(tmp_path / "t.db"))
    assert code == 0, err
    doc = service(gui_ws, "ana").first_document()
    assert doc is not None
    with gui_ws.unit() as repo:
        rules = repo.owners.owner_id(Owner.model("rules"))
        project_id = service(gui_ws, "ana").project_id
        for label, phrase in (("FIGURE", "3 centimetres"), ("SOURCE", "deputy governor Irena Dobric"),
                              ("CLAIM", CLAUSE)):
            where = span(ARTICLE, phrase, label)
            assert repo.spans.add(project_id, doc, rules, label, where["start"], where["end"]) is not None
    return doc


def test_another_persons_spans_are_drawn_apart_listed_as_theirs_and_never_changed(
        qtbot: Any, gui_ws: Any, layered: int, open_window: Any, settings_path: Path) -> None:
    from PySide6.QtCore import QSettings

    from annotator.domain.layers import Owner
    from annotator.gui.suggestion_desk import OFF_KEY

    # The occurrences of ben's strings would be a third layer once the worker answers: this test is about two.
    QSettings(str(settings_path), QSettings.Format.IniFormat).setValue(OFF_KEY, '["occurrences"]')
    window = open_window(gui_ws, annotator="ana")
    ready(qtbot, window)
    session = window.session
    assert session.spans == []  # none of ben's spans is ana's
    assert list(session.layers) == [Owner.person("ben"), Owner.model("rules")]
    # Listed apart, as ben's and the model's, in the panel's second table.
    rows = window.span_panel.layer_model
    listed = [tuple(rows.data(rows.index(r, c)) for c in range(2)) for r in range(rows.rowCount())]
    assert listed == [("ben", "FIGURE"), ("ben", "LOCATION"), ("model: rules", "CLAIM"), ("model: rules", "FIGURE"),
                      ("model: rules", "SOURCE")]
    # Drawn in the other style: no background of ana's own, a line in the label colour under the words.
    colours = {label.name: label.colour for label in session.labels}
    formats = window.article.document().findBlock(PORT).layout().formats()
    assert formats == [] or all(f.format.background().style() == Qt.BrushStyle.NoBrush for f in formats)
    image = shot(window)
    assert colour_near(image, window, PORT, PORT + len("Velmora"), colours["LOCATION"])
    ghost = ARTICLE.index("3 centimetres")
    assert colour_near(image, window, ghost, ghost + len("3 centimetres"), colours["FIGURE"])
    # The caret on ben's FIGURE: the status bar and the tooltip say whose it is; the session says which it is.
    window.article.select_range(3 + ARTICLE.index(RESIDENTS), 3 + ARTICLE.index(RESIDENTS))
    assert "ben: FIGURE" in window.status.caret_label.text()
    assert [(o.name, s.label) for o, s in session.read_only_over(*window.article.selection())] == [("ben", "FIGURE")]
    point = window.article.cursorRect().center()
    assert "FIGURE by ben (read-only)" in window.article.tooltip_at(point)

    qtbot.keyClick(window.article, Qt.Key.Key_Delete)  # Delete acts on ana's own layer only: nothing there
    find(qtbot, window, "Velmora")  # the headline's
    qtbot.keyClick(window.article, Qt.Key.Key_2)
    assert stored(gui_ws, layered, "ana") == [("LOCATION", "Velmora")]
    window.article.select_range(PORT + 2, PORT + 2)  # a key on ben's LOCATION tags ana's own
    qtbot.keyClick(window.article, Qt.Key.Key_L)
    assert stored(gui_ws, layered, "ana") == [("LOCATION", "Velmora"), ("LOCATION", "Velmora")]
    assert stored(gui_ws, layered, "ben") == BEN
    qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, layered, "ana") == [("LOCATION", "Velmora")]
    qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL | SHIFT)
    assert len(stored(gui_ws, layered, "ana")) == 2
    qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL)
    assert window.span_panel.model.rowCount() == 1 and rows.rowCount() == 5

    # Tab moves over ana's spans only: her one span, then no more (ben's and the model's are skipped).
    window.article.select_range(0, 0)
    qtbot.keyClick(window.article, Qt.Key.Key_Tab)
    assert window.article.selection() == (ARTICLE.index("Velmora"), ARTICLE.index("Velmora") + 7)
    qtbot.keyClick(window.article, Qt.Key.Key_Tab)
    assert window.article.selection() == (ARTICLE.index("Velmora"), ARTICLE.index("Velmora") + 7)

    qtbot.keyClick(window.article, Qt.Key.Key_Right, ALT)
    assert session.document.text == SECOND and session.layers == {} and session.spans == []
    qtbot.keyClick(window.article, Qt.Key.Key_Left, ALT)
    assert [(s.label, s.annotator) for s in session.spans] == [("LOCATION", "ana")]
    assert [s.label for s in session.layers[Owner.person("ben")]] == ["FIGURE", "LOCATION"]
    window.close()

    reopened = open_window(gui_ws, annotator="ana")
    assert [(s.label, s.annotator) for s in reopened.session.spans] == [("LOCATION", "ana")]
    assert stored(gui_ws, layered, "ben") == BEN
    assert stored(gui_ws, layered, "ana") == [("LOCATION", "Velmora")]


def test_the_view_menu_hides_and_shows_a_layer_and_remembers_it(qtbot: Any, gui_ws: Any, layered: int,
                                                                open_window: Any, settings_path: Path) -> None:
    from PySide6.QtCore import QSettings

    from annotator.domain.layers import Owner
    from annotator.gui.suggestion_desk import OFF_KEY

    # Ben's "Velmora" would come back as a ghost of the occurrences source, in the same colour.
    QSettings(str(settings_path), QSettings.Format.IniFormat).setValue(OFF_KEY, '["occurrences"]')
    window = open_window(gui_ws, annotator="ana")
    colour = window.session.labels.get("LOCATION").colour
    item = window.findChild(type(window.actions_by_id["edit.find"]), "view.layer.annotator:ben")
    assert item is not None and item.isChecked()
    assert colour_near(shot(window), window, PORT, PORT + 7, colour)
    item.trigger()  # hidden
    assert not colour_near(shot(window), window, PORT, PORT + 7, colour)
    rows = window.span_panel.layer_model
    assert {rows.data(rows.index(r, 0)) for r in range(rows.rowCount())} == {"model: rules"}
    window.article.select_range(PORT + 2, PORT + 2)
    assert "ben" not in window.status.caret_label.text()
    window.close()

    reopened = open_window(gui_ws, annotator="ana")  # remembered in the settings
    assert reopened.session.hidden == {Owner.person("ben")}
    assert not colour_near(shot(reopened), reopened, PORT, PORT + 7, colour)
    item = reopened.findChild(type(reopened.actions_by_id["edit.find"]), "view.layer.annotator:ben")
    item.trigger()  # shown again
    assert colour_near(shot(reopened), reopened, PORT, PORT + 7, colour)
    assert stored(gui_ws, layered, "ben") == BEN  # hiding is a view: nothing changed in the database
