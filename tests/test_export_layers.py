"""`annotator export --layer NAME` (a person, gold, a model), its default, its refusals; `stats` lists the layers."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from cli_runners import run, write

from annotator.domain.layers import Owner

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
FIRST = "Irena Dobric said 12,000 residents left Dorvan."
SECOND = "The mayor of Velmora said the bridge will reopen."
ANA = {(FIRST, 0, 12, "SOURCE"), (FIRST, 18, 34, "FIGURE"), (FIRST, 40, 46, "LOCATION"), (SECOND, 13, 20, "LOCATION")}
BOB = {(FIRST, 40, 46, "LOCATION")}
RULES = {(FIRST, 18, 24, "FIGURE"), (SECOND, 13, 20, "LOCATION")}  # what the model proposed
GOLD = {(FIRST, 0, 12, "SOURCE"), (FIRST, 18, 34, "FIGURE"), (SECOND, 13, 20, "LOCATION")}  # what a lead settled


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'layers.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")


def _prodigy(path: Path, spans: set[tuple[str, int, int, str]]) -> Path:
    lines = [json.dumps({"text": text, "spans": [{"start": s, "end": e, "label": label}
                                                 for t, s, e, label in sorted(spans) if t == text]})
             for text in (FIRST, SECOND)]
    return write(path, "\n".join(lines) + "\n")


def _add_layer(url: str, owner: Owner, spans: set[tuple[str, int, int, str]]) -> None:
    """Spans of gold or a model, written as review and suggestions will write them: through the repository."""
    from annotator.storage.engine import open_database
    from annotator.storage.unit import unit_of_work

    db = open_database(url)
    try:
        with unit_of_work(db) as repo:
            project = repo.projects.by_name("default")
            assert project is not None
            owner_id = repo.owners.owner_id(owner)
            texts = {text: doc for doc, text, *_ in repo.documents.batch(repo.documents.ids(project.id))}
            for text, start, end, label in spans:
                assert repo.spans.add(project.id, texts[text], owner_id, label, start, end) is not None
    finally:
        db.dispose()


def _exported(capsys: pytest.CaptureFixture[str], url: str, out: Path, *options: str) -> tuple[Counter[Any], str]:
    """The spans in the file (with how often each is there) and the summary's line that names the layer."""
    code, said, err = run(capsys, "--db", url, "export", "--format", "prodigy", "--out", str(out), *options)
    assert code == 0, err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    spans = [(r["text"], s["start"], s["end"], s["label"]) for r in records for s in r["spans"]]
    return Counter(spans), "\n".join(said.splitlines()[1:])


