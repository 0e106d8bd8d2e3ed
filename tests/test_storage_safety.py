"""Nothing lost: ids never reused, undo acts on its own span, untouched means untouched, no password
printed, concurrent imports, connection faults, damaged files, failed migrations."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.errors import AnnotatorError, SpanChangedError
from annotator.services import labels as label_service
from annotator.services.annotation import Annotations
from annotator.services.importing import import_paths
from annotator.services.workspace import ensure_project, open_workspace

pytest_plugins = ["gui_fixtures"]
ROOT = Path(__file__).resolve().parents[1]
TEXT = "Officials in Velmora said 400 homes lost power near Dorvan."


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "annotator", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> tuple[int, str, str]:
    proc = cli(*args, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"annotator {' '.join(args)} still ran after {timeout} s") from None
    return proc.returncode, out, err


def _colleague_imports(db: Path, tmp_path: Path) -> None:
    """Another process: the label deleted and added again, then a colleague's import with a LOCATION span."""
    for args in (("labels", "delete", "LOCATION"), ("labels", "add", "LOCATION", "--key", "2")):
        code, _, err = run_cli("--db", str(db), *args)
        assert code == 0, err
    source = tmp_path / "colleague.jsonl"
    source.write_text('{"text": "%s", "spans": [{"start": 13, "end": 20, "label": "LOCATION"}]}\n' % TEXT,
                      encoding="utf-8")
    code, _, err = run_cli("--db", str(db), "--annotator", "bob", "import", str(source))
    assert code == 0, err


# -- 1. ids are never reused; undo removes only the span it made ---------------------------------------------
def test_undo_of_a_span_deleted_elsewhere_leaves_the_colleagues_span(tmp_path: Path) -> None:
    db = tmp_path / "ids.db"
    ws = open_workspace(db)
    project = ensure_project(ws)
    import_paths(ws, [_text_file(tmp_path)], project="default", annotator="tester")
    ana = Annotations(ws, project.id, "tester")
    doc = ana.list_documents()[0].id
    span, _ = ana.add_span(doc, "LOCATION", 13, 20)
    _colleague_imports(db, tmp_path)
    bob = Annotations(ws, project.id, "bob")
    theirs = bob.spans(doc)
    assert [(s.label, s.start, s.end) for s in theirs] == [("LOCATION", 13, 20)]
    assert theirs[0].id != span.id  # a freed id is never handed out again
    with pytest.raises(SpanChangedError, match=r"\[A091\]"):
        ana.remove_span(span.id, expected=span, document_id=doc)  # what Ctrl+Z does
    assert [(s.id, s.annotator) for s in bob.spans(doc)] == [(theirs[0].id, "bob")]
    ws.close()


@pytest.mark.parametrize("old", [False, True], ids=["new", "migrated"])
def test_no_table_whose_ids_a_window_holds_reuses_a_freed_id(tmp_path: Path, old: bool) -> None:
    from test_storage import _old_database

    db = tmp_path / "seq.db"
    if old:
        _old_database(db)  # schema 0001 with a row in each table: the rebuild keeps them
    open_workspace(db).close()
    if not old:
        ws = open_workspace(db)
        import_paths(ws, [_prodigy_file(tmp_path)], project="default", annotator="tester")
        ws.close()
    with sqlite3.connect(db) as conn:
        for table in ("project", "annotator", "label", "document", "span"):
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "id"]
            top = conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0]
            names = ", ".join(f'"{c}"' for c in columns)
            row = conn.execute(f"SELECT {names} FROM {table} WHERE id = ?", (top,)).fetchone()
            conn.execute(f"DELETE FROM {table} WHERE id = ?", (top,))  # foreign keys off: no cascade here
            new = conn.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(row))})", row).lastrowid
            assert new > top, f"{table}: the freed id {top} was handed out again"


def test_undo_refuses_a_span_that_changed_or_changed_hands(tmp_path: Path) -> None:
    """Whatever the id: a step that removes or relabels a span checks owner, document, label and offsets."""
    db = tmp_path / "owner.db"
    ws = open_workspace(db)
    project = ensure_project(ws)
    import_paths(ws, [_text_file(tmp_path)], project="default", annotator="tester")
    ana = Annotations(ws, project.id, "tester")
    Annotations(ws, project.id, "bob")
    doc = ana.list_documents()[0].id
    span, _ = ana.add_span(doc, "LOCATION", 13, 20)
    with sqlite3.connect(db) as other:  # another program moves the span under the window
        other.execute('UPDATE span SET "end" = 19 WHERE id = ?', (span.id,))
    with pytest.raises(SpanChangedError, match="changed elsewhere"):
        ana.remove_span(span.id, expected=span, document_id=doc)
    with pytest.raises(SpanChangedError, match="changed elsewhere"):
        ana.relabel(span.id, "FIGURE", expected=span, document_id=doc)
    with sqlite3.connect(db) as other:  # the row now holds a colleague's span (what id reuse used to do)
        other.execute("UPDATE span SET \"end\" = 20, annotator_id = (SELECT id FROM annotator WHERE name = 'bob') "
                      "WHERE id = ?", (span.id,))
    with pytest.raises(SpanChangedError, match="no longer yours"):
        ana.remove_span(span.id, expected=span, document_id=doc)
    with pytest.raises(SpanChangedError, match="no longer yours"):
        ana.remove_span(span.id)  # even without the caller's picture: never another annotator's span
    with sqlite3.connect(db) as conn:
        assert conn.execute('SELECT start, "end" FROM span WHERE id = ?', (span.id,)).fetchone() == (13, 20)
    ws.close()


@pytest.mark.gui
def test_ctrl_z_after_a_colleagues_import_keeps_their_span(qtbot, open_window, dialogs,  # type: ignore[no-untyped-def]
                                                           tmp_path: Path) -> None:
    pytest.importorskip("pytestqt")
    from PySide6.QtCore import Qt

    db = tmp_path / "gui.db"
    ws = open_workspace(db)
    import_paths(ws, [_text_file(tmp_path)], project="default", annotator="tester")
    window = open_window(ws)
    window.article.select_range(15, 15)  # the caret inside "Velmora"
    qtbot.keyClick(window.article, Qt.Key.Key_2)
    doc = window.session.document_id
    assert [(s.label, s.start, s.end) for s in window.session.spans] == [("LOCATION", 13, 20)]
    _colleague_imports(db, tmp_path)
    qtbot.keyClick(window.article, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    bob = Annotations(ws, ensure_project(ws).id, "bob")
    assert [(s.label, s.start, s.end, s.annotator) for s in bob.spans(doc)] == [("LOCATION", 13, 20, "bob")]
    assert [text for kind, text in dialogs if "[A091]" in text and "removed elsewhere" in text], dialogs
    assert window.session.spans == []  # the window no longer shows the span that is gone
    window.close()
    ws.close()


def _prodigy_file(tmp_path: Path) -> Path:
    path = tmp_path / "one.jsonl"
    path.write_text('{"text": "%s", "spans": [{"start": 13, "end": 20, "label": "LOCATION"}]}\n' % TEXT,
                    encoding="utf-8")
    return path


def _text_file(tmp_path: Path) -> Path:
    path = tmp_path / "velmora.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path
