"""The real main window driven by key presses, as an annotator works; the database is the judge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui_fixtures import (  # noqa: E402
    ALT,
    BLACKOUT,
    CTRL,
    EVACUATION,
    GRAIN,
    SHIFT,
    add_documents,
    key,
    service,
    stored,
    write_texts,
)
from PySide6.QtCore import Qt  # noqa: E402

pytestmark = pytest.mark.gui


ARTICLE = EVACUATION
SECOND = GRAIN
THIRD = BLACKOUT


def find(qtbot: Any, window: Any, text: str) -> None:
    """Ctrl+F, type, Escape: the match stays selected and the article has the keyboard again."""
    qtbot.keyClick(window.article, Qt.Key.Key_F, CTRL)
    assert window.find_bar.isVisible()
    assert window.find_bar.edit.hasFocus()
    qtbot.keyClicks(window.find_bar.edit, text)
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible()
    assert window.article.hasFocus()


@pytest.fixture
def docs(gui_ws: Any, tmp_path: Path) -> list[int]:
    return add_documents(gui_ws, tmp_path / "in", [ARTICLE, SECOND, THIRD])


def test_find_tag_undo_redo_next_and_reopen(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any,
                                            tmp_path: Path) -> None:
    window = open_window(gui_ws)
    assert window.session.document_id == docs[0]
    assert "Evacuation continues" in window.windowTitle() or "001" in window.windowTitle()

    find(qtbot, window, "still ris")  # part of a word: the tag snaps outward to whole tokens
    assert window.article.textCursor().selectedText() == "still ris"
    key(qtbot, window, Qt.Key.Key_C)
    assert stored(gui_ws, docs[0]) == [("CLAIM", "still rising")]
    span_id = service(gui_ws).spans(docs[0])[0].id

    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, docs[0]) == []
    key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert stored(gui_ws, docs[0]) == [("CLAIM", "still rising")]
    assert service(gui_ws).spans(docs[0])[0].id == span_id  # redo puts back the same span

    key(qtbot, window, Qt.Key.Key_Right, ALT)
    assert window.session.document_id == docs[1]
    key(qtbot, window, Qt.Key.Key_Left, ALT)
    assert window.session.document_id == docs[0]
    key(qtbot, window, Qt.Key.Key_Right, ALT)
    window.close()

    from annotator.services.workspace import open_workspace

    again = open_workspace(tmp_path / "t.db")
    try:
        assert stored(again, docs[0]) == [("CLAIM", "still rising")]
        reopened = open_window(again)
        assert reopened.session.document_id == docs[1]  # the last document is remembered
        key(qtbot, reopened, Qt.Key.Key_Left, ALT)
        assert [s.label for s in reopened.session.spans] == ["CLAIM"]
        reopened.close()
    finally:
        again.close()


def test_nested_spans_are_all_stored(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any) -> None:
    window = open_window(gui_ws)
    find(qtbot, window, "More than 12,000 residents have left the river port of Velmora since Monday")
    key(qtbot, window, Qt.Key.Key_4)
    find(qtbot, window, "More than 12,000 residents")
    key(qtbot, window, Qt.Key.Key_F)
    find(qtbot, window, "Velmora since")
    qtbot.keyClick(window.article, Qt.Key.Key_Left)  # collapse to the caret: the token at the caret is tagged
    key(qtbot, window, Qt.Key.Key_L)
    find(qtbot, window, "deputy governor Irena Dobric")
    key(qtbot, window, Qt.Key.Key_1)
    assert sorted(stored(gui_ws, docs[0])) == sorted([
        ("CLAIM", "More than 12,000 residents have left the river port of Velmora since Monday"),
        ("FIGURE", "More than 12,000 residents"),
        ("LOCATION", "Velmora"),
        ("SOURCE", "deputy governor Irena Dobric"),
    ])
    assert window.label_bar.button("FIGURE").text().endswith(" 1")
    assert window.span_panel.model.rowCount() == 4
    # the caret inside the FIGURE shows both labels, innermost first
    find(qtbot, window, "12,000")
    assert window.status.caret_label.text() == "under the caret: FIGURE ⊂ CLAIM"


def test_same_key_twice_removes(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any) -> None:
    window = open_window(gui_ws)
    find(qtbot, window, "Wednes")
    key(qtbot, window, Qt.Key.Key_3)
    assert stored(gui_ws, docs[0]) == [("FIGURE", "Wednesday")]
    assert window.article.textCursor().selectedText() == "Wednesday"  # the snapped span is selected
    key(qtbot, window, Qt.Key.Key_3)
    assert stored(gui_ws, docs[0]) == []
    key(qtbot, window, Qt.Key.Key_F)  # the letter key does the same
    key(qtbot, window, Qt.Key.Key_F)
    assert stored(gui_ws, docs[0]) == []


def test_tab_moves_between_spans_and_delete_removes(qtbot: Any, gui_ws: Any, docs: list[int],
                                                   open_window: Any) -> None:
    window = open_window(gui_ws)
    for phrase, k in (("Velmora since", Qt.Key.Key_2), ("12,000 residents", Qt.Key.Key_3),
                      ("deputy governor", Qt.Key.Key_1)):
        find(qtbot, window, phrase)
        key(qtbot, window, k)
    key(qtbot, window, Qt.Key.Key_Home, CTRL)
    key(qtbot, window, Qt.Key.Key_Tab)
    assert window.article.hasFocus()  # Tab does not leave the article
    assert window.article.textCursor().selectedText() == "12,000 residents"
    key(qtbot, window, Qt.Key.Key_Tab)
    assert window.article.textCursor().selectedText() == "Velmora since"
    key(qtbot, window, Qt.Key.Key_Tab)
    assert window.article.textCursor().selectedText() == "deputy governor"
    key(qtbot, window, Qt.Key.Key_Backtab, SHIFT)
    assert window.article.textCursor().selectedText() == "Velmora since"
    key(qtbot, window, Qt.Key.Key_Delete)
    assert [label for label, _ in stored(gui_ws, docs[0])] == ["FIGURE", "SOURCE"]
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert [label for label, _ in stored(gui_ws, docs[0])] == ["FIGURE", "LOCATION", "SOURCE"]


def test_ctrl_enter_marks_done_and_opens_the_next_to_do(qtbot: Any, gui_ws: Any, docs: list[int],
                                                        open_window: Any) -> None:
    from annotator.domain.documents import Status

    service(gui_ws).set_status(docs[1], Status.DONE)
    window = open_window(gui_ws)
    assert window.session.document_id == docs[0]
    with qtbot.waitSignal(window.document_list.model.dataChanged, timeout=None):  # the list follows shortly
        key(qtbot, window, Qt.Key.Key_Return, CTRL)
    assert service(gui_ws).status(docs[0]) == Status.DONE
    assert window.session.document_id == docs[2]  # the done one in between is passed over
    assert "document 3 of 3" in window.status.position_label.text()
    assert "2 done" in window.status.position_label.text()
    assert window.document_list.model.data(window.document_list.model.index(0, 2)) == "done"


def test_time_spent_is_added_when_leaving(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any) -> None:
    from annotator.domain.documents import Status

    window = open_window(gui_ws)
    key(qtbot, window, Qt.Key.Key_Right, ALT)
    with gui_ws.unit() as repo:
        status, seconds = repo.statuses.get(docs[0], service(gui_ws).annotator_id)
    assert status == Status.TODO
    assert seconds > 0


def test_offsets_after_emoji_and_crlf(qtbot: Any, gui_ws: Any, tmp_path: Path, open_window: Any) -> None:
    text = "Smoke 😀 rose 🇺🇦\r\nover Izium today,\r\nsaid the mayor of Lyman 👩‍👩‍👧 yesterday.\r\n"
    (doc,) = add_documents(gui_ws, tmp_path / "emoji", [text])
    window = open_window(gui_ws, document_id=doc)
    find(qtbot, window, "Izi")
    key(qtbot, window, Qt.Key.Key_2)
    find(qtbot, window, "Lyma")
    qtbot.keyClick(window.article, Qt.Key.Key_Right)  # caret after the selection, inside the word
    key(qtbot, window, Qt.Key.Key_L)
    find(qtbot, window, "yesterda")
    key(qtbot, window, Qt.Key.Key_3)
    got = service(gui_ws).spans(doc)
    assert [(s.label, text[s.start : s.end]) for s in got] == [
        ("LOCATION", "Izium"), ("LOCATION", "Lyman"), ("FIGURE", "yesterday")]
    assert got[0].start == text.index("Izium")


def test_label_bar_click_and_span_panel_choice(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any) -> None:
    window = open_window(gui_ws)
    find(qtbot, window, "Monday")
    qtbot.mouseClick(window.label_bar.button("LOCATION"), Qt.MouseButton.LeftButton)
    assert stored(gui_ws, docs[0]) == [("LOCATION", "Monday")]
    assert window.article.hasFocus()
    key(qtbot, window, Qt.Key.Key_Home, CTRL)
    window.span_panel.table.selectRow(0)
    assert window.article.textCursor().selectedText() == "Monday"


def test_context_menu_relabels_and_removes(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any) -> None:
    window = open_window(gui_ws)
    find(qtbot, window, "Monday")
    key(qtbot, window, Qt.Key.Key_2)
    menu = window.article.span_menu(window.session.spans_at(window.session.spans[0].start))
    relabel = next(a for a in menu.actions() if a.text() == "Relabel as FIGURE")
    relabel.trigger()
    assert stored(gui_ws, docs[0]) == [("FIGURE", "Monday")]
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert stored(gui_ws, docs[0]) == [("LOCATION", "Monday")]
    menu = window.article.span_menu(window.session.spans)
    next(a for a in menu.actions() if a.text() == "Remove LOCATION").trigger()
    assert stored(gui_ws, docs[0]) == []


def test_overlapping_same_label_is_refused_with_a_plain_message(qtbot: Any, gui_ws: Any, docs: list[int],
                                                               open_window: Any, dialogs: list) -> None:
    window = open_window(gui_ws)
    find(qtbot, window, "river port")
    key(qtbot, window, Qt.Key.Key_2)
    find(qtbot, window, "port of Velmora")
    key(qtbot, window, Qt.Key.Key_2)
    assert stored(gui_ws, docs[0]) == [("LOCATION", "river port")]
    assert len(dialogs) == 1 and dialogs[0][1].startswith("[A020]")
    assert "Traceback" not in dialogs[0][1]
    assert window.session.undo_stack.count() == 1  # the refused tag left no step behind


def test_shortcut_sheet_lists_the_actions(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any) -> None:
    from annotator.gui.dialogs.shortcuts import ShortcutSheet

    window = open_window(gui_ws)
    key(qtbot, window, Qt.Key.Key_F1)
    sheet = window.findChild(ShortcutSheet)
    assert sheet is not None and sheet.isVisible()
    texts = {sheet.table.item(r, 1).text() for r in range(sheet.table.rowCount())}
    assert {"Tag as CLAIM", "Next span", "Done, next", "Undo"} <= texts
    sheet.close()


def test_bad_import_file_is_reported_plainly(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any,
                                            tmp_path: Path, dialogs: list) -> None:
    bad = tmp_path / "broken.jsonl"
    bad.write_text('{"text": "fine"}\n{"text": "no end\n', encoding="utf-8")
    window = open_window(gui_ws)
    with qtbot.waitSignal(window.transfers.import_finished, timeout=None):
        window.transfers.start_import([bad])
    assert len(dialogs) == 1
    kind, text = dialogs[0]
    assert kind == "warning"
    assert "broken.jsonl" in text and "line 2" in text and "[A01" in text
    assert "Traceback" not in text
    assert service(gui_ws).count_documents() == 3  # the bad file was rolled back whole

    dialogs.clear()
    with qtbot.waitSignal(window.transfers.import_finished, timeout=None):
        window.transfers.start_import([tmp_path / "missing.txt"])
    assert dialogs[0][0] == "warning" and "missing.txt" in dialogs[0][1]


def test_import_adds_documents_to_the_list(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any,
                                          tmp_path: Path, dialogs: list) -> None:
    window = open_window(gui_ws)
    paths = write_texts(tmp_path / "more", ["A new article about floods in Velmora.", "Another one."])
    with qtbot.waitSignal(window.transfers.import_finished, timeout=None):
        window.transfers.start_import(paths)
    assert dialogs and dialogs[0][0] == "information" and "documents added: 2" in dialogs[0][1]
    assert window.document_list.model.rowCount() == 5
    assert "5 shown" in window.document_list.counts_label.text()


def test_export_from_the_window(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any, tmp_path: Path,
                                dialogs: list) -> None:
    from annotator.gui.dialogs.export_dialog import ExportOptions

    window = open_window(gui_ws)
    find(qtbot, window, "Velmora since")
    key(qtbot, window, Qt.Key.Key_2)
    out = tmp_path / "out.jsonl"
    with qtbot.waitSignal(window.transfers.export_finished, timeout=None) as blocker:
        window.transfers.start_export(ExportOptions("prodigy", out, "strict", True, False))
    assert blocker.args[0] is not None
    assert out.exists() and '"LOCATION"' in out.read_text(encoding="utf-8")
    assert dialogs and dialogs[0][0] == "information" and "wrote 3 documents" in dialogs[0][1]


def test_thousands_of_void_qt_calls_do_not_abort(qtbot: Any) -> None:
    """PySide6 6.12.0 on Python 3.11 drops a reference to None per void call and aborts (none_dealloc)."""
    from PySide6.QtWidgets import QPlainTextEdit

    widget = QPlainTextEdit()
    qtbot.addWidget(widget)
    for _ in range(20_000):
        widget.setReadOnly(True)
        widget.update()
    assert widget.isReadOnly()


def test_find_next_with_enter_and_f3(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any) -> None:
    window = open_window(gui_ws)
    qtbot.keyClick(window.article, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(window.find_bar.edit, "VELMORA")  # case does not matter
    first = window.article.selection()
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return)
    second = window.article.selection()
    assert second[0] > first[0]
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)
    key(qtbot, window, Qt.Key.Key_F3)  # wraps around to the first match again
    assert window.article.selection() == first
    key(qtbot, window, Qt.Key.Key_L)
    assert stored(gui_ws, docs[0]) == [("LOCATION", "Velmora")]


def test_keyboard_selection_grows_by_word(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any) -> None:
    window = open_window(gui_ws)
    key(qtbot, window, Qt.Key.Key_Home, CTRL)
    key(qtbot, window, Qt.Key.Key_Right, CTRL | SHIFT)
    key(qtbot, window, Qt.Key.Key_Right, CTRL | SHIFT)
    key(qtbot, window, Qt.Key.Key_Left, SHIFT)  # a character back: the tag still takes whole tokens
    key(qtbot, window, Qt.Key.Key_4)
    assert stored(gui_ws, docs[0]) == [("CLAIM", "Evacuation continues")]


def test_question_mark_opens_the_shortcut_sheet(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any) -> None:
    from annotator.gui.dialogs.shortcuts import ShortcutSheet

    window = open_window(gui_ws)
    for modifiers in (Qt.KeyboardModifier.NoModifier, SHIFT):  # the shortcut, and Shift+/ as typed
        qtbot.keyClick(window.article, Qt.Key.Key_Question, modifiers)
        sheet = window.findChild(ShortcutSheet)
        assert sheet is not None and sheet.isVisible()
        with qtbot.waitSignal(sheet.destroyed, timeout=None):  # it deletes itself on close
            sheet.close()


def test_misaligned_spans_stop_a_spacy_export_with_a_list(qtbot: Any, gui_ws: Any, tmp_path: Path,
                                                           open_window: Any, dialogs: list) -> None:
    import json

    from annotator.gui.dialogs.export_dialog import ExportOptions
    from annotator.services.importing import import_paths

    source = tmp_path / "given.jsonl"
    source.write_text(json.dumps({"text": "Floods in Velmora today.",
                                  "spans": [{"start": 11, "end": 15, "label": "LOCATION"}]}) + "\n", encoding="utf-8")
    import_paths(gui_ws, [source], project="default", annotator="tester", fmt="prodigy")
    window = open_window(gui_ws)
    out = tmp_path / "spacy-out"
    with qtbot.waitSignal(window.transfers.export_finished, timeout=None) as blocker:
        window.transfers.start_export(ExportOptions("spacy", out, "strict", True, False))
    assert blocker.args[0] is None
    kind, text = dialogs[-1]
    assert kind == "warning" and text.startswith("[A030]") and "'elmo'" in text and "[11:15] LOCATION" in text
    assert not (out / "train.spacy").exists()


def test_an_import_can_be_cancelled(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any, tmp_path: Path,
                                    dialogs: list) -> None:
    from gui_fixtures import write_jsonl

    big = write_jsonl(tmp_path / "big.jsonl", [f"Report number {n} from the port." for n in range(20_000)])
    window = open_window(gui_ws)
    with qtbot.waitSignal(window.transfers.import_finished, timeout=None) as blocker:
        task = window.transfers.start_import([big])
        task.cancel()  # what the progress dialog's Cancel button does
    assert blocker.args[0] is None
    assert dialogs == []  # a cancel is not an error
    assert service(gui_ws).count_documents() == 3  # nothing of the cancelled file was written
    assert window.isEnabled()


def test_files_dropped_on_the_window_are_imported(qtbot: Any, gui_ws: Any, docs: list[int], open_window: Any,
                                                  tmp_path: Path, dialogs: list) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    (path,) = write_texts(tmp_path / "dropped", ["Dropped article about Izium."])
    window = open_window(gui_ws)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(100, 100), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.transfers.import_finished, timeout=None):
        window.dropEvent(event)
    assert service(gui_ws).count_documents() == 4
    assert "documents added: 1" in dialogs[-1][1]


def test_export_dialog_offers_every_format(qtbot: Any, tmp_path: Path) -> None:
    from annotator.gui.dialogs.export_dialog import ExportDialog
    from annotator.services.exporting import EXPORT_FORMATS

    dialog = ExportDialog(tmp_path)
    qtbot.addWidget(dialog)
    formats = [dialog.format_combo.itemData(i) for i in range(dialog.format_combo.count())]
    assert formats == list(EXPORT_FORMATS)
    dialog.format_combo.setCurrentIndex(formats.index("doccano"))
    assert not dialog.align_combo.isEnabled()
    options = dialog.options()
    assert options.fmt == "doccano" and options.out == tmp_path / "export-doccano.jsonl"
    dialog.format_combo.setCurrentIndex(formats.index("spacy"))
    dialog.align_combo.setCurrentIndex(1)
    dialog.only_done.setChecked(True)
    options = dialog.options()
    assert (options.fmt, options.out, options.align, options.only_mine, options.only_done) == (
        "spacy", tmp_path / "export-spacy", "expand", True, True)


def test_markup_in_a_text_is_shown_as_plain_characters(qtbot: Any, gui_ws: Any, tmp_path: Path,
                                                       open_window: Any) -> None:
    from PySide6.QtGui import QFont

    hostile = ('<html><head><style>p { font-size: 80pt; color: red }</style></head><body>'
               '<h1>Headline</h1><b>bold</b> <img src="http://127.0.0.1:9/x.png"> <a href="http://x">link</a>'
               '&lt;&amp;&gt; <script>alert(1)</script></body></html>\n{\\rtf1 \\b rich\\b0 text}\n')
    (doc,) = add_documents(gui_ws, tmp_path / "html", [hostile])
    window = open_window(gui_ws)
    window.session.open_document(doc)
    qtbot.waitUntil(lambda: window.article.document().toPlainText().startswith("<html>"), timeout=None)
    article = window.article.document()
    assert article.toPlainText() == hostile
    assert article.resource(article.ResourceType.ImageResource.value, "http://127.0.0.1:9/x.png") is None
    block = article.begin()
    while block.isValid():  # one font and weight everywhere: no tag turned into formatting
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            assert fmt.fontWeight() <= QFont.Weight.Normal and not fmt.isAnchor() and not fmt.isImageFormat()
            it += 1
        block = block.next()
    key(qtbot, window, Qt.Key.Key_Home, CTRL)
    key(qtbot, window, Qt.Key.Key_Right)
    key(qtbot, window, Qt.Key.Key_4)  # the caret is in "<html>": tagging works on the raw characters
    assert [label for label, _ in stored(gui_ws, doc)] == ["CLAIM"]


def test_spans_far_down_a_long_article_are_drawn_when_scrolled_to(qtbot: Any, gui_ws: Any, tmp_path: Path,
                                                                 open_window: Any) -> None:
    text = "".join(f"Paragraph {n} about the river port.\n\n" for n in range(3000)) + "Velmora at the end.\n"
    (doc,) = add_documents(gui_ws, tmp_path / "long", [text])
    start = text.index("Velmora")
    service(gui_ws).add_span(doc, "LOCATION", start, start + len("Velmora"))
    window = open_window(gui_ws)
    window.session.open_document(doc)
    article = window.article
    last = article.document().lastBlock().previous()
    assert last.text().startswith("Velmora")

    def painted_ranges() -> list:
        return [r for r in last.layout().formats() if r.format.background().style() != Qt.BrushStyle.NoBrush]

    article.viewport().repaint()
    assert painted_ranges() == []  # far out of view: not formatted yet (opening stays cheap)
    article.verticalScrollBar().setValue(article.verticalScrollBar().maximum())
    article.viewport().repaint()
    ranges = painted_ranges()
    assert [(r.start, r.length) for r in ranges] == [(0, len("Velmora"))]
