"""A label's kind (entity or statement) decides what its spans are, never its name: the domain rule, migration
0005, the repository, the label commands, imports, and the spaCy export's doc.ents."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from cli_runners import run
from db_fixtures import labels_at_0004, rows

from annotator.domain.labels import Label, LabelKind, labels_from_json
from annotator.errors import LabelKindError

TEXT = "The mayor said that 17 drones hit Hrebenka overnight, officials said."
CLAIM = "17 drones hit Hrebenka overnight"


def spans_file(path: Path, label: str) -> Path:
    """One article with a clause of `label` holding a FIGURE and a LOCATION."""
    spans = [(CLAIM, label), ("17 drones", "FIGURE"), ("Hrebenka", "LOCATION")]
    record = {"text": TEXT, "spans": [{"start": TEXT.index(p), "end": TEXT.index(p) + len(p), "label": lb}
                                      for p, lb in spans]}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


def docbin_labels(folder: Path) -> tuple[list[str], list[str]]:
    """(labels in doc.spans["sc"], labels in doc.ents) over train.spacy and dev.spacy."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    spans: list[str] = []
    ents: list[str] = []
    for part in ("train.spacy", "dev.spacy"):
        for doc in DocBin().from_disk(folder / part).get_docs(Vocab()):
            spans += [s.label_ for s in doc.spans["sc"]]
            ents += [s.label_ for s in doc.ents]
    return sorted(spans), sorted(ents)


@pytest.fixture
def db(database: str) -> str:
    """The tests that take `db` run on a SQLite file and on PostgreSQL."""
    return database


def kinds(db: str, project: str = "default") -> dict[str, str]:
    return dict(rows(db, "SELECT l.name, l.kind FROM label l JOIN project p ON p.id = l.project_id "
                         "WHERE p.name = :project ORDER BY l.position", project=project))


def test_a_label_is_an_entity_or_a_statement_and_nothing_else() -> None:
    assert Label("SOURCE", "#f4a259").kind is LabelKind.ENTITY
    assert Label("ASSERTION", "#b07cc6", kind="statement").is_statement
    for bad in ("claim", "Statement", "", None, ["statement"]):
        with pytest.raises(LabelKindError) as info:
            Label("X", "#123456", kind=bad)  # type: ignore[arg-type]
        assert str(info.value).startswith("[A054] label kind") and "entity" in str(info.value)
    text = '{"labels": [{"name": "X", "colour": "#123456", "kind": "event"}]}'
    with pytest.raises(LabelKindError, match="'event'"):
        labels_from_json(text)
    assert labels_from_json('{"labels": [{"name": "X", "colour": "#123456"}]}').labels[0].kind is LabelKind.ENTITY


def test_the_default_label_set_has_claim_as_its_statement() -> None:
    from annotator.services.workspace import default_labels

    assert {label.name: label.kind.value for label in default_labels()} == {
        "SOURCE": "entity", "LOCATION": "entity", "FIGURE": "entity", "CLAIM": "statement"}


def test_migration_0005_makes_every_claim_a_statement(tmp_path: Path) -> None:
    # SQLite: the backup of the file and AUTOINCREMENT; the same migration on PostgreSQL is in test_postgres.py
    from annotator.storage.engine import open_database

    path = tmp_path / "old.db"
    # each project with a CLAIM, one also with a 'claim'
    labels_at_0004(f"sqlite:///{path}", [(1, "FIGURE"), (1, "CLAIM"), (2, "CLAIM"), (2, "claim"), (2, "SOURCE")])
    db = open_database(path)
    assert db.backup is not None  # the 0004 file was kept before the column was added
    db.dispose()
    assert kinds(str(path), "news") == {"FIGURE": "entity", "CLAIM": "statement"}
    assert kinds(str(path), "other") == {"CLAIM": "statement", "claim": "entity", "SOURCE": "entity"}
    with sqlite3.connect(path) as conn:  # adding the column kept the table's AUTOINCREMENT (migration 0004)
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'label'").fetchone()[0]
    assert "AUTOINCREMENT" in sql


