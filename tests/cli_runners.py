"""The two ways the tests run the command line: inside this process (`run`, its output read through capsys), or
as a real `python -m annotator` process (`cli` starts it, `run_cli` waits for it). Registered from tests/conftest.py
for its `db` fixture (a new database file)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(tmp_path: Path) -> str:
    """Where the command line's --db puts a new SQLite database."""
    return str(tmp_path / "cli.db")


def write(path: Path, text: str) -> Path:
    """A file for the command line to read, written as is (no newline translation)."""
    path.write_text(text, encoding="utf-8", newline="")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`annotator ARGS` in this process: its exit code, stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def cli(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    """`python -m annotator ARGS` as a real process, stdout and stderr as text pipes; `env` adds to this one's."""
    return subprocess.Popen([sys.executable, "-m", "annotator", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, **kwargs)


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> tuple[int, str, str]:
    """`python -m annotator ARGS` run to its end: exit code, stdout, stderr. The timeout is a safety net against a
    hang, never a speed limit."""
    proc = cli(*args, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"annotator {' '.join(args)} still ran after {timeout} s") from None
    return proc.returncode, out, err
