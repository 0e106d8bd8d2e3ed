"""Looking at a SQLite file before anything may change it: a read-only connection, no pragma, no journal.

A file of a newer annotator or of another program is refused byte for byte as it was (the connect-time
pragmas would have switched its rollback journal to WAL, which rewrites the header). A file that changed
since annotator last closed it gets PRAGMA quick_check before anything writes to it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import DatabaseCorruptError

SEEN_FILE_NAME = "seen-databases.json"


@dataclass(frozen=True)
class Probe:
    revision: str | None  # alembic_version, None when the table is absent or empty
    tables: frozenset[str]


def probe_sqlite(path: Path, *, timeout_s: float, check: bool) -> Probe:
    """The file's schema revision and tables, read without writing; with `check`, its integrity too.

    sqlite3.Error goes to the caller (locked, unreadable); a failed quick_check raises DatabaseCorruptError.
    """
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=timeout_s)
    try:
        tables = frozenset(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        if check:
            problems = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise DatabaseCorruptError(
                    f"{path} is damaged ({problems[0]}); nothing was written to it",
                    hint="restore it from a backup (*.bak-* beside it) or point --db at another file",
                )
        return Probe(revision, tables)
    finally:
        conn.close()


def _fingerprint(path: Path) -> list[int] | None:
    """Size, times and inode of the file and of its -wal (where a writer's last commits may still be)."""
    found: list[int] = []
    for part in (path, Path(f"{path}-wal")):
        try:
            st = part.stat()
        except FileNotFoundError:
            if part == path:
                return None
            found += [-1]
            continue
        except OSError:
            return None
        # A copy put in its place has another inode; a write changes size or mtime (a rewrite of the same size
        # within one tick of the file system's clock would slip through, and is checked at the next change).
        found += [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    return found


def _load(seen_file: Path) -> dict[str, list[int]]:
    try:
        data = json.loads(seen_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def changed_since_seen(path: Path, seen_file: Path | None) -> bool:
    """True unless the file has the size and mtime annotator recorded when it last closed it."""
    if seen_file is None:
        return True
    return _load(seen_file).get(str(path)) != _fingerprint(path)


def record_seen(path: Path, seen_file: Path | None) -> None:
    """Remember the file as annotator leaves it (best effort: a lost record only costs one more check)."""
    if seen_file is None:
        return
    fingerprint = _fingerprint(path)
    if fingerprint is None:
        return
    with contextlib.suppress(OSError):
        seen_file.parent.mkdir(parents=True, exist_ok=True)
        data = _load(seen_file)
        data[str(path)] = fingerprint
        temp = seen_file.with_name(f".{seen_file.name}.{os.getpid()}")
        temp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temp, seen_file)  # atomic: another process reading it sees the old or the new record
