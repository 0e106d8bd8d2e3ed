"""What one key press costs the database: the statements a tag, an untag, a relabel, a Delete, an undo and a redo
run on the window's thread (issue 8, point 5).

Counted three ways, each said in its name:
- `sent`: statements SQLAlchemy hands the driver (its `before_cursor_execute` event);
- `transactions`: SQLAlchemy's begin and commit events (one begin and one commit per key press);
- `run_by_sqlite`: every statement the SQLite library itself ran (its trace callback), which adds what no
  SQLAlchemy event sees: the driver's implicit BEGIN and its COMMIT, and any PRAGMA.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from db_fixtures import Counter, one_article
from gui_fixtures import add_documents, ready, stored

ARTICLE = ("More than 12,000 residents have left the river port of Velmora since Monday, the regional "
           "emergency service said on Wednesday.\n")
VELMORA = ARTICLE.index("Velmora")
# Statements sent per key press: the write, and the document's status (todo -> in progress) where one applies.
SENT = {"tag": 2, "untag": 2, "relabel": 1, "delete": 2, "undo": 2, "redo": 2}


@pytest.mark.gui
def test_each_key_press_is_one_transaction_of_at_most_two_statements(qtbot, gui_ws, no_suggestions,  # type: ignore[no-untyped-def]
                                                                     open_window, tmp_path: Path) -> None:
    pytest.importorskip("pytestqt")
    from PySide6.QtCore import Qt

    (doc,) = add_documents(gui_ws, tmp_path / "in", [ARTICLE])
    window = open_window(gui_ws)
    # The worker's own reads (the suggestions of the opened document) are not a key press's: they are done first.
    ready(qtbot, window)
    counter = Counter(gui_ws.db.engine)
    # The checks read through the window's own workspace: a unit with the engine's longer wait in between would
    # set the pooled connection back to it, and the next key press would then run one PRAGMA to shorten it.
    article = window.article

    def press(what: str, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        with counter.counting():
            qtbot.keyClick(article, key, modifiers)
        check(what)

    def check(what: str) -> None:
        assert len(counter.sent) == SENT[what], (what, counter.sent)
        assert counter.transactions == ["BEGIN", "COMMIT"], (what, counter.transactions)
        ran = counter.run_by_sqlite
        assert ran[0].startswith("BEGIN") and ran[-1] == "COMMIT", (what, ran)
        assert len(counter.only_sent()) == len(counter.sent), (what, ran)  # (the trace shows values bound in)
        assert not [s for s in ran if s.startswith("PRAGMA")], (what, ran)  # the window's short wait is kept set

    article.select_range(VELMORA + 2, VELMORA + 2)
    press("tag", Qt.Key.Key_2)
    assert stored(window.window_ws, doc) == [("LOCATION", "Velmora")]
    press("untag", Qt.Key.Key_2)  # the same key again takes it away
    assert stored(window.window_ws, doc) == []
    press("tag", Qt.Key.Key_2)
    shown = window.session.spans_at(VELMORA)
    relabel = next(a for a in article.span_menu(shown).actions() if a.text() == "Relabel as FIGURE")
    with counter.counting():
        relabel.trigger()
    check("relabel")
    assert stored(window.window_ws, doc) == [("FIGURE", "Velmora")]
    press("relabel", Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo of a relabel relabels back
    assert stored(window.window_ws, doc) == [("LOCATION", "Velmora")]
    article.select_range(VELMORA + 2, VELMORA + 2)
    press("delete", Qt.Key.Key_Delete)
    assert stored(window.window_ws, doc) == []
    press("undo", Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(window.window_ws, doc) == [("LOCATION", "Velmora")]
    press("redo", Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert stored(window.window_ws, doc) == []


def _annotations(target: str, tmp_path: Path) -> tuple[Any, Any, int]:
    return one_article(target, tmp_path, ARTICLE)


def test_the_service_writes_are_one_or_two_statements_on_sqlite_and_postgres(database: str, tmp_path: Path) -> None:
    from annotator.domain.documents import Status
    from annotator.domain.spans import Span

    ws, ana, doc = _annotations(database, tmp_path)
    ana.document(doc)  # as the window does on opening it
    counter = Counter(ws.db.engine)
    with counter.counting():
        span, _ = ana.add_span(doc, "LOCATION", VELMORA, VELMORA + 7)
    assert (len(counter.sent), counter.transactions) == (2, ["BEGIN", "COMMIT"])
    assert ana.status(doc) == Status.IN_PROGRESS
    with counter.counting():
        ana.relabel(span.id, "FIGURE", expected=span, document_id=doc)  # type: ignore[arg-type]
    assert (len(counter.sent), counter.transactions) == (1, ["BEGIN", "COMMIT"])
    figure = Span(span.start, span.end, "FIGURE", span.id, "tester")
    with counter.counting():
        ana.remove_span(span.id, expected=figure, document_id=doc)  # type: ignore[arg-type]
    assert (len(counter.sent), counter.transactions) == (2, ["BEGIN", "COMMIT"])
    with counter.counting():
        again, _ = ana.add_span(doc, "FIGURE", span.start, span.end, span_id=span.id)  # undo of the removal
    assert (len(counter.sent), counter.transactions) == (2, ["BEGIN", "COMMIT"])
    assert again.id == span.id and [(s.id, s.label) for s in ana.spans(doc)] == [(span.id, "FIGURE")]
    ws.close()


def test_the_one_statement_writes_keep_every_rule(database: str, tmp_path: Path) -> None:
    from sqlalchemy import text

    from annotator.domain.spans import Span
    from annotator.errors import NotFoundError, SpanChangedError, SpanRuleError
    from annotator.services.labels import add_label, delete_label, update_label

    ws, ana, doc = _annotations(database, tmp_path)
    port = ARTICLE.index("river port")
    span, _ = ana.add_span(doc, "LOCATION", port, port + len("river port"))
    with pytest.raises(SpanRuleError, match=r"\[A020\] LOCATION \[\d+:\d+\] overlaps LOCATION"):
        ana.add_span(doc, "LOCATION", port + 6, port + len("port of Velmora") + 6)
    with pytest.raises(SpanRuleError, match="already there"):  # an exact repeat is an overlap too
        ana.add_span(doc, "LOCATION", span.start, span.end)
    with pytest.raises(SpanRuleError, match="no label 'PLACE'"):
        ana.add_span(doc, "PLACE", 0, 4)
    with pytest.raises(SpanRuleError):
        ana.add_span(doc, "LOCATION", 0, len(ARTICLE) + 1)
    with pytest.raises(NotFoundError):
        ana.add_span(doc + 1000, "LOCATION", 0, 4)
    figure, _ = ana.add_span(doc, "FIGURE", ARTICLE.index("12,000"), ARTICLE.index("12,000") + 6)
    over, _ = ana.add_span(doc, "FIGURE", port, port + 5)
    with pytest.raises(SpanRuleError, match="overlaps FIGURE"):
        ana.relabel(span.id, "FIGURE", expected=span, document_id=doc)  # type: ignore[arg-type]
    with pytest.raises(SpanRuleError, match="no label 'PLACE'"):
        ana.relabel(span.id, "PLACE", expected=span, document_id=doc)  # type: ignore[arg-type]
    moved = Span(span.start, span.end - 1, span.label, span.id, "tester")
    with pytest.raises(SpanChangedError, match=r"\[A091\].*changed elsewhere"):
        ana.remove_span(span.id, expected=moved, document_id=doc)  # type: ignore[arg-type]
    with pytest.raises(SpanChangedError, match="changed elsewhere"):
        ana.relabel(span.id, "SOURCE", expected=moved, document_id=doc)  # type: ignore[arg-type]
    with pytest.raises(SpanChangedError, match="in another document"):
        ana.remove_span(span.id, expected=span, document_id=doc + 1000)  # type: ignore[arg-type]
    update_label(ws, "default", "FIGURE", new_name="NUMBER")  # the span's label is called otherwise now: not the span the step knows
    with pytest.raises(SpanChangedError, match="it is now NUMBER"):
        ana.remove_span(figure.id, expected=figure, document_id=doc)  # type: ignore[arg-type]
    delete_label(ws, "default", "LOCATION", with_spans=True)
    add_label(ws, "default", "LOCATION", key="2")  # a new label of the same name: a tag finds it by name
    with pytest.raises(SpanChangedError, match="removed elsewhere"):
        ana.remove_span(span.id, expected=span, document_id=doc)  # type: ignore[arg-type]
    again, _ = ana.add_span(doc, "LOCATION", span.start, span.end)
    assert again.id != span.id  # a freed id is never handed out again
    assert sorted((s.label, s.start) for s in ana.spans(doc)) == sorted(
        [("LOCATION", span.start), ("NUMBER", figure.start), ("NUMBER", over.start)])
    with ws.unit() as repo:  # nothing in the application removes an annotator; a tag then makes them again
        repo.s.execute(text("DELETE FROM annotator WHERE name = 'tester'"))
    made, _ = ana.add_span(doc, "SOURCE", 0, 4)
    assert [(s.label, s.annotator) for s in ana.spans(doc)] == [("SOURCE", "tester")]
    assert made.id is not None and made.id > again.id
    ws.close()


def test_the_windows_short_wait_and_the_engines_long_one_each_hold_for_their_own_units(tmp_path: Path) -> None:
    from annotator.services.workspace import open_workspace
    from annotator.storage import engine

    ws = open_workspace(tmp_path / "wait.db")
    window = ws.waiting_at_most(250)

    def wait(workspace: Any) -> int:
        with workspace.unit() as repo:
            return repo.s.connection().exec_driver_sql("PRAGMA busy_timeout").scalar()

    # One connection in the pool, taken in turn: each unit finds it set to its own wait.
    assert [wait(window), wait(window), wait(ws), wait(window), wait(ws)] == [
        250, 250, engine.BUSY_TIMEOUT_MS, 250, engine.BUSY_TIMEOUT_MS]
    ws.close()