@pytest.fixture
def project(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """ana's and bob's imported spans and a model's suggestions; no gold yet."""
    for who, spans in (("ana", ANA), ("bob", BOB)):
        code, _, err = run(capsys, "--db", url, "import", str(_prodigy(tmp_path / f"in-{who}.jsonl", spans)),
                           "--format", "prodigy", "--annotator", who)
        assert code == 0, err
    _add_layer(url, Owner.model("rules"), RULES)
    return url


def test_export_takes_a_persons_a_models_or_the_gold_layer(project: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    url = project
    spans, line = _exported(capsys, url, tmp_path / "default.jsonl")
    assert spans == Counter(ANA) + Counter(BOB)  # no gold yet: as before layers, one record per person
    assert line == ""  # as before layers, and said as before
    assert _exported(capsys, url, tmp_path / "ana.jsonl", "--layer", "ana")[0] == Counter(ANA)
    spans, line = _exported(capsys, url, tmp_path / "bob.jsonl", "--annotator", "bob")
    assert spans == Counter(BOB) and line == "the spans of the layer of 'bob'"
    spans, line = _exported(capsys, url, tmp_path / "rules.jsonl", "--layer", "rules")
    assert spans == Counter(RULES) and line == "the spans of the model layer 'rules'"
    assert _exported(capsys, url, tmp_path / "model.jsonl", "--layer", "model:rules")[0] == Counter(RULES)
    code, _, err = run(capsys, "--db", url, "export", "--format", "prodigy", "--out", str(tmp_path / "g.jsonl"),
                       "--layer", "gold")
    assert code == 2 and "[A155]" in err and not (tmp_path / "g.jsonl").exists()  # no gold spans yet

    _add_layer(url, Owner.gold(), GOLD)
    spans, line = _exported(capsys, url, tmp_path / "settled.jsonl")
    assert spans == Counter(GOLD) and line.startswith("the spans of the gold layer (the project has gold spans")  # the default now
    assert _exported(capsys, url, tmp_path / "gold.jsonl", "--layer", "gold")[0] == Counter(GOLD)
    assert _exported(capsys, url, tmp_path / "still-ana.jsonl", "--annotator", "ana")[0] == Counter(ANA)
    assert _exported(capsys, url, tmp_path / "people.jsonl", "--layer", "people")[0] == Counter(ANA) + Counter(BOB)
    records = (tmp_path / "gold.jsonl").read_text(encoding="utf-8")
    assert "_annotator_id" not in records  # gold is nobody's: a re-import makes no person called gold


def test_only_done_with_a_layer_takes_the_persons_done_documents(project: str, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from annotator.domain.documents import Status
    from annotator.services.annotation import Annotations
    from annotator.services.workspace import ensure_project, open_workspace

    ws = open_workspace(project)
    try:
        ana = Annotations(ws, ensure_project(ws).id, "ana")
        first = next(d.id for d in ana.list_documents() if ana.document(d.id).text == FIRST)
        ana.set_status(first, Status.DONE)
    finally:
        ws.close()
    spans, _ = _exported(capsys, project, tmp_path / "done.jsonl", "--layer", "rules", "--only-done",
                         "--annotator", "ana")
    assert spans == Counter(s for s in RULES if s[0] == FIRST)
    code, _, err = run(capsys, "--db", project, "export", "--format", "prodigy", "--out",
                       str(tmp_path / "x.jsonl"), "--layer", "rules", "--only-done")
    assert code == 2 and "--only-done needs --annotator" in err  # a model marks nothing done


def test_an_unknown_or_ambiguous_layer_is_one_coded_line_that_lists_the_layers(
        project: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = project
    out = tmp_path / "x.jsonl"
    code, said, err = run(capsys, "--db", url, "export", "--format", "prodigy", "--out", str(out), "--layer", "nobody")
    assert code == 2 and said == "" and not out.exists()
    assert err.strip() == ("annotator: [A155] the project has no layer 'nobody' "
                           "(layers: ana, bob, rules; people: every person's spans together)")
    # a person may be called rules too (ADR 0008): then the bare name is refused with both spellings
    code, _, err = run(capsys, "--db", url, "import", str(_prodigy(tmp_path / "p.jsonl", BOB)), "--format",
                       "prodigy", "--annotator", "rules")
    assert code == 0, err
    code, _, err = run(capsys, "--db", url, "export", "--format", "prodigy", "--out", str(out), "--layer", "rules")
    assert code == 2 and "[A156]" in err and "--layer annotator:rules or --layer model:rules" in err
    assert "Traceback" not in err and not out.exists()
    assert _exported(capsys, url, out, "--layer", "annotator:rules")[0] == Counter(BOB)


def test_stats_lists_the_layers_with_their_spans(project: str, capsys: pytest.CaptureFixture[str]) -> None:
    _add_layer(project, Owner.gold(), GOLD)
    code, out, err = run(capsys, "--db", project, "stats", "--json")
    assert code == 0, err
    stats = json.loads(out)
    assert stats["layers"] == [
        {"layer": "ana", "kind": "annotator", "spans": 4}, {"layer": "bob", "kind": "annotator", "spans": 1},
        {"layer": "gold", "kind": "gold", "spans": 3}, {"layer": "rules", "kind": "model", "spans": 2}]
    assert stats["spans"] == 5 and stats["spans_by_label"]["LOCATION"] == 3  # people's spans, as before
    code, out, err = run(capsys, "--db", project, "stats")
    assert code == 0, err
    assert out.splitlines()[-5:] == ["layers (export one with --layer NAME):", "  ana (annotator): 4 spans",
                                     "  bob (annotator): 1 spans", "  gold (gold): 3 spans", "  rules (model): 2 spans"]


@pytest.mark.gui
@pytest.mark.parametrize("url", ["sqlite"], indirect=True)
def test_the_export_dialog_offers_the_layers_with_gold_first_chosen(
        project: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], qtbot: Any, open_window: Any,
        dialogs: list[tuple[str, str]], settings_path: Path) -> None:
    from PySide6.QtCore import QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from annotator.gui.dialogs.export_dialog import ExportDialog
    from annotator.gui.suggestion_desk import OFF_KEY
    from annotator.services.workspace import open_workspace

    # The window's own suggestion sources stay off: the layers offered are the ones this test made.
    QSettings(str(settings_path), QSettings.Format.IniFormat).setValue(OFF_KEY, '["occurrences", "rules"]')
    _add_layer(project, Owner.gold(), GOLD)
    ws = open_workspace(project)
    window = open_window(ws, annotator="ana", project="default")
    out = tmp_path / "from-window.jsonl"
    seen: list[list[str]] = []

    def choose(tries: int = 1000) -> None:  # the dialog runs modal: drive it once it shows
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ExportDialog):  # the layers are still being counted on the worker
            assert tries, "no export dialog within 10 s"
            QTimer.singleShot(10, lambda: choose(tries - 1))
            return
        combo = dialog.layer_combo
        seen.append([combo.itemText(i) for i in range(combo.count())] + [combo.currentText()])
        dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("prodigy"))
        dialog.out_edit.setText(str(out))
        combo.setFocus()
        qtbot.keyClick(combo, Qt.Key.Key_Down)  # from gold to the model's layer
        qtbot.keyClick(dialog, Qt.Key.Key_Return)

    QTimer.singleShot(0, choose)
    with qtbot.waitSignal(window.transfers.export_finished, timeout=None):
        qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert seen == [["every person's spans", "ana (person, 4 spans)", "bob (person, 1 spans)",
                     "gold (settled, 3 spans)", "rules (model, 2 spans)", "gold (settled, 3 spans)"]]
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert Counter((r["text"], s["start"], s["end"], s["label"]) for r in records for s in r["spans"]) == Counter(RULES)
    assert "the spans of the model layer 'rules'" in dialogs[-1][1]
    window.close()
    ws.close()
