"""Every `annotator ...` line in the README's code blocks runs as written, so the README cannot drift.

The lines run in README order against one temporary database, in a folder holding small stand-ins for
the placeholder paths (articles/, reviews.jsonl, brat/). A synopsis such as `labels [list | add NAME ...]`
is expanded into each of its forms with concrete values; `# comments` are dropped. The line that opens
the window opens it offscreen and closes it; `spacy train` runs with a few steps. Lines that need PostgreSQL
(a `--db postgresql...` URL, `annotator team ...`) run in their order against one throw-away database on the
ANNOTATOR_TEST_PG_URL server, their URL replaced by its; without that server they are skipped.
"""

from __future__ import annotations

import contextlib
import json
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from db_fixtures import PG_URL, drop_roles, existing_roles, throwaway_database

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
_COMMENT = re.compile(r"\s#\s.*$")  # "  # what it does"; a quoted '#RRGGBB' has no space after the #
# Values for the placeholders of the synopsis, in the order its forms run (add, rename, recolour, ...).
_POSTGRES = re.compile(r"--db postgresql\S*|^annotator team ")
_PLACEHOLDERS = {"KIND": "statement", "K": "K", "'#RRGGBB'": "'#123456'", "TEXT": "'dates and times'"}


def readme_lines() -> list[str]:
    """The command lines of the README's fenced code blocks: `annotator ...` and `cd DIR && ...`."""
    lines, in_block = [], False
    for raw in README.read_text(encoding="utf-8").splitlines():
        if raw.lstrip().startswith("```"):
            in_block = not in_block
            continue
        line = _COMMENT.sub("", raw).strip()
        if in_block and line.split(" ")[0] in ("annotator", "cd"):
            lines.append(line)
    return lines


def expanded(line: str) -> list[str]:
    """`stats [--json]` -> `stats`, `stats --json`; `labels [list | add ... | ...]` -> one line per form."""
    match = _OPTIONAL.search(line)
    if match is None:
        return [line]
    forms = [f.strip() for f in match[1].split(" | ")]
    choices = forms if len(forms) > 1 else ["", forms[0]]
    out = []
    for choice in choices:
        out.extend(expanded(re.sub(r"\s+", " ", f"{line[:match.start()]}{choice}{line[match.end():]}").strip()))
    return out


def concrete(forms: list[str]) -> list[str]:
    """Placeholders filled in so that the forms run one after the other on the same label."""
    name, out = "DATE", []
    for form in forms:
        for placeholder, value in _PLACEHOLDERS.items():
            form = form.replace(placeholder, value)
        if " OLD NEW" in form:
            form, name = form.replace(" OLD NEW", f" {name} WHEN"), "WHEN"
        out.append(re.sub(r"\bNAME\b", name, form))
    return out


def make_placeholders(folder: Path) -> None:
    articles = folder / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text("Olena Marchuk said 400 homes lost power in Velmora.\n", encoding="utf-8")
    (articles / "b.txt").write_text("The port authority said exports fell by 34 per cent.\n", encoding="utf-8")
    reviews = [
        {"text": "Irena Dobric said 12,000 residents left Dorvan.", "spans": [
            {"start": 0, "end": 12, "label": "SOURCE"}, {"start": 18, "end": 34, "label": "FIGURE"},
            {"start": 40, "end": 46, "label": "LOCATION"}]},
        {"text": "The mayor of Velmora said the bridge will reopen.", "spans": [
            {"start": 13, "end": 20, "label": "LOCATION"}]},
    ]
    for place in ("Hrebenka", "Saltmere", "Lindgrad", "Kastell"):  # enough documents for `train --curve`
        text = f"Power returned to {place} on Monday."
        reviews.append({"text": text, "spans": [{"start": 18, "end": 18 + len(place), "label": "LOCATION"}]})
    (folder / "reviews.jsonl").write_text("".join(json.dumps(r) + "\n" for r in reviews), encoding="utf-8")
    # ben's spans of the same texts: a boundary shift, a shorter figure, a missed place
    reviews[0]["spans"] = [{"start": 6, "end": 12, "label": "SOURCE"}, {"start": 18, "end": 24, "label": "FIGURE"}]
    (folder / "reviews-ben.jsonl").write_text("".join(json.dumps(r) + "\n" for r in reviews), encoding="utf-8")
    brat = folder / "brat"
    brat.mkdir()
    (brat / "1.txt").write_text("Olena Marchuk visited Hrebenka on Monday.", encoding="utf-8")
    (brat / "1.ann").write_text("T1\tPerson 0 13\tOlena Marchuk\nT2\tGPE 22 30\tHrebenka\n", encoding="utf-8")
    from annotator.services.importing import import_paths
    from annotator.services.workspace import open_workspace

    laptop = open_workspace(folder / "laptop.db")  # an annotator's own file, for `merge`
    try:
        assert import_paths(laptop, [folder / "reviews.jsonl"], project="news", annotator="dan").errors == []
    finally:
        laptop.close()


