"""Team mode on a real PostgreSQL server: roles, grants and row-level security, the open queue under contention.

Roles belong to the whole server, not to the test's throw-away database: each test makes its own names (a
random suffix) and drops them afterwards. The test server trusts local connections, so connecting as a role
needs no password.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cli_runners import ROOT, run
from db_fixtures import TEAM_TEXTS as TEXTS
from db_fixtures import Team
from fault_fixtures import HANG_GUARD_S

from annotator.domain.documents import Status
from annotator.domain.layers import Owner
from annotator.errors import PermissionDeniedError
from annotator.services.annotation import Annotations
from annotator.services.team import assign, init_team, take_open
from annotator.services.workspace import Workspace, ensure_project, open_workspace

pytestmark = pytest.mark.postgres


def _sql(url: str, *statements: str) -> list[object]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return [conn.execute(text(s)).scalar() if s.lstrip().upper().startswith("SELECT")
                    else conn.execute(text(s)).rowcount for s in statements]
    finally:
        engine.dispose()


def _doc_ids(ws: Workspace) -> list[int]:
    with ws.unit() as repo:
        return repo.documents.ids(ensure_project(ws).id)


def test_an_annotator_tags_her_own_spans_and_cannot_touch_anyone_elses(team: Team) -> None:
    from sqlalchemy import create_engine, text

    ana, ben = team.names["ana"], team.names["ben"]
    as_ben = team.open_as("ben")
    try:
        doc = _doc_ids(as_ben)[0]
        project = ensure_project(as_ben).id
        ben_span = Annotations(as_ben, project, ben).add_span(doc, "SOURCE", 0, 13)[0]
    finally:
        as_ben.close()
    as_ana = team.open_as("ana")
    try:
        work = Annotations(as_ana, project, ana)
        mine, _ = work.add_span(doc, "LOCATION", 43, 50)  # through the normal services
        work.relabel(mine.id, "SOURCE", expected=mine, document_id=doc)
        work.set_status(doc, Status.DONE)
        assert [(s.start, s.end, s.label) for s in work.spans(doc)] == [(43, 50, "SOURCE")]
        with pytest.raises(PermissionDeniedError) as refused:  # ana's window cannot write as ben
            Annotations(as_ana, project, ben).add_span(doc, "FIGURE", 19, 22)
        assert refused.value.code == "A171"
    finally:
        as_ana.close()

    engine = create_engine(team.url_as("ana"))
    try:
        with engine.begin() as conn:  # hand-written SQL: the policies hide ben's rows from every write
            ben_id = conn.execute(text("SELECT id FROM annotator WHERE name = :n"), {"n": ben}).scalar()
            assert conn.execute(text("SELECT count(*) FROM span WHERE annotator_id = :b"), {"b": ben_id}).scalar() == 1
            assert conn.execute(text('UPDATE span SET "end" = 5 WHERE annotator_id = :b'), {"b": ben_id}).rowcount == 0
            assert conn.execute(text("DELETE FROM span WHERE annotator_id = :b"), {"b": ben_id}).rowcount == 0
            assert conn.execute(text("DELETE FROM document_status WHERE annotator_id = :b"),
                                {"b": ben_id}).rowcount == 0
        refusals = [
            "UPDATE span SET annotator_id = (SELECT id FROM annotator WHERE name = :b) WHERE id = :mine",
            "INSERT INTO span (document_id, annotator_id, label_id, start, \"end\", origin, created_at) "
            "SELECT :doc, (SELECT id FROM annotator WHERE name = :b), min(id), 0, 4, 'manual', now() FROM label",
            "UPDATE label SET name = 'PLACE' WHERE name = 'LOCATION'",
            "UPDATE document SET title = 'mine' WHERE id = :doc",
            "INSERT INTO annotator (name, kind) VALUES ('gold', 'gold')",
            "INSERT INTO assignment (document_id, annotator_id, position, created_at) "
            "VALUES (:doc, (SELECT id FROM annotator WHERE name = :b), 0, now())",
        ]
        for statement in refusals:
            with pytest.raises(Exception, match="row-level security|permission denied"), engine.begin() as conn:
                conn.execute(text(statement), {"b": ben, "mine": mine.id, "doc": doc})
    finally:
        engine.dispose()
    _sql(team.url, "INSERT INTO annotator (name, kind) VALUES ('gold', 'gold')")
    engine = create_engine(team.url_as("ana"))
    try:
        with pytest.raises(Exception, match="row-level security"), engine.begin() as conn:
            conn.execute(text("INSERT INTO span (document_id, annotator_id, label_id, start, \"end\", origin, "
                              "created_at) SELECT :doc, (SELECT id FROM annotator WHERE kind = 'gold'), min(id), "
                              "0, 4, 'manual', now() FROM label"), {"doc": doc})
    finally:
        engine.dispose()
    counts = _sql(team.url, f"SELECT count(*) FROM span s JOIN annotator a ON a.id = s.annotator_id "
                            f"WHERE a.name = '{ben}' AND s.start = 0 AND s.\"end\" = 13",
                  "SELECT count(*) FROM span s JOIN annotator a ON a.id = s.annotator_id WHERE a.kind = 'gold'",
                  "SELECT count(*) FROM label WHERE name = 'PLACE'")
    assert counts == [1, 0, 0]
    assert ben_span.start == 0


def test_the_lead_writes_gold_labels_and_assignments(team: Team) -> None:
    from annotator.services import labels

    lead = team.open_as("lea")
    try:
        project = ensure_project(lead).id
        doc = _doc_ids(lead)[0]
        with lead.unit() as repo:
            gold = repo.owners.owner_id(Owner.gold())
            assert repo.spans.add(project, doc, gold, "SOURCE", 0, 13) is not None
        labels.add_label(lead, "default", "DATE", colour="#123456", key="d")
        summary = assign(lead, "default", [team.names[w] for w in ("ana", "ben")], per_document=2)
        assert sum(summary.added.values()) == 2 * len(TEXTS)
    finally:
        lead.close()
    assert _sql(team.url, "SELECT count(*) FROM span s JOIN annotator a ON a.id = s.annotator_id "
                          "WHERE a.kind = 'gold'", "SELECT count(*) FROM assignment") == [1, 2 * len(TEXTS)]
    as_ana = team.open_as("ana")
    try:  # the assignments the lead made are ana's queue
        work = Annotations(as_ana, ensure_project(as_ana).id, team.names["ana"])
        queue = [first := work.next_todo(None)]
        queue.append(work.next_todo(first))
        assert None not in queue and len(set(queue)) == 2
    finally:
        as_ana.close()


def test_team_init_again_changes_nothing_and_sqlite_is_refused(team: Team, capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    ws = open_workspace(team.url)
    try:
        again = init_team(ws, lead=team.names["lea"], annotators=[team.names["ana"], team.names["ben"]])
    finally:
        ws.close()
    assert again.created == [] and sorted(again.existing) == sorted([team.names[w] for w in ("ana", "ben", "lea")])
    code, _out, err = run(capsys, "--db", str(tmp_path / "one.db"), "team", "init", "--annotators", "ana")
    assert code == 2 and "[A170]" in err and "PostgreSQL" in err and "Traceback" not in err
    code, out, _err = run(capsys, "--db", team.url, "team", "init", "--annotators", team.names["cy"])
    assert code == 0 and "row-level security" in out and "PASSWORD" not in out.split("ALTER ROLE")[0]


CLAIMER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from annotator.services.team import take_open
    from annotator.services.workspace import open_workspace
    url, who, start = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    ws = open_workspace(url)
    print("ready", flush=True)
    while not start.exists():
        time.sleep(0.005)
    while (taken := take_open(ws, "default", who)) is not None:
        print(taken, flush=True)
    ws.close()
""")


