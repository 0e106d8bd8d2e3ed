"""`annotator agreement` on a database where annotators imported overlapping spans, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runners import run, write

DOCS = ["Irena Dobric said 12,000 residents left Dorvan.", "The mayor of Velmora said the bridge will reopen.",
        "Only ana read this one."]
ANA = [
    {"text": DOCS[0], "spans": [{"start": 0, "end": 12, "label": "SOURCE"}, {"start": 18, "end": 34, "label": "FIGURE"},
                                {"start": 40, "end": 46, "label": "LOCATION"}]},
    {"text": DOCS[1], "spans": [{"start": 13, "end": 20, "label": "LOCATION"}]},
    {"text": DOCS[2], "spans": [{"start": 0, "end": 4, "label": "SOURCE"}]},
]
BEN = [  # a boundary shift (SOURCE, FIGURE), a missed span (Dorvan) and an extra one (The mayor)
    {"text": DOCS[0], "spans": [{"start": 6, "end": 12, "label": "SOURCE"}, {"start": 18, "end": 24, "label": "FIGURE"}]},
    {"text": DOCS[1], "spans": [{"start": 13, "end": 20, "label": "LOCATION"}, {"start": 0, "end": 9, "label": "SOURCE"}]},
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return str(tmp_path / "agreement.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")


def _import(capsys: pytest.CaptureFixture[str], database: str, tmp_path: Path, who: str, records: list) -> None:
    path = write(tmp_path / f"{who}.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    code, _, err = run(capsys, "--db", database, "import", str(path), "--format", "prodigy", "--annotator", who)
    assert code == 0, err


def test_two_annotators_figures_by_hand(capsys: pytest.CaptureFixture[str], database: str, tmp_path: Path) -> None:
    _import(capsys, database, tmp_path, "ana", ANA)
    _import(capsys, database, tmp_path, "ben", BEN)
    code, out, err = run(capsys, "--db", database, "agreement", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["annotators"] == ["ana", "ben"] and report["documents"] == 2  # the third only ana annotated
    (pair,) = report["pairs"]
    assert (pair["first"], pair["second"], pair["documents"]) == ("ana", "ben", 2)
    source, figure = pair["labels"]["SOURCE"], pair["labels"]["FIGURE"]
    # SOURCE: ana "Irena Dobric"; ben "Dobric" and "The mayor". Exact: nothing alike; overlap: Dobric.
    assert source["exact"] | {"precision": 0} == {"tp": 0, "fp": 2, "fn": 1, "precision": 0, "recall": 0, "f1": 0}
    assert (source["overlap"]["tp"], source["overlap"]["fp"], source["overlap"]["fn"]) == (1, 1, 0)
    # Tokens of the two texts: 8 + 10 = 18. SOURCE: both "Dobric"; ana "Irena"; ben "The", "mayor"; 14 neither.
    # p_o = 15/18; ana says yes on 2/18, ben on 3/18: p_e = (2*3 + 16*15)/18^2 = 246/324; kappa = 24/78.
    assert source["tokens"] == {"both": 1, "first_only": 1, "second_only": 2, "neither": 14}
    assert source["kappa"] == pytest.approx(24 / 78)
    # FIGURE: "12,000 residents" against "12,000": p_o = 17/18, p_e = (2*1 + 16*17)/324 = 274/324: kappa 32/50.
    assert figure["tokens"] == {"both": 1, "first_only": 1, "second_only": 0, "neither": 16}
    assert figure["kappa"] == pytest.approx(32 / 50)
    assert pair["overall"]["exact"]["tp"] == 1 and pair["overall"]["overlap"]["tp"] == 3  # Velmora; + 12,000 + Dobric
    assert pair["labels"]["CLAIM"]["kappa"] is None  # no one marked a CLAIM: undefined
    assert report["all_annotators"]["alpha"]["SOURCE"] == pytest.approx(source["alpha"])
    # LOCATION: ana's Dorvan is the only disagreement, one token of 18 per annotator: n = 36 values, 3 yes:
    # alpha = 1 - 35 * 2 / (36^2 - 3^2 - 33^2) = 1 - 70/198. u-alpha on one-token units: the same, by hand
    # D_o = 2 * 1 / (2 * 18^2), D_e = (2/18) * 3 * (6+4+6+11+6) / (2*18 * (2*18 - 1)) = 11/1260.
    location = pair["labels"]["LOCATION"]
    assert location["alpha"] == pytest.approx(1 - 70 / 198)
    assert location["u_alpha"] == pytest.approx(1 - (2 / 648) / (11 / 1260)) == pytest.approx(location["alpha"])
    # FIGURE: the shorter "12,000" earns u-alpha partial credit that the token-by-token alpha does not give.
    assert figure["u_alpha"] > figure["alpha"]

    code, out, err = run(capsys, "--db", database, "agreement")
    assert code == 0 and not err
    lines = out.splitlines()
    table = lines[1:7]  # the header, 4 labels and (all)
    assert table[0].split() == ["pair", "label", "documents", "spans", "1st", "spans", "2nd", "F1", "exact", "F1",
                                "overlap", "kappa", "alpha", "u-alpha"]
    assert len({len(line) for line in table}) == 1  # aligned: the last column ends in the same place
    assert table[1].split() == ["ana", "/", "ben", "SOURCE", "2", "1", "2", "0.000", "0.667", "0.308",
                                f"{source['alpha']:.3f}", f"{source['u_alpha']:.3f}"]
    assert "Traceback" not in out


def test_a_status_counts_as_annotated_and_labels_narrow(capsys: pytest.CaptureFixture[str], database: str,
                                                         tmp_path: Path) -> None:
    from annotator.domain.documents import Status
    from annotator.services.annotation import Annotations
    from annotator.services.workspace import get_project, open_workspace

    _import(capsys, database, tmp_path, "ana", ANA)
    _import(capsys, database, tmp_path, "ben", BEN)
    ws = open_workspace(database)
    try:
        project = get_project(ws, "default")
        with ws.unit() as repo:
            first = repo.documents.ids(project.id)[0]
        Annotations(ws, project.id, "cy").set_status(first, Status.DONE)  # done, and found nothing to tag
    finally:
        ws.close()
    code, out, err = run(capsys, "--db", database, "agreement", "--json", "--labels", " SOURCE ,FIGURE")
    assert code == 0, err
    report = json.loads(out)
    assert report["labels"] == ["SOURCE", "FIGURE"] and report["annotators"] == ["ana", "ben", "cy"]
    pairs = {(p["first"], p["second"]): p for p in report["pairs"]}
    assert {k: p["documents"] for k, p in pairs.items()} == {("ana", "ben"): 2, ("ana", "cy"): 1, ("ben", "cy"): 1}
    # cy said no to every token of the first text (8 tokens): ana's SOURCE there is "Irena Dobric".
    assert pairs["ana", "cy"]["labels"]["SOURCE"]["tokens"] == {"both": 0, "first_only": 2, "second_only": 0,
                                                                "neither": 6}
    assert pairs["ana", "cy"]["labels"]["SOURCE"]["exact"]["fn"] == 1


def test_fewer_than_two_annotators_and_unknown_labels_are_one_coded_line(
        capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    _import(capsys, db, tmp_path, "ana", ANA)
    code, out, err = run(capsys, "--db", db, "agreement")
    assert code == 2 and not out
    assert err.startswith("annotator: [A110] agreement needs two annotators; project 'default' has 1 (ana)")
    assert len(err.splitlines()) == 1
    _import(capsys, db, tmp_path, "ben", BEN)
    code, out, err = run(capsys, "--db", db, "agreement", "--labels", "SOURCE,GPE")
    assert code == 2 and not out
    assert err.startswith("annotator: [A111] --labels names 'GPE', which the project does not have")
    assert "SOURCE, LOCATION, FIGURE, CLAIM" in err
    code, _, err = run(capsys, "--db", db, "agreement", "--labels", ",")
    assert code == 2 and "[A111]" in err
    code, _, err = run(capsys, "--db", db, "agreement", "--project", "nope")
    assert code == 2 and "[A060]" in err


def test_gold_and_model_layers_are_not_counted_as_annotators(capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    from annotator.domain.layers import Owner
    from annotator.storage.engine import open_database
    from annotator.storage.unit import unit_of_work

    database = str(tmp_path / "agreement.db")
    _import(capsys, database, tmp_path, "ana", ANA)
    _import(capsys, database, tmp_path, "ben", BEN)
    db = open_database(database)
    with unit_of_work(db) as repo:  # the same spans as ana's, under gold and a model called ben
        project = repo.projects.by_name("default")
        assert project is not None
        for owner in (Owner.gold(), Owner.model("ben")):
            who = repo.owners.owner_id(owner)
            for doc_id in repo.documents.ids(project.id):
                for span in repo.spans.of_document(doc_id, repo.owners.annotator_id("ana")):
                    repo.spans.add(project.id, doc_id, who, span.label, span.start, span.end)
    db.dispose()
    code, out, err = run(capsys, "--db", database, "agreement", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["annotators"] == ["ana", "ben"] and len(report["pairs"]) == 1
    assert report["pairs"][0]["labels"]["SOURCE"]["tokens"]["second_only"] == 2  # ben is the person, not the model