@contextlib.contextmanager
def _team_database() -> Iterator[str]:
    """The throw-away database of the PostgreSQL lines; the server-wide roles they made are dropped after."""
    before = existing_roles(PG_URL)
    with throwaway_database() as url:
        try:
            yield url
        finally:
            drop_roles(url, sorted(existing_roles(PG_URL) - before))


def settle_into_gold(db_path: Path) -> int:
    """What a lead's review will do: ana's spans of the default project taken into the gold layer."""
    from annotator.domain.layers import Owner
    from annotator.storage.engine import open_database
    from annotator.storage.unit import unit_of_work

    db = open_database(str(db_path))
    try:
        with unit_of_work(db) as repo:
            project = repo.projects.by_name("default")
            assert project is not None
            gold, ana = repo.owners.owner_id(Owner.gold()), repo.owners.annotator_id("ana", create=False)
            ids = repo.documents.ids(project.id)
            taken = [(doc, s) for doc, spans in repo.spans.of_documents(ids, ana).items() for s in spans]
            for doc, s in taken:
                assert repo.spans.add(project.id, doc, gold, s.label, s.start, s.end) is not None
    finally:
        db.dispose()
    return len(taken)


def test_the_readme_has_the_lines_this_test_runs() -> None:
    commands = [c for line in readme_lines() for c in expanded(line)]
    assert "annotator import articles/ --project news" in commands
    assert "annotator stats --json" in commands and "annotator stats" in commands
    assert "annotator agreement --json --labels SOURCE,FIGURE" in commands and "annotator agreement" in commands
    assert any(c.startswith("annotator export ") and "--layer gold" in c for c in commands)
    assert "annotator labels list" in commands and "annotator labels rename OLD NEW" in commands
    assert "annotator labels rekind NAME KIND" in commands and any("--kind KIND" in c for c in commands)
    assert any(c.startswith("cd corpus && python -m spacy train") for c in commands)
    assert any(c.startswith("annotator train") and "--chart" in c for c in commands)
    assert "annotator team init --lead lea --annotators ana,ben,cy" in commands
    assert "annotator assign --annotators ana,ben,cy --per-document 2 --seed 0" in commands
    assert any(c.startswith("annotator merge laptop.db") for c in commands)


def test_every_readme_command_runs(qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QInputDialog

    from annotator.cli import main
    from annotator.gui.main_window import MainWindow

    make_placeholders(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "readme.db"))
    monkeypatch.setenv("ANNOTATOR_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("ana", True))  # the first start asks
    commands = concrete([c for line in readme_lines() for c in expanded(line)])
    ran, skipped, settled = [], [], -1
    postgres = contextlib.ExitStack()
    pg_url = ""
    for command in commands:
        if _POSTGRES.search(command):
            if not PG_URL:
                skipped.append(command)
                continue
            if not pg_url:
                pg_url = postgres.enter_context(_team_database())
            command = re.sub(r"--db postgresql\S*", "", command).replace("annotator ", f"annotator --db {pg_url} ", 1)
        words = shlex.split(command)
        if words[0] == "cd":  # cd corpus && python -m spacy train config.cfg --output ../model/
            assert words[2] == "&&" and words[3:6] == ["python", "-m", "spacy"], command
            extra = ["--training.max_steps", "2", "--training.eval_frequency", "1"] if words[6] == "train" else []
            result = subprocess.run([sys.executable, *words[4:], *extra], cwd=tmp_path / words[1],
                                    capture_output=True, text=True, timeout=600)
            assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
            ran.append(command)
            continue
        if "--layer" in words and words[words.index("--layer") + 1] == "gold":
            settled = settle_into_gold(tmp_path / "readme.db")
        if words == ["annotator"]:  # the window: let it show, then close it as a user would
            QTimer.singleShot(0, lambda: [w.close() for w in QApplication.topLevelWidgets()
                                          if isinstance(w, MainWindow) and w.isVisible()])
        try:
            code = main(words[1:])
        except SystemExit as e:  # --version ends through argparse
            code = e.code
        out, err = capsys.readouterr()
        assert code == 0, f"{command}\n{out}\n{err}"
        assert "Traceback" not in out + err
        ran.append(command)
    postgres.close()
    assert len(ran) + len(skipped) == len(commands) >= 15 and len(ran) >= 15
    assert all(_POSTGRES.search(c) for c in skipped)
    assert bool(PG_URL) == any(" team init " in c for c in ran)
    assert (tmp_path / "model" / "model-last").is_dir()  # trained beside corpus/, which --replace then replaced
    exported = [json.loads(line) for line in (tmp_path / "ana.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(len(r["spans"]) for r in exported) == 8  # ana's spans: the reviews she imported
    assert (tmp_path / "curve.png").stat().st_size > 0 and (tmp_path / "model-curve" / "meta.json").is_file()
    gold = [json.loads(line) for line in (tmp_path / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(len(r["spans"]) for r in gold) == settled > 0 and not any("_annotator_id" in r for r in gold)
