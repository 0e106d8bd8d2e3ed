"""Assignments and queues on SQLite: balanced and seeded hand-out, idempotent re-runs, the next document to do."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runners import run

from annotator.domain.documents import Status
from annotator.errors import AssignmentError
from annotator.services.annotation import Annotations
from annotator.services.importing import import_paths
from annotator.services.stats import project_stats
from annotator.services.team import assign, take_open
from annotator.services.workspace import Workspace, ensure_project, open_workspace


def _import(ws: Workspace, folder: Path, texts: list[str]) -> None:
    source = folder / f"docs{len(list(folder.glob('docs*.jsonl')))}.jsonl"
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    assert import_paths(ws, [source], project="default", annotator="loader").errors == []


def _queues(ws: Workspace) -> dict[str, list[int]]:
    from annotator.storage.assignments import project_assignments

    project = ensure_project(ws).id
    out: dict[str, list[int]] = {}
    with ws.unit() as repo:
        for doc, who in sorted(project_assignments(repo, project)):
            out.setdefault(who, []).append(doc)
    return out


@pytest.fixture
def project_ws(tmp_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(tmp_path / "team.db")
    _import(ws, tmp_path, [f"Article {i}: the mayor said {i} bridges reopened." for i in range(10)])
    yield ws
    ws.close()


def test_each_document_goes_to_k_annotators_balanced(project_ws: Workspace) -> None:
    summary = assign(project_ws, "default", ["ana", "ben", "cy"], per_document=2, seed=3)
    queues = _queues(project_ws)
    per_doc = Counter(doc for docs in queues.values() for doc in docs)
    assert set(per_doc.values()) == {2} and len(per_doc) == 10
    sizes = sorted(len(docs) for docs in queues.values())
    assert sizes[-1] - sizes[0] <= 1 and sum(sizes) == 20
    assert summary.added == Counter({who: len(docs) for who, docs in queues.items()})


def test_a_second_run_adds_only_what_is_missing(project_ws: Workspace, tmp_path: Path) -> None:
    assign(project_ws, "default", ["ana", "ben", "cy"], per_document=2)
    before = _queues(project_ws)
    again = assign(project_ws, "default", ["ana", "ben", "cy"], per_document=2)
    assert not again.added and again.lines()[0].startswith("nothing to assign: all 10 document(s)")
    assert _queues(project_ws) == before
    _import(project_ws, tmp_path, ["A new article: the port said exports fell.", "Another: 40 homes flooded."])
    third = assign(project_ws, "default", ["ana", "ben", "cy"], per_document=2)
    assert sum(third.added.values()) == 4 and third.complete_before == 10
    after = _queues(project_ws)
    assert all(after[who][: len(docs)] == docs for who, docs in before.items())
    sizes = sorted(len(docs) for docs in after.values())
    assert sizes[-1] - sizes[0] <= 1


def test_the_same_seed_gives_the_same_queues(tmp_path: Path) -> None:
    texts = [f"Note {i}: {i} trains were late." for i in range(12)]
    queues = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        folder = tmp_path / name
        folder.mkdir()
        ws = open_workspace(folder / "t.db")
        try:
            _import(ws, folder, texts)
            assign(ws, "default", ["ana", "ben", "cy", "dan"], per_document=1, seed=seed)
            queues.append(_queues(ws))
        finally:
            ws.close()
    assert queues[0] == queues[1] and queues[0] != queues[2]


def test_next_to_do_follows_the_queue_then_takes_open_documents(project_ws: Workspace) -> None:
    project = ensure_project(project_ws).id
    assign(project_ws, "default", ["ana", "ben"], per_document=1, seed=0)
    mine = _queues(project_ws)["ana"]
    work = Annotations(project_ws, project, "ana")
    assert work.first_document() == mine[0]
    seen = []
    current = None
    for _ in mine:
        current = work.next_todo(current)
        assert current is not None
        seen.append(current)
        work.set_status(current, Status.DONE)
    assert seen == mine  # in queue order, each once
    assert work.next_todo(current) is None  # every document is someone's: nothing open is left
    stats = project_stats(project_ws, "default")
    assert stats["queues"]["ana"] == {"assigned": len(mine), "done": len(mine)}
    assert stats["queues"]["ben"] == {"assigned": 10 - len(mine), "done": 0}


def test_without_queues_next_to_do_is_as_before(project_ws: Workspace) -> None:
    project = ensure_project(project_ws).id
    work = Annotations(project_ws, project, "ana")
    with project_ws.unit() as repo:
        docs = repo.documents.ids(project)
    assert work.next_todo(None) == docs[0] and work.next_todo(docs[0]) == docs[1]
    assert project_stats(project_ws, "default")["queues"] == {}


def test_an_empty_queue_takes_the_next_document_nobody_has(project_ws: Workspace) -> None:
    project = ensure_project(project_ws).id
    with project_ws.unit() as repo:
        docs = repo.documents.ids(project)
    assert take_open(project_ws, "default", "ben") == docs[0]  # the project is now handed out by queues
    work = Annotations(project_ws, project, "ana")
    assert work.next_todo(None) == docs[1]  # ana has no queue yet: she takes the next open one
    assert _queues(project_ws) == {"ana": [docs[1]], "ben": [docs[0]]}


def test_assign_on_the_command_line(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    source.write_text("".join(json.dumps({"text": f"Text {i} about roads."}) + "\n" for i in range(5)), "utf-8")
    assert run(capsys, "--db", db, "import", str(source))[0] == 0
    code, out, _ = run(capsys, "--db", db, "assign", "--annotators", "ana,ben,cy", "--per-document", "2")
    assert code == 0 and out.startswith("assigned 10 document(s) (ana ")
    code, out, _ = run(capsys, "--db", db, "assign", "--annotators", "ana,ben,cy", "--per-document", "2")
    assert code == 0 and out.startswith("nothing to assign")
    code, out, _ = run(capsys, "--db", db, "stats")
    assert "queue of ana: 0 of " in out
    code, _, err = run(capsys, "--db", db, "assign", "--annotators", "ana", "--per-document", "2")
    assert code == 2 and "[A173]" in err
    code, _, err = run(capsys, "--db", db, "assign")
    assert code == 2 and "[A001]" in err and "--annotators" in err


def test_assign_refuses_impossible_numbers(project_ws: Workspace) -> None:
    for names, k in ((["ana"], 2), (["ana", "ben"], 0), ([" ", ""], 1)):
        with pytest.raises(AssignmentError):
            assign(project_ws, "default", names, per_document=k)
    assert _queues(project_ws) == {}
