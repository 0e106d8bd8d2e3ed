"""Nothing lost: ids never reused, undo acts on its own span, untouched means untouched, no password
printed, concurrent imports, connection faults, damaged files, failed migrations."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runners import cli, run_cli
from db_fixtures import database_at, old_database, rows

from annotator.errors import AnnotatorError, SpanChangedError
from annotator.services.annotation import Annotations
from annotator.services.importing import import_paths
from annotator.services.workspace import ensure_project, open_workspace

TEXT = "Officials in Velmora said 400 homes lost power near Dorvan."


def _colleague_imports(db: Path | str, tmp_path: Path) -> None:
    """Another process: the label deleted and added again, then a colleague's import with a LOCATION span."""
    for args in (("labels", "delete", "LOCATION", "--with-spans"), ("labels", "add", "LOCATION", "--key", "2")):
        code, _, err = run_cli("--db", str(db), *args)
        assert code == 0, err
    source = tmp_path / "colleague.jsonl"
    source.write_text(_prodigy_line(TEXT, (13, 20, "LOCATION")), encoding="utf-8")
    code, _, err = run_cli("--db", str(db), "--annotator", "bob", "import", str(source))
    assert code == 0, err


# -- 1. ids are never reused; undo removes only the span it made ---------------------------------------------
def _my_span(db: Path | str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The Velmora article in a new database at `db` with the tester's LOCATION span on "Velmora": the workspace,
    its project, the tester's service, the document id and the span."""
    ws = open_workspace(db)
    project = ensure_project(ws)
    import_paths(ws, [_text_file(tmp_path)], project="default", annotator="tester")
    ana = Annotations(ws, project.id, "tester")
    doc = ana.list_documents()[0].id
    span, _ = ana.add_span(doc, "LOCATION", 13, 20)
    return ws, project, ana, doc, span


def test_undo_of_a_span_deleted_elsewhere_leaves_the_colleagues_span(tmp_path: Path, database: str) -> None:
    db = database
    ws, project, ana, doc, span = _my_span(db, tmp_path)
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
    # SQLite only: without AUTOINCREMENT it hands out a freed top id again; a PostgreSQL sequence never does
    db = tmp_path / "seq.db"
    if old:
        old_database(db)  # schema 0001 with a row in each table: the rebuild keeps them
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


def test_undo_refuses_a_span_that_changed_or_changed_hands(tmp_path: Path, database: str) -> None:
    """Whatever the id: a step that removes or relabels a span checks owner, document, label and offsets."""
    db = database
    ws, project, ana, doc, span = _my_span(db, tmp_path)
    Annotations(ws, project.id, "bob")  # the colleague the span is handed to below
    rows(db, 'UPDATE span SET "end" = 19 WHERE id = :id', id=span.id)  # another program moves the span
    with pytest.raises(SpanChangedError, match="changed elsewhere"):
        ana.remove_span(span.id, expected=span, document_id=doc)
    with pytest.raises(SpanChangedError, match="changed elsewhere"):
        ana.relabel(span.id, "FIGURE", expected=span, document_id=doc)
    # the row now holds a colleague's span (what id reuse used to do)
    rows(db, "UPDATE span SET \"end\" = 20, annotator_id = (SELECT id FROM annotator WHERE name = 'bob') "
             "WHERE id = :id", id=span.id)
    with pytest.raises(SpanChangedError, match="no longer yours"):
        ana.remove_span(span.id, expected=span, document_id=doc)
    with pytest.raises(SpanChangedError, match="no longer yours"):
        ana.remove_span(span.id)  # even without the caller's picture: never another annotator's span
    assert rows(db, 'SELECT start, "end" FROM span WHERE id = :id', id=span.id) == [(13, 20)]
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


def _prodigy_line(text: str, *spans: tuple[int, int, str]) -> str:
    return json.dumps({"text": text, "spans": [{"start": s, "end": e, "label": lb} for s, e, lb in spans]}) + "\n"


def _prodigy_file(tmp_path: Path) -> Path:
    path = tmp_path / "one.jsonl"
    path.write_text(_prodigy_line(TEXT, (13, 20, "LOCATION")), encoding="utf-8")
    return path


def _text_file(tmp_path: Path) -> Path:
    path = tmp_path / "velmora.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


# -- 2. "left untouched" means byte for byte --------------------------------------------------------------------
def _state(path: Path) -> tuple[str, bool, bool]:
    return (hashlib.sha256(path.read_bytes()).hexdigest(), Path(f"{path}-wal").exists(), Path(f"{path}-shm").exists())


def _newer_schema(path: Path) -> None:
    open_workspace(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")  # as a rollback-journal database, which WAL would rewrite
        conn.execute("UPDATE alembic_version SET version_num = '9999'")


def _foreign(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.execute("INSERT INTO recipes VALUES ('borscht')")


@pytest.mark.parametrize(("make", "code"), [(_newer_schema, "[A044]"), (_foreign, "[A043]")], ids=["newer", "foreign"])
def test_a_refused_database_is_left_byte_for_byte(tmp_path: Path, make, code: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "theirs.db"
    make(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    before = _state(path)
    assert before[1:] == (False, False)
    returncode, _, err = run_cli("--db", str(path), "import", str(_text_file(tmp_path)))
    assert _state(path) == before
    assert returncode == 2 and code in err and "untouched" in err and "Traceback" not in err, err
    with pytest.raises(AnnotatorError):
        open_workspace(path)
    assert _state(path) == before


# -- 3. no password in any message, log line or window ----------------------------------------------------------
SECRET_URLS = [
    "postgresql+psycopg://ana:Pw1-secret@127.0.0.1:1/news?password=Pw2-secret",  # nothing listens on port 1
    "postgresql+psycopg://ana:Pw1-secret@127.0.0.1:notaport/news?password=Pw2-secret",  # a port that is no number
    "mysql://ana:Pw1-secret@127.0.0.1/news?password=Pw2-secret",  # a driver that is not installed
]


@pytest.mark.parametrize("url", SECRET_URLS, ids=["refused", "bad-port", "no-driver"])
def test_a_password_in_the_url_is_never_printed(url: str) -> None:
    returncode, out, err = run_cli("--db", url, "stats")
    assert returncode == 2
    assert "Pw1-secret" not in out + err and "Pw2-secret" not in out + err, err
    assert "***" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_the_log_masks_passwords(tmp_path: Path, dialogs, capsys) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("pytestqt")
    from annotator.app import excepthook, log_file

    try:
        raise RuntimeError("could not use postgresql+psycopg://ana:Pw1-secret@db/news?password=Pw2-secret")
    except RuntimeError as e:
        excepthook(type(e), e, e.__traceback__)
    logged = log_file().read_text(encoding="utf-8")
    assert "RuntimeError" in logged and "ana:***@db/news?password=***" in logged
    assert "Pw1-secret" not in logged and "Pw2-secret" not in logged
    # Offscreen no dialog is shown (nobody could see it): the line goes to stderr, masked like the log.
    assert "RuntimeError" in capsys.readouterr().err
    assert "secret" not in str(dialogs)


# -- 5. connection faults: one coded line each, and no endless wait ----------------------------------------------
@pytest.mark.parametrize(("url", "code"), [
    ("postgresql+psycopg://ana@127.0.0.1:1/news", "[A046]"),
    ("postgresql+psycopg://ana@no-such-host.invalid/news", "[A046]"),
    ("mysql://ana@127.0.0.1/news", "[A047]"),
    ("postgresql+asyncpg://ana@127.0.0.1/news", "[A047]"),
], ids=["bad-port", "bad-host", "mysql", "asyncpg"])
def test_a_database_that_cannot_be_reached_gives_one_coded_line(url: str, code: str) -> None:
    returncode, _, err = run_cli("--db", url, "stats")
    assert returncode == 2 and err.startswith(f"annotator: {code}") and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1


def test_a_server_that_never_answers_times_out(tmp_path: Path) -> None:
    import socket

    with socket.socket() as silent:  # the kernel completes the handshake; nobody ever reads or answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        proc = cli("--db", f"postgresql+psycopg://ana@127.0.0.1:{port}/news", "stats",
                   env={"ANNOTATOR_CONNECT_TIMEOUT": "2"})
        try:
            _, err = proc.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            assert proc.poll() is None  # it was still waiting: the hang this test is about
            proc.kill()
            proc.communicate()
            raise AssertionError("the connection to a silent server never gave up") from None
    assert proc.returncode == 2 and "[A046]" in err and "Traceback" not in err, err


# -- 6. a damaged file is refused before anything is written to it ----------------------------------------------
def _damaged(tmp_path: Path) -> Path:
    db = tmp_path / "hurt.db"
    ws = open_workspace(db)
    source = tmp_path / "many.jsonl"
    source.write_text("".join(_prodigy_line(f"Article {i} about Velmora and its {i} residents.")
                              for i in range(3000)), encoding="utf-8")
    import_paths(ws, [source], project="default", annotator="tester")
    ws.close()
    assert not Path(f"{db}-wal").exists()
    pages = db.stat().st_size // 4096
    assert pages > 20
    with db.open("r+b") as f:  # random bytes over a page in the middle (a bad disk block, a botched copy)
        f.seek(pages // 2 * 4096)
        f.write(os.urandom(4096))
    return db


def test_a_damaged_file_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    db = _damaged(tmp_path)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    returncode, _, err = run_cli("--db", str(db), "import", str(_text_file(tmp_path)))
    assert returncode == 2 and "[A043]" in err and "damaged" in err and "Traceback" not in err, err
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_the_check_runs_when_the_file_changed_since_annotator_closed_it(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.storage import probe

    checks: list[bool] = []
    real = probe.probe_sqlite

    def counting(path: Path, *, timeout_s: float, check: bool) -> probe.Probe:
        checks.append(check)
        return real(path, timeout_s=timeout_s, check=check)

    monkeypatch.setattr("annotator.storage.engine.probe_sqlite", counting)
    db = tmp_path / "seen.db"
    open_workspace(db).close()  # new: nothing to check
    open_workspace(db).close()  # as annotator left it: no check
    with sqlite3.connect(db) as conn:  # another program wrote to it
        conn.execute("CREATE TABLE scratch (x)")
        conn.execute("INSERT INTO scratch VALUES (zeroblob(100000))")
    open_workspace(db).close()
    assert checks == [False, True]


# -- 7. a failed migration leaves no copy behind and the database as it was ----------------------------------------
def test_failed_migrations_of_a_locked_database_leave_no_backups(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    old_database(db)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
    dump = list(sqlite3.connect(db).iterdump())
    holder = sqlite3.connect(db)
    holder.execute("BEGIN IMMEDIATE")  # another program is writing
    try:
        for _attempt in range(3):
            returncode, _, err = run_cli("--db", str(db), "stats", env={"ANNOTATOR_BUSY_TIMEOUT_MS": "200"})
            assert returncode == 2 and "[A041]" in err, err
        assert sorted(p.name for p in tmp_path.glob("old.db.bak-*")) == []
    finally:
        holder.rollback()
        holder.close()
    assert list(sqlite3.connect(db).iterdump()) == dump
    returncode, _, err = run_cli("--db", str(db), "stats")  # once free, it migrates, after one copy
    assert returncode == 0, err
    assert len(list(tmp_path.glob("old.db.bak-*"))) == 1


# -- 4. concurrent imports into one project ------------------------------------------------------------------------
def _numbered_articles(path: Path, tag: str, n: int) -> Path:
    """n articles whose one span sits at an offset that only its own text has the marker at."""
    lines = []
    for i in range(n):
        marker = f"M{tag}x{i}"
        lines.append(_prodigy_line("w " * i + f"{marker} said that {i} homes lost power.",
                                   (2 * i, 2 * i + len(marker), "SOURCE")))
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _concurrent_imports(db: str, tmp_path: Path, rounds: int, n: int) -> list[tuple[int, str]]:
    results = []
    for r in range(rounds):
        files = [_numbered_articles(tmp_path / f"r{r}f{k}.jsonl", f"{r}y{k}", n) for k in range(2)]
        procs = [cli("--db", db, "--project", "news", "--annotator", "ana", "import", str(f)) for f in files]
        for proc in procs:
            try:
                _, err = proc.communicate(timeout=300)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise AssertionError("a concurrent import never finished") from None
            results.append((proc.returncode, err))
    return results


def _check_project(url: str) -> tuple[int, int]:
    """Positions unique and dense; every span on the document it came with. Returns (documents, spans)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url if "://" in url else f"sqlite:///{url}")
    with engine.connect() as conn:
        positions = [p for (p,) in conn.execute(text(
            "SELECT position FROM document JOIN project ON project.id = document.project_id "
            "WHERE project.name = 'news' ORDER BY position"))]
        spans = conn.execute(text('SELECT document.text, span.start, span."end" FROM span '
                                  "JOIN document ON document.id = span.document_id")).all()
    engine.dispose()
    assert positions == list(range(len(positions))), "positions repeat or have gaps"
    misplaced = [(t[:30], s, e) for t, s, e in spans if not (t[s:e].startswith("M") and t[e:e + 10] == " said that")]
    assert misplaced == [], f"{len(misplaced)} spans sit on another document's text"
    return len(positions), len(spans)


@pytest.mark.postgres
def test_concurrent_imports_into_one_postgres_project(pg_url: str, tmp_path: Path) -> None:
    results = _concurrent_imports(pg_url, tmp_path, rounds=3, n=300)  # the first round on a fresh database
    assert [code for code, _ in results] == [0] * 6, [err for _, err in results]
    assert _check_project(pg_url) == (1800, 1800)


def test_concurrent_imports_into_one_sqlite_file(tmp_path: Path) -> None:
    db = str(tmp_path / "shared.db")
    results = _concurrent_imports(db, tmp_path, rounds=3, n=300)
    for code, err in results:  # they take turns on the write lock; one may give up with the coded line
        assert code == 0 or (code == 2 and "[A041]" in err and "Traceback" not in err), err
    imported = sum(code == 0 for code, _ in results)
    assert imported >= 3
    assert _check_project(db) == (300 * imported, 300 * imported)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_migration_0004_renumbers_positions_that_concurrent_imports_repeated(backend: str, tmp_path: Path,
                                                                            request: pytest.FixtureRequest) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import text

    from annotator.storage.engine import open_database
    from annotator.storage.models import Base

    url = f"sqlite:///{tmp_path / 'dup.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    with database_at(url, "0003") as conn:  # what two concurrent imports left: positions 0, 0, 1, 1
        conn.execute(text("INSERT INTO project (id, name, lang, created_at) VALUES (1, 'news', 'en', '2026-01-01')"))
        for doc_id, position in ((1, 0), (2, 0), (3, 1), (4, 1)):
            conn.execute(text("INSERT INTO document (id, project_id, position, title, source, text, meta, "
                              "content_hash, created_at) VALUES (:i, 1, :p, '', '', :t, '{}', :h, '2026-01-01')"),
                         {"i": doc_id, "p": position, "t": f"text {doc_id}", "h": f"h{doc_id}"})
    db = open_database(url)
    with db.engine.connect() as conn:
        order = conn.execute(text("SELECT id, position FROM document ORDER BY position")).all()
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    db.dispose()
    assert [tuple(r) for r in order] == [(1, 0), (2, 1), (3, 2), (4, 3)]  # reading order kept, now one per place
    assert diff == []  # the models match the migrations on this database too


@pytest.mark.postgres
@pytest.mark.gui
def test_the_window_shows_the_server_without_its_password(pg_url: str, open_window,  # type: ignore[no-untyped-def]
                                                           dialogs) -> None:
    pytest.importorskip("pytestqt")

    # The test server trusts local connections, so the password is carried but never asked for.
    scheme, _, rest = pg_url.partition("://")
    user, _, host = rest.partition("@")
    url = f"{scheme}://{user}:Pw1-secret@{host}?password=Pw2-secret"
    ws = open_workspace(url)
    window = open_window(ws)
    window.actions_by_id["help.about"].trigger()  # Help > About names the database (it has no key)
    shown = " ".join(text for _, text in dialogs) + window.windowTitle() + ws.where
    assert "Pw1-secret" not in shown and "Pw2-secret" not in shown
    assert f"{user}:***@" in shown and "password=***" in shown
    window.close()
    ws.close()


# -- 8. errors mapped by their codes; a deadlock is tried again ----------------------------------------------------
def _sqlite_error(name: str, message: str) -> sqlite3.Error:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorname = name  # what the driver sets (Python 3.11+); the message is in another language
    return error


def test_driver_errors_are_read_by_their_codes_not_their_words() -> None:
    psycopg_errors = pytest.importorskip("psycopg.errors")
    from annotator.storage.driver_errors import translate

    cases = [
        (_sqlite_error("SQLITE_BUSY_SNAPSHOT", "base de données verrouillée"), "[A041]"),
        (_sqlite_error("SQLITE_CORRUPT", "image disque mal formée"), "[A043]"),
        (_sqlite_error("SQLITE_FULL", "base de données pleine"), "full or failing"),
        (psycopg_errors.DeadlockDetected("Verklemmung (Deadlock) entdeckt"), "[A048]"),
        (psycopg_errors.SerializationFailure("konnte Zugriff nicht serialisieren"), "[A048]"),
        (psycopg_errors.LockNotAvailable("Sperre nicht verfügbar"), "[A041]"),
        (psycopg_errors.InvalidPassword("Passwort-Authentifizierung fehlgeschlagen"), "[A046]"),
    ]
    for error, expected in cases:
        assert expected in str(translate(error, "the database")), error


def test_a_deadlock_is_tried_again_and_stores_the_span_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    psycopg_errors = pytest.importorskip("psycopg.errors")
    from sqlalchemy.exc import OperationalError

    from annotator.storage.repositories.spans import SpanRepository

    ws = open_workspace(tmp_path / "retry.db")
    import_paths(ws, [_text_file(tmp_path)], project="default", annotator="tester")
    ana = Annotations(ws, ensure_project(ws).id, "tester")
    doc = ana.list_documents()[0].id
    real = SpanRepository.add
    failures = [psycopg_errors.DeadlockDetected("deadlock detected"), psycopg_errors.SerializationFailure("again")]

    def deadlocked_twice(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        span_id = real(self, *args, **kwargs)  # written, then the server picks this transaction as the victim
        if failures:
            raise OperationalError("INSERT INTO span ...", {}, failures.pop(0))
        return span_id

    monkeypatch.setattr(SpanRepository, "add", deadlocked_twice)
    span, _ = ana.add_span(doc, "LOCATION", 13, 20)
    assert failures == []
    assert [(s.id, s.start, s.end) for s in ana.spans(doc)] == [(span.id, 13, 20)]
    ws.close()


@pytest.mark.skipif(sys.platform != "linux" or os.geteuid() != 0, reason="a read-only bind mount of one file needs root")
def test_failed_migrations_of_a_read_only_file_leave_no_backups(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    old_database(db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    # The file read-only, its folder writable: the copy can be written, the migration cannot.
    mounted = subprocess.run(["mount", "--bind", str(db), str(db)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot bind-mount here")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(db)], capture_output=True).returncode != 0:
            pytest.skip("cannot make a read-only mount here")
        for _attempt in range(2):
            returncode, _, err = run_cli("--db", str(db), "stats")
            assert returncode == 2 and "[A042]" in err and "Traceback" not in err, err
        assert list(tmp_path.glob("old.db.bak-*")) == []
    finally:
        subprocess.run(["umount", str(db)], check=True)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