def test_two_annotators_asking_at_once_never_get_the_same_document(team: Team, tmp_path: Path) -> None:
    from annotator.services.importing import import_paths

    many = tmp_path / "many.jsonl"
    many.write_text("".join(json.dumps({"text": f"Report {i}: the council said {i} roads reopened."}) + "\n"
                            for i in range(200)), encoding="utf-8")
    ws = open_workspace(team.url)
    try:
        assert import_paths(ws, [many], project="default", annotator="loader").errors == []
        total = len(_doc_ids(ws))
    finally:
        ws.close()
    start = tmp_path / "go"
    people = ["ana", "ben", "cy", "dan"]
    procs = [subprocess.Popen([sys.executable, "-c", CLAIMER, team.url_as(who), team.names[who], str(start)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}) for who in people]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    start.touch()
    taken: dict[str, list[int]] = {}
    for who, proc in zip(people, procs, strict=True):
        out, err = proc.communicate(timeout=HANG_GUARD_S)
        assert proc.returncode == 0, err[-2000:]
        taken[who] = [int(line) for line in out.split()]
    every = [doc for docs in taken.values() for doc in docs]
    assert len(every) == len(set(every)) == total  # each document handed out once, and all of them
    assert sum(1 for docs in taken.values() if docs) >= 2  # they really competed
    assert _sql(team.url, "SELECT count(*) FROM assignment", "SELECT count(DISTINCT document_id) FROM assignment"
                ) == [total, total]


def test_take_open_as_superuser_and_nothing_left(team: Team) -> None:
    ws = open_workspace(team.url)
    try:
        got = [take_open(ws, "default", team.names["ana"]) for _ in range(len(TEXTS) + 1)]
    finally:
        ws.close()
    assert got[-1] is None and len(set(got[:-1])) == len(TEXTS)
