"""Opening databases: creation, pragmas, migration with backup, and every way a database can be bad."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from db_fixtures import old_database, rows

from annotator.errors import (
    DatabaseCorruptError,
    DatabaseTooNewError,
    DatabaseURLError,
    StorageError,
)
from annotator.services.workspace import ensure_project, open_workspace
from annotator.storage.engine import open_database, to_url


def test_new_database_has_wal_foreign_keys_and_default_project(tmp_path: Path) -> None:
    # SQLite only: the pragmas of a file (a server has its own settings)
    ws = open_workspace(tmp_path / "new.db")
    project = ensure_project(ws)
    with ws.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0007"
    with ws.unit() as repo:
        assert repo.labels.of_project(project.id).names() == ["SOURCE", "LOCATION", "FIGURE", "CLAIM"]
    ws.close()


def test_default_database_lives_in_the_user_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    ws = open_workspace()
    assert ws.db.path is not None and ws.db.path.is_relative_to(tmp_path / "xdg")
    ws.close()


def test_env_variable_names_the_database(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATOR_DB", database)
    ws = open_workspace()
    assert ws.db.url == to_url(database)[0]
    ws.close()


def test_older_schema_is_migrated_after_a_backup(empty_database: str) -> None:
    old_database(empty_database)
    db = open_database(empty_database)
    if db.is_sqlite:  # the copy of the file; a server's backups are its administrator's
        assert db.backup is not None and db.backup.exists()
        with sqlite3.connect(db.backup) as old:
            assert old.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
            assert old.execute("SELECT count(*) FROM span").fetchone()[0] == 1
    else:
        assert db.backup is None
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT origin, start, \"end\" FROM span").one() == ("manual", 0, 6)
    db.dispose()
    again = open_database(empty_database)  # already current: no second backup
    assert again.backup is None
    again.dispose()


def test_database_newer_than_the_program_is_refused_untouched(database: str) -> None:
    open_database(database).dispose()
    rows(database, "UPDATE alembic_version SET version_num = '9999'")
    path = Path(database) if "://" not in database else None
    before = path and hashlib.sha256(path.read_bytes()).hexdigest()  # a file is kept byte for byte
    with pytest.raises(DatabaseTooNewError, match="newer annotator"):
        open_database(database)
    assert (path and hashlib.sha256(path.read_bytes()).hexdigest()) == before
    assert rows(database, "SELECT version_num FROM alembic_version") == [("9999",)]


# SQLite only, the next three: what is in a file that is not annotator's, read before it is opened.
def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n")
    with pytest.raises(DatabaseCorruptError, match="not an annotator database"):
        open_database(path)
    assert path.read_text() == "these are my notes, not a database\n"


def test_a_truncated_database(tmp_path: Path) -> None:
    path = tmp_path / "cut.db"
    ws = open_workspace(path)
    ensure_project(ws)
    ws.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(StorageError) as info:
        open_database(path)
    assert "damaged" in str(info.value) or "not a database" in str(info.value)


def test_a_sqlite_file_of_another_program(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    with pytest.raises(DatabaseCorruptError, match="not annotator's"):
        open_database(path)


def test_bad_urls_and_paths(tmp_path: Path) -> None:
    with pytest.raises(DatabaseURLError):
        open_database("nosuchdriver://user@host/db")
    with pytest.raises(StorageError, match="does not exist"):
        open_database(tmp_path / "missing-folder" / "x.db")
    with pytest.raises(StorageError, match="is a folder"):
        open_database(tmp_path)


def test_models_match_the_migrations(database: str) -> None:
    """Alembic's autogenerate finds nothing to change: the ORM models and db/ describe the same schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from annotator.storage.models import Base

    db = open_database(database)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    db.dispose()
    assert diff == []


def test_status_counts_per_annotator_and_project(database: str) -> None:
    from annotator.domain.documents import Status, content_hash
    from annotator.services.annotation import Annotations

    ws = open_workspace(database)
    ids = {}
    for name in ("news", "other"):
        project = ensure_project(ws, name)
        with ws.unit() as repo:
            ids[name] = repo.bulk.insert_documents([
                {"project_id": project.id, "position": i, "title": "", "source": "", "meta": {},
                 "text": f"{name} {i}", "content_hash": content_hash(f"{name} {i}")} for i in range(5)])
    ana = Annotations(ws, ensure_project(ws, "news").id, "ana")
    bob = Annotations(ws, ensure_project(ws, "news").id, "bob")
    ana.set_status(ids["news"][0], Status.DONE)
    ana.set_status(ids["news"][1], Status.SKIPPED)
    ana.set_status(ids["news"][2], Status.IN_PROGRESS)
    bob.set_status(ids["news"][0], Status.DONE)
    Annotations(ws, ensure_project(ws, "other").id, "ana").set_status(ids["other"][3], Status.DONE)
    assert ana.progress().counts == {Status.TODO: 2, Status.IN_PROGRESS: 1, Status.DONE: 1, Status.SKIPPED: 1}
    assert bob.progress().counts == {Status.TODO: 4, Status.IN_PROGRESS: 0, Status.DONE: 1, Status.SKIPPED: 0}
    assert ana.progress().left == 3 and ana.progress().total == 5
    ws.close()