def test_the_kind_is_stored_read_and_changed_on_the_command_line(tmp_path: Path, db: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", db, "import", str(spans_file(tmp_path / "a.jsonl", "CLAIM")))[0] == 0
    code, out, _ = run(capsys, "--db", db, "labels", "add", "THESIS", "--kind", "statement", "--key", "T")
    assert code == 0
    code, out, _ = run(capsys, "--db", db, "labels", "list")
    listed = {line.split()[0]: line.split()[1] for line in out.splitlines()}
    assert listed == {"SOURCE": "entity", "LOCATION": "entity", "FIGURE": "entity", "CLAIM": "statement",
                      "THESIS": "statement"}
    assert run(capsys, "--db", db, "labels", "rekind", "CLAIM", "entity")[0] == 0
    assert kinds(db)["CLAIM"] == "entity"
    assert kinds(db)["THESIS"] == "statement"  # the other labels stay as they were
    assert run(capsys, "--db", db, "labels", "add", "PLAIN")[0] == 0
    assert kinds(db)["PLAIN"] == "entity"

    before = kinds(db)
    for args in (("labels", "rekind", "THESIS", "claim"), ("labels", "add", "EVENT", "--kind", "event")):
        code, out, err = run(capsys, "--db", db, *args)
        assert code == 2 and out == ""
        assert err.startswith("annotator: [A054] label kind") and err.count("\n") == 1, err
        assert kinds(db) == before  # nothing changed, nothing added


def test_a_renamed_claim_is_still_kept_out_of_doc_ents(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", db, "import", str(spans_file(tmp_path / "a.jsonl", "CLAIM")))[0] == 0
    assert run(capsys, "--db", db, "labels", "rename", "CLAIM", "ASSERTION")[0] == 0
    code, out, _ = run(capsys, "--db", db, "export", "--format", "spacy", "--out", str(tmp_path / "corpus"),
                       "--split", "1.0")
    assert code == 0
    assert docbin_labels(tmp_path / "corpus") == (["ASSERTION", "FIGURE", "LOCATION"], ["FIGURE", "LOCATION"])
    assert "1 span(s) kept in doc.spans but left out of doc.ents (1 a statement, not an entity):" in out
    assert f"[{TEXT.index(CLAIM)}:{TEXT.index(CLAIM) + len(CLAIM)}] ASSERTION: a statement, not an entity" in out


def test_a_label_added_as_a_statement_is_kept_out_of_doc_ents(tmp_path: Path, db: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", db, "import", str(spans_file(tmp_path / "a.jsonl", "CLAIM")))[0] == 0
    assert run(capsys, "--db", db, "labels", "add", "THESIS", "--kind", "statement")[0] == 0
    # a second article whose clause is a THESIS: the import finds the label and keeps its kind
    assert run(capsys, "--db", db, "import", str(spans_file(tmp_path / "b.jsonl", "THESIS")), "--annotator",
               "bob")[0] == 0
    assert kinds(db)["THESIS"] == "statement"
    code, out, _ = run(capsys, "--db", db, "export", "--format", "spacy", "--out", str(tmp_path / "corpus"),
                       "--split", "1.0", "--annotator", "bob")
    assert code == 0
    assert docbin_labels(tmp_path / "corpus") == (["FIGURE", "LOCATION", "THESIS"], ["FIGURE", "LOCATION"])
    assert "THESIS: a statement, not an entity" in out


def test_labels_an_import_brings_are_added_as_entities(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", db, "import", str(spans_file(tmp_path / "a.jsonl", "CLAIM")))[0] == 0
    assert run(capsys, "--db", db, "labels", "delete", "CLAIM", "--with-spans")[0] == 0
    # The project lacks CLAIM now: a file that brings it (and one new name) adds both, as entities.
    assert run(capsys, "--db", db, "import", str(spans_file(tmp_path / "b.jsonl", "CLAIM")), "--annotator",
               "bob")[0] == 0
    assert run(capsys, "--db", db, "import", str(spans_file(tmp_path / "c.jsonl", "EVENT")), "--annotator",
               "cy")[0] == 0
    assert kinds(db) == {"SOURCE": "entity", "LOCATION": "entity", "FIGURE": "entity", "CLAIM": "entity",
                         "EVENT": "entity"}
    code, _, _ = run(capsys, "--db", db, "export", "--format", "spacy", "--out", str(tmp_path / "corpus"),
                     "--split", "1.0", "--annotator", "bob")
    assert code == 0
    _, ents = docbin_labels(tmp_path / "corpus")
    assert ents == ["CLAIM"]  # an entity now: the longest span wins doc.ents, the two inside it overlap


def test_no_code_tests_a_label_by_the_name_claim() -> None:
    """CLAIM is a name in the default label set (resources/labels.json), never a rule in the code."""
    import re

    package = Path(__file__).resolve().parents[1] / "annotator"
    named = [f"{path.relative_to(package)}:{n}" for path in sorted(package.rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if re.search(r"""["']CLAIM["']""", line)]
    assert named == []
