"""`annotator claims`, `relation-types` and `figure` on the command line: the claims table in its three formats,
its filters, --out under the export rules, and one coded line for every refusal."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from cli_runners import run, write

ARTICLE = "More than 12,000 residents have left Velmora since Monday, the port authority said."
SECOND = "Exports fell by about 34 per cent, the ministry said."


def _task(text: str, claim: str, links: dict[str, tuple[str, str]], who: str) -> dict:
    def span(words: str, label: str) -> dict:
        start = text.index(words)
        return {"start": start, "end": start + len(words), "label": label}

    spans = [span(claim, "CLAIM"), *(span(words, label) for words, label in links.values())]
    relations = [{"head": 0, "child": 0, "head_span": spans[0], "child_span": span(words, label), "label": kind}
                 for kind, (words, label) in links.items()]
    return {"text": text, "spans": spans, "relations": relations, "_annotator_id": who}


@pytest.fixture
def framed(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> str:
    tasks = [
        _task(ARTICLE, "More than 12,000 residents have left Velmora since Monday",
              {"said_by": ("the port authority", "SOURCE"), "where": ("Velmora", "LOCATION"),
               "figure": ("More than 12,000 residents", "FIGURE")}, "ana"),
        _task(SECOND, "Exports fell by about 34 per cent", {"figure": ("about 34 per cent", "FIGURE"),
                                                            "said_by": ("the ministry", "SOURCE")}, "ben"),
    ]
    path = write(tmp_path / "frames.jsonl", "".join(json.dumps(t) + "\n" for t in tasks))
    code, out, err = run(capsys, "--db", db, "import", str(path))
    assert code == 0 and "relations added: 5" in out, err
    return db


def test_claims_in_three_formats(framed: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", framed, "claims")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["claim"], r["said_by"], r["where"], r["annotator"], r["status"], r["position"]) for r in rows] == [
        ("More than 12,000 residents have left Velmora since Monday", "the port authority", "Velmora", "ana",
         "todo", "1"),
        ("Exports fell by about 34 per cent", "the ministry", "", "ben", "todo", "2")]
    assert rows[0]["figure"] == "More than 12,000 residents [more than 12,000 residents]"
    assert rows[1]["figure"] == "about 34 per cent [about 34 per cent]"
    code, out, _ = run(capsys, "--db", framed, "claims", "--format", "jsonl", "--layer", "ben")
    [claim] = [json.loads(line) for line in out.splitlines()]
    figure = claim["links"]["figure"][0]["figure"]
    assert (figure["value"], figure["unit"], figure["qualifier"]) == (34.0, "per cent", "about")
    assert claim["text"] == "Exports fell by about 34 per cent" and claim["annotator"] == "ben"
    code, out, _ = run(capsys, "--db", framed, "claims", "--format", "md")
    assert out.splitlines()[0] == "| # | claim | said_by | where | figure | document | annotator | status |"
    assert out.splitlines()[2].startswith("| 1 | More than 12,000 residents have left Velmora since Monday | "
                                          "the port authority | Velmora | ")


def test_claims_filters_and_out(framed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from annotator.domain.documents import Status
    from annotator.services.annotation import Annotations
    from annotator.services.workspace import get_project, open_workspace

    ws = open_workspace(framed)
    notes = Annotations(ws, get_project(ws, "default").id, "ben")
    with ws.unit() as repo:
        second = repo.document_ids(notes.project_id)[1]
    notes.set_status(second, Status.DONE)
    ws.close()
    code, out, _ = run(capsys, "--db", framed, "claims", "--status", "done", "--format", "jsonl")
    assert [json.loads(line)["annotator"] for line in out.splitlines()] == ["ben"]
    out_file = tmp_path / "claims.md"
    code, out, _ = run(capsys, "--db", framed, "claims", "--format", "md", "--out", str(out_file))
    assert code == 0 and out == f"wrote 2 claims to {out_file}\n"
    assert out_file.read_text(encoding="utf-8").count("\n") == 4
    before = out_file.read_bytes()
    code, _, err = run(capsys, "--db", framed, "claims", "--out", str(out_file))
    assert code == 2 and err.startswith("annotator: [A03") and "nothing was written" in err
    assert out_file.read_bytes() == before  # what is there stays
    code, _, err = run(capsys, "--db", framed, "claims", "--out", framed)
    assert code == 2 and "[A035]" in err and "is the database" in err
    code, _, err = run(capsys, "--db", framed, "claims", "--layer", "nobody")
    assert code == 2 and "there is no layer 'nobody'" in err and err.count("\n") == 1
    code, _, err = run(capsys, "--db", framed, "claims", "--status", "finished")
    assert code == 2 and "[A001] --status 'finished' is not a document status" in err


def test_relation_types_and_figure_commands(framed: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", framed, "relation-types", "add", "based_in", "SOURCE", "LOCATION")
    assert code == 0 and out.splitlines()[-1].split() == ["based_in", "SOURCE", "->", "LOCATION"]
    code, _, err = run(capsys, "--db", framed, "relation-types", "add", "based_in", "SOURCE", "LOCATION")
    assert code == 2 and err.startswith("annotator: [A162] the project already has a relation type 'based_in'")
    code, out, _ = run(capsys, "--db", framed, "relation-types", "delete", "where")
    assert code == 0 and out.splitlines()[0] == "deleted the relation type where and its 1 relation(s)"
    code, out, _ = run(capsys, "--db", framed, "claims", "--format", "jsonl", "--layer", "ana")
    assert "where" not in json.loads(out)["links"]
    from annotator.services.workspace import open_workspace

    ws = open_workspace(framed)
    with ws.unit() as repo:
        spans = repo.spans_for_documents(repo.document_ids(1), None)
    ws.close()
    figure = next(s.id for group in spans.values() for s in group if s.label == "FIGURE")
    place = next(s.id for group in spans.values() for s in group if s.label == "LOCATION")
    code, out, _ = run(capsys, "--db", framed, "figure", str(figure), "--value", "12,500", "--qualifier", "about")
    attrs = json.loads(out)
    assert (attrs["value"], attrs["qualifier"], attrs["unit"]) == (12500.0, "about", "residents")
    code, _, err = run(capsys, "--db", framed, "figure", str(figure), "--value", "many")
    assert code == 2 and err.startswith("annotator: [A121] 'many' is not a number")
    code, _, err = run(capsys, "--db", framed, "figure", str(place), "--unit", "km")
    assert code == 2 and err.startswith(f"annotator: [A163] span {place} is a LOCATION, not a figure")
    code, out, _ = run(capsys, "--db", framed, "claims", "--layer", "ana")
    assert "[about 12,500 residents]" in out
