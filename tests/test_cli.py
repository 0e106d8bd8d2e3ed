"""The command line as a user runs it: import, export, stats, labels, and one plain line per bad input."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runners import run, run_cli, write
from db_fixtures import rows

from annotator.cli import main


@pytest.fixture
def db(database: str) -> str:
    """The tests that take `db` run on a SQLite file and on PostgreSQL; the ones about files make their own."""
    return database


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("annotator 0.")


@pytest.mark.parametrize("argv", [
    [], ["--db", "x.db"], ["--db=x.db", "--annotator", "ana", "--project", "news"], ["--self-test", "--db", "y.db"],
    ["--project", "import"], ["--annotator=--db"],  # a value that looks like a command or an option
])
def test_the_windows_options_are_read_as_the_full_parser_reads_them(argv: list[str]) -> None:
    from annotator.cli import build_parser, window_options

    args = window_options(argv)
    assert args is not None and vars(args) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [
    ["import", "a.txt"], ["--db", "x.db", "stats"], ["--help"], ["-h"], ["--version"], ["--db"], ["--d", "x.db"],
    ["--frobnicate"], ["--", "stats"],
])
def test_anything_but_the_windows_options_goes_to_the_full_parser(argv: list[str]) -> None:
    from annotator.cli import window_options

    assert window_options(argv) is None


def test_import_text_then_export_spacy_then_read_back(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    write(folder / "a.txt", "Governor Olena Marchuk said 17 drones hit Hrebenka.\r\n")
    write(folder / "b.txt", "The port said exports fell by 34 per cent.\n")
    code, out, _ = run(capsys, "--db", db, "import", str(folder))
    assert code == 0
    assert "documents added: 2" in out
    code, out, _ = run(capsys, "--db", db, "import", str(folder / "a.txt"))
    assert "documents skipped (same text already in the project): 1" in out
    jsonl = write(tmp_path / "spans.jsonl", json.dumps({
        "text": "Olena Marchuk said 400,000 homes lost power in Dorvan.",
        "spans": [{"start": 0, "end": 13, "label": "SOURCE"}, {"start": 19, "end": 32, "label": "FIGURE"},
                  {"start": 47, "end": 53, "label": "LOCATION"}, {"start": 19, "end": 53, "label": "CLAIM"}],
    }) + "\n")
    code, out, _ = run(capsys, "--db", db, "--annotator", "ana", "import", str(jsonl))
    assert code == 0 and "spans added: 4" in out and "spans not on token boundaries (kept as given): 0" in out
    corpus = tmp_path / "corpus"
    code, out, err = run(capsys, "--db", db, "export", "--format", "spacy", "--out", str(corpus))
    assert code == 0, err
    assert {p.name for p in corpus.iterdir()} == {"train.spacy", "dev.spacy", "config.cfg"}

    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docs = [d for part in ("train", "dev") for d in DocBin().from_disk(corpus / f"{part}.spacy").get_docs(nlp.vocab)]
    assert len(docs) == 3
    annotated = next(d for d in docs if d.text.startswith("Olena"))
    assert sorted((s.label_, s.text) for s in annotated.spans["sc"]) == [
        ("CLAIM", "400,000 homes lost power in Dorvan"), ("FIGURE", "400,000 homes"),
        ("LOCATION", "Dorvan"), ("SOURCE", "Olena Marchuk")]
    assert sorted(e.label_ for e in annotated.ents) == ["FIGURE", "LOCATION", "SOURCE"]
    crlf = next(d for d in docs if d.text.startswith("Governor"))
    assert crlf.text == "Governor Olena Marchuk said 17 drones hit Hrebenka.\r\n"  # text exactly as imported


def test_stats_and_labels(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a.txt", "Some text here.")
    run(capsys, "--db", db, "import", str(tmp_path / "a.txt"))
    code, out, _ = run(capsys, "--db", db, "stats", "--json")
    stats = json.loads(out)
    assert code == 0 and stats["documents"] == 1 and stats["spans"] == 0
    code, out, _ = run(capsys, "--db", db, "labels", "add", "DATE", "--key", "5", "--colour", "#123456")
    assert code == 0 and "DATE" in out and "#123456" in out
    code, out, err = run(capsys, "--db", db, "labels", "rekey", "DATE", "1")
    assert code == 2 and "already used by SOURCE" in err and err[-1] == "\n" and err.count("\n") == 1
    code, out, _ = run(capsys, "--db", db, "labels", "rename", "DATE", "WHEN")
    assert code == 0 and "WHEN" in out and "DATE " not in out
    code, out, err = run(capsys, "--db", db, "labels", "recolour", "WHEN", "red")
    assert code == 2 and "#RRGGBB" in err


BAD_INPUTS = [
    ("missing.txt", None, "no such file"),
    ("bad.jsonl", '{"text": "abc", "spans": [{"start": 0, "end": 2, "label": "X"}]}\n{"text": oops}\n', "line 2"),
    ("range.jsonl", '{"text": "abc", "spans": [{"start": 1, "end": 9, "label": "X"}]}\n', "outside the text"),
    ("notext.jsonl", '{"spans": []}\n', "text"),
    ("overlap.jsonl", '{"text": "abc def", "spans": [{"start": 0, "end": 5, "label": "X"}, '
                      '{"start": 4, "end": 7, "label": "X"}]}\n', "overlap"),
    ("weird.xyz", "something", "format"),
]


@pytest.mark.parametrize(("name", "content", "expected"), BAD_INPUTS)
def test_bad_input_is_one_plain_line_and_nothing_written(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str],
                                                          name: str, content: str | None, expected: str) -> None:
    path = tmp_path / name
    if content is not None:
        write(path, content)
    code, out, err = run(capsys, "--db", db, "import", str(path))
    assert code == 2
    message = (err + out).lower()
    assert expected in message
    assert "traceback" not in message
    if content is not None:
        assert name in message
    assert rows(db, "SELECT count(*) FROM document") == [(0,)]
    assert rows(db, "SELECT count(*) FROM span") == [(0,)]


def test_bad_databases_give_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notdb = write(tmp_path / "notes.db", "not a database at all")
    code, _, err = run(capsys, "--db", str(notdb), "stats")
    assert code == 2 and "not an annotator database" in err and err.count("\n") == 1
    code, _, err = run(capsys, "--db", "mysql+nodriver://x@y/z", "stats")
    assert code == 2 and "[A045]" in err


def test_export_refuses_misaligned_spans_unless_asked_to_expand(tmp_path: Path, db: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    jsonl = write(tmp_path / "x.jsonl", json.dumps({
        "text": "Exports fell by 34 per cent in October.",
        "spans": [{"start": 17, "end": 27, "label": "FIGURE"}],  # "4 per cent": starts inside "34"
    }) + "\n" + json.dumps({"text": "Second document.", "spans": []}) + "\n")
    code, out, _ = run(capsys, "--db", db, "import", str(jsonl))
    assert "spans not on token boundaries (kept as given): 1" in out
    corpus = tmp_path / "corpus"
    code, out, err = run(capsys, "--db", db, "export", "--format", "spacy", "--out", str(corpus))
    assert code == 2 and "'4 per cent'" in err and "--align expand" in err
    assert not corpus.exists() or not any(corpus.iterdir())
    code, out, err = run(capsys, "--db", db, "export", "--format", "spacy", "--out", str(corpus), "--align", "expand")
    assert code == 0 and "1 span(s) were snapped outward" in out
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docs = [d for part in ("train", "dev") for d in DocBin().from_disk(corpus / f"{part}.spacy").get_docs(nlp.vocab)]
    assert [s.text for d in docs for s in d.spans["sc"]] == ["34 per cent"]


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    code, _, err = run_cli("--db", str(tmp_path / "m.db"), "import", str(tmp_path / "nope"))
    assert code == 2
    assert err.startswith("annotator: [A011]") and "Traceback" not in err


def test_spans_of_a_repeated_text_join_the_existing_document(tmp_path: Path, db: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    text = "Olena Marchuk said 17 drones hit Hrebenka."
    write(tmp_path / "plain.txt", text)
    run(capsys, "--db", db, "import", str(tmp_path / "plain.txt"))
    jsonl = write(tmp_path / "later.jsonl", "\n".join(json.dumps(r) for r in [
        {"text": text, "spans": [{"start": 0, "end": 13, "label": "PER"}, {"start": 33, "end": 41, "label": "GPE"}]},
        {"text": text, "spans": [{"start": 0, "end": 13, "label": "PER"}]},
        {"text": text, "spans": [{"start": 0, "end": 5, "label": "PER"}]},
    ]) + "\n")
    code, out, _ = run(capsys, "--db", db, "import", str(jsonl), "--map", "PER=SOURCE", "--map", "GPE=LOCATION")
    assert code == 0
    assert "documents added: 0" in out and "documents skipped (same text already in the project): 3" in out
    assert "spans added: 2" in out and "repeated spans merged: 1" in out
    assert "overlap a span of the same label already on that document: 1" in out
    assert rows(db, "SELECT l.name, s.start, s.\"end\" FROM span s JOIN label l ON l.id = s.label_id "
                "ORDER BY s.start") == [("SOURCE", 0, 13), ("LOCATION", 33, 41)]
    code, _, err = run(capsys, "--db", db, "import", str(jsonl), "--map", "nonsense")
    assert code == 2 and "THEIRS=OURS" in err


def test_a_failed_export_leaves_no_folder_behind(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a.txt", "Some text here.")
    run(capsys, "--db", db, "import", str(tmp_path / "a.txt"))
    out = tmp_path / "corpus"
    code, _, err = run(capsys, "--db", db, "--annotator", "nobody", "export", "--format", "spacy", "--out", str(out))
    assert code == 2 and "no annotator called 'nobody'" in err
    assert not out.exists()


def test_only_done_exports_what_the_annotator_marked_done(tmp_path: Path, db: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from annotator.domain.documents import Status
    from annotator.services.annotation import Annotations
    from annotator.services.workspace import ensure_project, open_workspace

    for n in range(4):
        write(tmp_path / f"{n}.txt", f"Report {n} from Velmora.")
    run(capsys, "--db", db, "import", *(str(tmp_path / f"{n}.txt") for n in range(4)))
    ws = open_workspace(db)
    notes = Annotations(ws, ensure_project(ws).id, "ana")
    ids = [d.id for d in notes.list_documents()]
    notes.set_status(ids[2], Status.DONE)
    notes.set_status(ids[0], Status.DONE)
    notes.set_status(ids[1], Status.SKIPPED)
    ws.close()
    out = tmp_path / "done.jsonl"
    code, _, err = run(capsys, "--db", db, "--annotator", "ana", "export", "--format", "prodigy", "--out", str(out),
                       "--only-done")
    assert code == 0, err
    assert [json.loads(line)["text"] for line in out.read_text(encoding="utf-8").splitlines()] == [
        "Report 0 from Velmora.", "Report 2 from Velmora."]
    code, _, err = run(capsys, "--db", db, "export", "--format", "prodigy", "--out", str(out), "--only-done")
    assert code == 2 and "--only-done needs --annotator" in err


@pytest.mark.parametrize("args", [
    [b"--annotator", b"\xff", b"export", b"--format", b"prodigy", b"--out", b"o.jsonl"],
    [b"--project", b"\xfe", b"stats"],
    [b"import", b"a.txt", b"--map", b"\xff=LOCATION"],
    [b"labels", b"add", b"\xff"],
], ids=["annotator", "project", "map", "label"])
def test_option_values_that_are_not_utf8_are_one_coded_line(tmp_path: Path, args: list[bytes]) -> None:
    """A terminal in another encoding hands over bytes that are not UTF-8; the database takes only text."""
    (tmp_path / "a.txt").write_text("A short article about Velmora.", encoding="utf-8")
    db = str(tmp_path / "u.db").encode()
    first = subprocess.run([sys.executable, "-m", "annotator", "--db", db, "import", b"a.txt"], cwd=tmp_path,
                           capture_output=True, timeout=300)
    assert first.returncode == 0, first.stderr
    result = subprocess.run([sys.executable, "-m", "annotator", b"--db", db, *args], cwd=tmp_path,
                            capture_output=True, timeout=300)
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2 and err.startswith("annotator: [A002]") and "\\xf" in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize("suffix", ["", "-wal"])
def test_the_database_is_never_read_as_an_input(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 suffix: str) -> None:
    # SQLite only: the database file and its -wal given as an input file
    db = tmp_path / "d.db"
    assert run(capsys, "--db", str(db), "import", str(write(tmp_path / "a.txt", "Velmora news.")))[0] == 0
    holder = sqlite3.connect(db)  # another reader keeps the -wal and -shm files in place
    holder.execute("SELECT count(*) FROM document").fetchone()
    assert Path(f"{db}{suffix}").exists()
    code, out, err = run(capsys, "--db", str(db), "import", f"{db}{suffix}", "--format", "txt")
    holder.close()
    assert code == 2 and "[A001]" in err and "is the database this import writes to" in err, out + err
    assert "documents added" not in out
