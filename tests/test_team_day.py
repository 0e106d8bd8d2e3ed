"""A whole team day on a real PostgreSQL server (issue 12's "Done when"): the lead imports the sample articles, sets
up the team and assigns every article to both annotators; ana and ben tag them at the same time in their own
processes, each connected as their own role; the agreement is printed; the lead reviews in the window by keys; gold
is exported and trained on.

ben disagrees with ana as people do: he starts one FIGURE two words late (a boundary shift) and misses one
LOCATION. Everything else they agree on.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_runners import ROOT, run
from db_fixtures import drop_roles
from fault_fixtures import HANG_GUARD_S

pytest.importorskip("pytestqt")
pytestmark = [pytest.mark.postgres, pytest.mark.gui]

SAMPLES = sorted((ROOT / "resources" / "samples").glob("0*.txt"))
# what ana tags in each sample article (found by its text): one SOURCE, one FIGURE, one LOCATION
ANA = {
    "01": [("SOURCE", "Irena Dobrić"), ("FIGURE", "More than 12,000 residents"), ("LOCATION", "Velmora")],
    "02": [("SOURCE", "Daniel Reuter"), ("FIGURE", "34 per cent"), ("LOCATION", "Ostrava Bay")],
    "03": [("SOURCE", "Olena Marchuk"), ("FIGURE", "Around 400,000 households"), ("LOCATION", "Dorvan")],
    "04": [("SOURCE", "Amina Haddad"), ("FIGURE", "41 weeks"), ("LOCATION", "Westbury")],
}
BEN = {**ANA,
       "01": [("SOURCE", "Irena Dobrić"), ("FIGURE", "12,000 residents"), ("LOCATION", "Velmora")],  # shifted
       "03": [("SOURCE", "Olena Marchuk"), ("FIGURE", "Around 400,000 households")]}  # missed Dorvan

# One annotator's day, in its own process and connected as its own role: take the next assigned article, tag it
# through the services the window uses, mark it done, until the queue is empty.
WORKER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from annotator.domain.documents import Status
    from annotator.services.annotation import Annotations
    from annotator.services.workspace import ensure_project, open_workspace
    url, who, plan, start = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), Path(sys.argv[4])
    ws = open_workspace(url)
    work = Annotations(ws, ensure_project(ws).id, who)
    print("ready", flush=True)
    deadline = time.monotonic() + 60
    while not start.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    doc = work.next_todo(None)
    for _ in range(20):
        if doc is None:
            break
        text = work.document(doc).text
        key = next(k for k, tags in plan.items() if all(phrase in text for _, phrase in tags))
        for label, phrase in plan[key]:
            at = text.index(phrase)
            work.add_span(doc, label, at, at + len(phrase))
        work.set_status(doc, Status.DONE)
        print(key, flush=True)
        doc = work.next_todo(doc)
    ws.close()
""")


@pytest.fixture
def names(pg_url: str) -> Iterator[dict[str, str]]:
    """This run's role names (roles belong to the whole server), dropped afterwards with the team's group roles."""
    suffix = uuid.uuid4().hex[:6]
    made = {who: f"{who}_{suffix}" for who in ("ana", "ben", "lea")}
    try:
        yield made
    finally:
        database = pg_url.rpartition("/")[2]
        drop_roles(pg_url, [*made.values(), f"{database}_annotators", f"{database}_lead"])


def _as(url: str, role: str) -> str:
    return url.replace("postgres@", f"{role}@", 1)


