"""The window under faults: no display, a database another process is writing, start-up errors.

Issue "Nothing lost": a locked database must not freeze the window nor show a span that is not saved, and a
start-up error must reach stderr as its coded line instead of waiting in a dialog nobody can see.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")
pytest.register_assert_rewrite("gui_fixtures")

pytest.importorskip("gui_fixtures")

pytest_plugins = ["gui_fixtures"]

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[1]
HANG_GUARD_S = int(os.environ.get("HANG_GUARD_S", "120"))  # a safety net against a hang, not a speed limit


# -- no display -----------------------------------------------------------------------------------
def _window_process(db: Path, tmp_path: Path, **env: str | None) -> subprocess.CompletedProcess[str]:
    """`python -m annotator --db DB` as a user starts it; None in `env` removes the variable."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "ANNOTATOR_SETTINGS": str(tmp_path / "settings.ini")}
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        environ.pop(name, None)
    for name, value in env.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    try:
        return subprocess.run([sys.executable, "-m", "annotator", "--db", str(db), "--annotator", "ana"], cwd=ROOT,
                              env=environ, capture_output=True, text=True, timeout=HANG_GUARD_S, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:  # run() killed it: the window waited on something nobody sees
        raise AssertionError(f"the window process hung; stderr so far: {e.stderr!r}") from e


def _corrupt(tmp_path: Path) -> Path:
    db = tmp_path / "corrupt.db"
    db.write_bytes(b"this is not a database, it only has its name" * 20)
    return db


def _too_new(tmp_path: Path) -> Path:
    from annotator.services.workspace import open_workspace

    db = tmp_path / "newer.db"
    open_workspace(db).close()
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffffffff9999'")
    conn.close()  # the last connection checkpoints the WAL into the file
    return db


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DISPLAY is how Linux names a display")
@pytest.mark.parametrize("make_db, code", [(_corrupt, "[A043]"), (_too_new, "[A044]")], ids=["corrupt", "too-new"])
@pytest.mark.parametrize("platform", [None, "offscreen"], ids=["no-display", "offscreen"])
def test_start_up_error_without_a_display_is_a_coded_line_and_exit_2(tmp_path: Path, make_db: Any, code: str,
                                                                      platform: str | None) -> None:
    db = make_db(tmp_path)
    before = db.read_bytes()
    result = _window_process(db, tmp_path, QT_QPA_PLATFORM=platform)
    assert result.returncode == 2, result.stderr
    assert f"annotator: {code}" in result.stderr
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before  # the user's file is as it was


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DISPLAY is how Linux names a display")
@pytest.mark.parametrize("display", [None, ":87"], ids=["unset", "no-server"])
def test_no_usable_display_is_a_coded_line_not_an_invisible_window(tmp_path: Path, display: str | None) -> None:
    db = tmp_path / "fine.db"
    result = _window_process(db, tmp_path, DISPLAY=display)
    assert result.returncode == 2, result.stderr
    assert "annotator: [A070]" in result.stderr and "display" in result.stderr
    assert "Traceback" not in result.stderr
