"""A 2 MB article, past spaCy's max_length, end to end: imported with spans, tagged by key presses in the
real window, exported to spaCy and CoNLL, read back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui_fixtures import ANNOTATOR, PROJECT, service, stored  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

pytestmark = pytest.mark.gui

PARAGRAPH = "More than 17,000 people have left Izium since March, deputy governor Irena Dobric wrote.\n\n"
ENDING = "On Sunday about 4,200 households in Ostrava Bay were still without electricity.\n"


def test_a_2_mb_article_is_imported_tagged_by_keys_exported_and_read_back(qtbot: Any, gui_ws: Any, tmp_path: Path,
                                                                           open_window: Any,
                                                                           dialogs: list) -> None:
    from annotator import formats
    from annotator.nlp.docbin import read_docbin
    from annotator.services.exporting import export
    from annotator.services.importing import import_paths

    text = PARAGRAPH * (2_000_000 // len(PARAGRAPH)) + ENDING
    assert len(text) > 2_000_000
    first = text.index("Izium")
    source = tmp_path / "big.jsonl"
    source.write_text(json.dumps({"text": text, "spans": [{"start": first, "end": first + 5,
                                                           "label": "LOCATION"}]}) + "\n", encoding="utf-8")
    summary = import_paths(gui_ws, [source], project=PROJECT, annotator=ANNOTATOR)
    assert summary.errors == [] and summary.total("spans_added") == 1

    window = open_window(gui_ws)
    (doc,) = [item.id for item in service(gui_ws).list_documents()]
    assert window.session.document_id == doc
    assert window.article.document().characterCount() > 2_000_000

    qtbot.keyClick(window.article, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.find_bar.edit, "about 4,2")
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)
    assert window.article.textCursor().selectedText() == "about 4,2"
    qtbot.keyClick(window.article, Qt.Key.Key_F)  # FIGURE: the selection snaps outward to whole tokens
    assert sorted(stored(gui_ws, doc)) == [("FIGURE", "about 4,200"), ("LOCATION", "Izium")]
    assert dialogs == []  # no "unexpected error"

    export(gui_ws, fmt="spacy", out=tmp_path / "corpus", project=PROJECT, split=1.0)
    [record] = list(read_docbin(tmp_path / "corpus" / "train.spacy"))
    assert record.text == text
    assert sorted((s.label, text[s.start : s.end]) for s in record.spans) == [
        ("FIGURE", "about 4,200"), ("LOCATION", "Izium")]
    export(gui_ws, fmt="conll", out=tmp_path / "big.conll", project=PROJECT)
    [back] = list(formats.read(tmp_path / "big.conll", "conll"))
    assert sorted((s.label, back.text[s.start : s.end]) for s in back.spans) == [
        ("FIGURE", "about 4,200"), ("LOCATION", "Izium")]


def test_a_folder_import_walks_off_the_gui_thread_and_names_the_link_loops(
        qtbot: Any, gui_ws: Any, tmp_path: Path, open_window: Any, dialogs: list,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from annotator.formats import detect

    root = tmp_path / "articles"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("An article about Izium.\n", encoding="utf-8")
    (root / "sub" / "b.txt").write_text("Another article, about Velmora.\n", encoding="utf-8")
    (root / "sub" / "up").symlink_to("..", target_is_directory=True)
    walked_on: list[bool] = []
    real_walk = detect.walk

    def recording_walk(*args: Any) -> Any:
        walked_on.append(threading.current_thread() is threading.main_thread())
        return real_walk(*args)

    monkeypatch.setattr(detect, "walk", recording_walk)
    window = open_window(gui_ws)
    with qtbot.waitSignal(window.transfers.import_finished, timeout=None) as blocker:
        window.transfers.start_import([root])
    assert blocker.args[0] is not None
    assert walked_on and not any(walked_on)  # never on the GUI thread
    assert service(gui_ws).count_documents() == 2
    kind, text = dialogs[-1]
    assert kind == "information" and "documents added: 2" in text
    assert f"skipped: [A061] {root / 'sub' / 'up'}: leads to the folder {root}" in text