def _tag_in_parallel(url: str, names: dict[str, str], tmp_path: Path) -> dict[str, list[str]]:
    start = tmp_path / "go"
    plans = {"ana": ANA, "ben": BEN}
    procs = {who: subprocess.Popen([sys.executable, "-c", WORKER, _as(url, names[who]), names[who],
                                    json.dumps(plan), str(start)],
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
             for who, plan in plans.items()}
    try:
        for proc in procs.values():
            assert proc.stdout is not None and proc.stderr is not None
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()[-2000:]
        start.touch()  # both begin together
        tagged = {}
        for who, proc in procs.items():
            out, err = proc.communicate(timeout=HANG_GUARD_S)
            assert proc.returncode == 0, err[-2000:]
            tagged[who] = out.split()
        return tagged
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


def _review_first_article_by_keys(qtbot: Any, open_window: Any, url: str, lead: str,
                                  shot: Path, errors: list[str]) -> list[tuple[str, str]]:
    """The lead, connected as the lead's role, settles the article with the shifted FIGURE in the window."""
    from PySide6.QtCore import Qt

    from annotator.domain.layers import Owner
    from annotator.services.review import Review
    from annotator.services.workspace import ensure_project, open_workspace

    def key(k: Any, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
        qtbot.keyClick(window.article, k, modifier)

    ws = open_workspace(_as(url, lead))
    window = None
    try:
        with ws.unit() as repo:
            project = ensure_project(ws).id
            first = next(d for d in repo.documents.ids(project) if "Velmora" in repo.documents.get(d).text)
        window = open_window(ws, annotator=lead, document_id=first)
        window.article.select_range(0, 0)
        key(Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        mode = window.review_mode
        assert mode.active and window.session.editing == Owner.gold()
        agreed = {(c.label, c.agreed) for c in mode.state.candidates}
        assert agreed == {("SOURCE", True), ("LOCATION", True), ("FIGURE", False)}
        key(Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # every agreed span into gold
        key(Qt.Key.Key_N)  # to the first disputed one: ana's longer FIGURE
        doc_text = window.session.annotations.document(first).text
        start, end = window.article.selection()
        assert doc_text[start:end] == "More than 12,000 residents"
        assert "disputed: made by" in window.statusBar().currentMessage()
        key(Qt.Key.Key_Return)  # accepted: the gold FIGURE there settles ben's shorter one too
        assert errors == [] and mode.state.open == []
        assert window.statusBar().currentMessage() == "every candidate of this document is settled"
        window.grab().save(str(shot))
        key(Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        assert not mode.active
        gold = Review(ws, project, lead).document(first).gold
        return sorted((g.label, doc_text[g.start:g.end]) for g in gold)
    finally:
        if window is not None:
            window.close()  # its timers would read a database about to be dropped
        ws.close()


def _gold_texts(url: str) -> list[tuple[str, str]]:
    """Every gold span as (label, its text), read from outside the program."""
    from db_fixtures import rows

    return [(str(label), str(text)[start:end]) for label, text, start, end in rows(
        url, 'SELECT l.name, d.text, s.start, s."end" FROM span s JOIN annotator a ON a.id = s.annotator_id '
             "JOIN label l ON l.id = s.label_id JOIN document d ON d.id = s.document_id WHERE a.kind = 'gold'")]


def test_a_team_day(qtbot: Any, open_window: Any, errors: list[str], pg_url: str, names: dict[str, str], tmp_path: Path,
                    capsys: pytest.CaptureFixture[str]) -> None:
    lead, ana, ben = names["lea"], names["ana"], names["ben"]
    # 1. the lead (here the owner of the tables) imports the articles, sets up the team and assigns
    code, _, err = run(capsys, "--db", pg_url, "--annotator", lead, "import", *map(str, SAMPLES))
    assert code == 0, err
    code, out, err = run(capsys, "--db", pg_url, "team", "init", "--lead", lead, "--annotators", f"{ana},{ben}")
    assert code == 0 and "row-level security" in out, err
    code, out, err = run(capsys, "--db", pg_url, "assign", "--annotators", f"{ana},{ben}", "--per-document", "2",
                         "--seed", "0")
    assert code == 0, err

    # 2. both annotators tag the same articles at once, each as their own role
    tagged = _tag_in_parallel(pg_url, names, tmp_path)
    assert sorted(tagged["ana"]) == sorted(tagged["ben"]) == sorted(ANA)

    # 3. the agreement, printed as the lead reads it and checked in its JSON form: of ana's 12 spans and ben's 11,
    # 10 match exactly (the shifted FIGURE does not, the missed LOCATION has no partner) and 11 overlap
    code, out, err = run(capsys, "--db", pg_url, "agreement")
    assert code == 0, err
    assert out.startswith("project default (en): 2 annotators, 4 documents annotated by two or more")
    assert ana in out and ben in out and "FIGURE" in out
    code, out, err = run(capsys, "--db", pg_url, "agreement", "--json")
    assert code == 0, err
    figures = json.loads(out)
    assert figures["annotators"] == [ana, ben] and figures["documents"] == 4
    (pair,) = figures["pairs"]
    assert (pair["first"], pair["second"], pair["documents"]) == (ana, ben, 4)

    def counts(match: dict[str, Any]) -> tuple[int, int, int]:  # ben's spans scored against ana's
        return match["tp"], match["fp"], match["fn"]

    assert counts(pair["overall"]["exact"]) == (10, 1, 2)
    assert pair["overall"]["exact"]["f1"] == pytest.approx(20 / 23)
    assert counts(pair["overall"]["overlap"]) == (11, 0, 1)
    assert counts(pair["labels"]["SOURCE"]["exact"]) == (4, 0, 0) and pair["labels"]["SOURCE"]["kappa"] == 1
    assert counts(pair["labels"]["FIGURE"]["exact"]) == (3, 1, 1)
    assert counts(pair["labels"]["FIGURE"]["overlap"]) == (4, 0, 0)
    assert counts(pair["labels"]["LOCATION"]["exact"]) == (3, 0, 1)
    assert 0 < pair["labels"]["FIGURE"]["kappa"] < 1 and 0 < pair["labels"]["LOCATION"]["kappa"] < 1

    # 4. the lead reviews the article with the shifted FIGURE in the window, the rest in bulk
    gold = _review_first_article_by_keys(qtbot, open_window, pg_url, lead, tmp_path / "review.png", errors)
    assert gold == [("FIGURE", "More than 12,000 residents"), ("LOCATION", "Velmora"), ("SOURCE", "Irena Dobrić")]
    code, out, err = run(capsys, "--db", _as(pg_url, lead), "--annotator", lead, "gold", "--auto-accept-agreed")
    assert code == 0, err
    # the two articles all agreed on, and the agreed spans of the one with the missed LOCATION (which stays out)
    assert "Dorvan" not in [text for label, text in _gold_texts(pg_url) if label == "LOCATION"]
    assert len(_gold_texts(pg_url)) == 11

    # 5. gold exported and trained on
    code, out, err = run(capsys, "--db", _as(pg_url, lead), "--annotator", lead, "export", "--format", "spacy",
                         "--layer", "gold", "--out", str(tmp_path / "gold"))
    assert code == 0 and "wrote 4 documents and 11 spans" in out, err
    assert (tmp_path / "gold" / "train.spacy").is_file()
    code, out, err = run(capsys, "--db", _as(pg_url, lead), "train", "--layer", "gold",
                         "--max-steps", "5", "--out", str(tmp_path / "model"))
    assert code == 0, err
    assert "trained on 3 document(s) of the gold layer, scored on 1 held back; 5 steps" in out
    assert (tmp_path / "model" / "meta.json").is_file()
