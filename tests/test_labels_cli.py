"""Label names as written, `labels delete`, unknown projects and languages, argparse errors, CSV columns,
a closed pipe, and options before or after the command."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_runners import cli, run, write
from data_fixtures import REAL_FILE_COUNTS
from db_fixtures import rows

TEXT = "Olena Marchuk of the Dorvan council said 400 homes in Velmora lost power, Reuters reported."
# (start, end, label): names that the old normalisation merged ("ОРГ1", "ЛОК1" -> "L_1"; "Person Name" ->
# "Person_Name") or refused ("ИСТОЧНИК").
SPANS = [(0, 13, "Person Name"), (0, 13, "Person_Name"), (21, 27, "ОРГ1"), (54, 61, "ЛОК1"), (74, 81, "ИСТОЧНИК"),
         (41, 50, "Lieu géographique")]


def jsonl(path: Path, *records: dict) -> Path:
    return write(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


@pytest.fixture
def db(database: str) -> str:
    """The tests that take `db` run on a SQLite file and on PostgreSQL."""
    return database


def stored_spans(db: str, project: str = "default") -> list[tuple[str, int, int]]:
    return sorted(rows(db, 'SELECT l.name, s.start, s."end" FROM span s JOIN label l ON l.id = s.label_id '
                           "JOIN project p ON p.id = l.project_id WHERE p.name = :project", project=project))


def project_names(db: str) -> list[str]:
    return [r[0] for r in rows(db, "SELECT name FROM project ORDER BY id")]


def one_coded_line(err: str, code: str) -> str:
    assert err.startswith(f"annotator: [{code}] ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


# -- 1. label names as written ------------------------------------------------------------------------
def test_labels_keep_their_names_in_any_script(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = jsonl(tmp_path / "names.jsonl", {"text": TEXT, "spans": [
        {"start": s, "end": e, "label": label} for s, e, label in SPANS]})
    code, out, err = run(capsys, "--db", db, "import", str(path))
    assert code == 0, err
    assert stored_spans(db) == sorted((label, s, e) for s, e, label in SPANS)
    code, out, _ = run(capsys, "--db", db, "labels", "list")
    assert all(label in out for *_, label in SPANS)
    code, out, err = run(capsys, "--db", db, "labels", "add", "Дата події", "--key", "7")
    assert code == 0 and "Дата події" in out, err


@pytest.mark.parametrize(("label", "problem"), [
    ("A\tB", "control character or line break U+0009"), ("Two\nlines", "U+000A"), (" SOURCE", "white space"),
    ("X" * 65, "longer than 64"), ("A\u2028B", "U+2028")])
def test_a_label_name_that_cannot_be_stored_names_file_line_and_field(
        tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str], label: str, problem: str) -> None:
    path = jsonl(tmp_path / "bad-label.jsonl", {"text": "Izium.", "spans": []},
                 {"text": TEXT, "spans": [{"start": 0, "end": 5, "label": label}]})
    code, out, err = run(capsys, "--db", db, "import", str(path))
    assert code == 2
    line = one_coded_line(err.replace("annotator: not imported: ", "annotator: "), "A053")
    assert "bad-label.jsonl, line 2, field \"label\"" in line and problem in line
    assert stored_spans(db) == [] and "documents added: 0" in out  # the file is rolled back whole


def test_labels_add_refuses_a_name_that_cannot_be_stored(tmp_path: Path, db: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a.txt", "Some text.")
    run(capsys, "--db", db, "import", str(tmp_path / "a.txt"))
    code, _, err = run(capsys, "--db", db, "labels", "add", "DATE ")
    one_coded_line(err, "A051")
    assert "white space" in err and code == 2
    code, _, err = run(capsys, "--db", db, "labels", "rename", "SOURCE", "")
    assert code == 2 and "[A051]" in err and "is empty" in err


@pytest.mark.parametrize(("fmt", "out_name", "names_file"), [
    ("brat", "brat-out", "brat-out/annotator-labels.json"), ("conll", "out.conll", "out.conll.labels.json")])
def test_brat_and_conll_exports_map_label_names_and_give_them_back(
        tmp_path: Path, new_database: Callable[[str], str], capsys: pytest.CaptureFixture[str], fmt: str,
        out_name: str, names_file: str) -> None:
    first, second = new_database("first"), new_database("second")
    path = jsonl(tmp_path / "names.jsonl",
                 {"text": TEXT, "spans": [{"start": s, "end": e, "label": label} for s, e, label in SPANS
                                          if label not in ("Person_Name", "Lieu géographique")]},
                 {"text": "Kyiv Post staff", "spans": [{"start": 0, "end": 9, "label": "Person_Name"}]},
                 {"text": "Near Izium town", "spans": [{"start": 5, "end": 10, "label": "Lieu géographique"}]})
    assert run(capsys, "--db", first, "import", str(path))[0] == 0
    out = tmp_path / out_name
    code, printed, err = run(capsys, "--db", first, "export", "--format", fmt, "--out", str(out))
    assert code == 0, err
    # Which labels went under another name, and as what, is said; the names that fit are kept.
    said = next(line for line in printed.splitlines() if line.startswith("labels written under another name"))
    assert "'Person Name' as 'Person_Name_2'" in said and "'Lieu géographique' as" in said
    assert "'Person_Name' as" not in said and "SOURCE" not in said
    if fmt == "brat":
        assert "'ИСТОЧНИК' as 'label" in said and "'ОРГ1' as 'label_1'" in said
    else:  # a CoNLL tag only cannot hold white space
        assert "ИСТОЧНИК" not in said and "B-ИСТОЧНИК" in out.read_text(encoding="utf-8")
    assert (tmp_path / names_file).is_file()
    code, _, err = run(capsys, "--db", second, "import", str(out), "--format", fmt)
    assert code == 0, err
    assert Counter(label for label, *_ in stored_spans(second)) == Counter(
        label for label, *_ in stored_spans(first))
    assert {label for label, *_ in stored_spans(second)} == {label for *_, label in SPANS}


def test_a_later_export_without_renamed_labels_removes_its_stale_names_file(
        tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "--db", db, "import", str(jsonl(tmp_path / "a.jsonl", {"text": "Kyiv Post staff", "spans": [
        {"start": 0, "end": 9, "label": "Person Name"}]})))
    out = tmp_path / "out.conll"
    assert run(capsys, "--db", db, "export", "--format", "conll", "--out", str(out))[0] == 0
    assert (tmp_path / "out.conll.labels.json").is_file()
    run(capsys, "--db", db, "labels", "rename", "Person Name", "Person_Name")
    # Without --replace the previous export (and its names file) is kept; with it, both are replaced.
    assert run(capsys, "--db", db, "export", "--format", "conll", "--out", str(out))[0] == 2
    assert (tmp_path / "out.conll.labels.json").is_file()
    assert run(capsys, "--db", db, "export", "--format", "conll", "--out", str(out), "--replace")[0] == 0
    assert not (tmp_path / "out.conll.labels.json").exists()
    assert not any(p.name.endswith(".part") for p in tmp_path.iterdir())


def test_real_files_import_with_the_label_names_they_had(realdata: Path, database: str) -> None:
    """Every label name of the real files imported before these changes, and imports as it is written."""
    from annotator import formats
    from annotator.services.importing import import_paths
    from annotator.services.labels import list_labels
    from annotator.services.workspace import default_labels, open_workspace

    ws = open_workspace(database)
    try:
        for number, (relative, fmt, *_counts) in enumerate(REAL_FILE_COUNTS):
            path = realdata / relative
            names = {s.label for r in formats.read(path, fmt) for s in r.spans}
            summary = import_paths(ws, [path], project=f"p{number}", annotator="tester", fmt=fmt)
            assert summary.errors == [], relative
            stored = set(list_labels(ws, f"p{number}").names()) - set(default_labels().names())
            assert stored == names - set(default_labels().names()), relative
    finally:
        ws.close()


# -- 2. labels delete ---------------------------------------------------------------------------------
def test_labels_delete_refuses_a_label_in_use_unless_with_spans(tmp_path: Path, db: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = jsonl(tmp_path / "a.jsonl", {"text": TEXT, "spans": [
        {"start": 54, "end": 61, "label": "LOCATION"}, {"start": 21, "end": 27, "label": "LOCATION"},
        {"start": 0, "end": 13, "label": "SOURCE"}]})
    run(capsys, "--db", db, "--annotator", "ana", "import", str(path))
    run(capsys, "--db", db, "--annotator", "bob", "import", str(path))
    code, out, err = run(capsys, "--db", db, "labels", "delete", "LOCATION")
    one_coded_line(err, "A052")
    assert code == 2 and "4 span(s) use the label 'LOCATION'" in err and "--with-spans" in err
    assert [label for label, *_ in stored_spans(db)].count("LOCATION") == 4  # nothing was deleted
    code, out, err = run(capsys, "--db", db, "labels", "delete", "LOCATION", "--with-spans")
    assert code == 0, err
    assert "deleted the label LOCATION and its 4 span(s)" in out
    assert [label for label, *_ in stored_spans(db)] == ["SOURCE", "SOURCE"]
    code, out, err = run(capsys, "--db", db, "labels", "delete", "FIGURE")  # no spans: nothing to ask
    assert code == 0 and "deleted the label FIGURE\n" in out and "FIGURE " not in out.split("\n", 1)[1]


# -- 3. read-only commands never make a project -------------------------------------------------------
@pytest.mark.parametrize("command", [["labels", "list"], ["labels"], ["stats"], ["labels", "add", "DATE"],
                                     ["export", "--format", "prodigy", "--out", "x.jsonl"]])
def test_commands_on_an_unknown_project_name_it_and_make_nothing(
        tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    write(tmp_path / "a.txt", "Some text.")
    run(capsys, "--db", db, "--project", "news", "import", str(tmp_path / "a.txt"))
    code, _, err = run(capsys, "--db", db, "--project", "nwes", *command)
    one_coded_line(err, "A060")
    assert code == 2 and "'nwes'" in err and "projects: news" in err
    assert project_names(db) == ["news"]


# -- 4. the language of a new project -----------------------------------------------------------------
@pytest.mark.parametrize("lang", ["kk", "zz"])
def test_import_refuses_a_language_spacy_cannot_tokenize(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str],
                                                         lang: str) -> None:
    write(tmp_path / "a.txt", "Қазақстан Республикасы.")
    code, _, err = run(capsys, "--db", db, "--project", "kz", "import", str(tmp_path / "a.txt"), "--lang", lang)
    one_coded_line(err, "A003")
    assert code == 2 and f"spaCy has no tokenizer for language '{lang}'" in err and "xx (multi-language)" in err
    assert "kz" not in project_names(db)


def test_the_multi_language_tokenizer_imports_and_exports(tmp_path: Path, db: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = jsonl(tmp_path / "kk.jsonl", {"text": "Астана қаласында 400 үй бар.", "spans": [
        {"start": 0, "end": 6, "label": "LOCATION"}, {"start": 17, "end": 23, "label": "FIGURE"}]},
        {"text": "Екінші құжат.", "spans": []})
    code, _, err = run(capsys, "--db", db, "import", str(path), "--lang", "xx")
    assert code == 0, err
    code, out, err = run(capsys, "--db", db, "export", "--format", "spacy", "--out", str(tmp_path / "corpus"))
    assert code == 0 and "wrote 2 documents and 2 spans" in out, err


# -- 5. argparse errors and listed errors --------------------------------------------------------------
@pytest.mark.parametrize(("args", "expected"), [
    (["--colour"], "unrecognized arguments: --colour"),
    (["import"], "the following arguments are required: PATH"),
    (["export", "--format", "pdf", "--out", "x"], "invalid choice: 'pdf'"),
    (["labels", "rekey", "SOURCE"], "the following arguments are required: key"),
    (["stats", "--split", "0.5"], "unrecognized arguments: --split 0.5"),
])
def test_command_line_mistakes_are_one_coded_line(db: str, capsys: pytest.CaptureFixture[str], args: list[str],
                                                  expected: str) -> None:
    code, out, err = run(capsys, "--db", db, *args)
    one_coded_line(err, "A002")
    assert code == 2 and expected in err and "--help" in err and "usage:" not in err + out


def test_misaligned_spans_come_first_as_one_coded_line_then_the_list(
        tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = jsonl(tmp_path / "x.jsonl", *({"text": f"Exports fell by 34 per cent in month {n}.", "spans": [
        {"start": 17, "end": 27, "label": "FIGURE"}]} for n in range(25)))
    run(capsys, "--db", db, "import", str(path))
    code, _, err = run(capsys, "--db", db, "export", "--format", "spacy", "--out", str(tmp_path / "corpus"))
    first, *listed = err.splitlines()
    assert code == 2 and first.startswith("annotator: [A030] 25 span(s) do not fall on token boundaries")
    assert "--align expand" in first and first.endswith(":")
    assert len(listed) == 21 and all("'4 per cent'" in line for line in listed[:20])
    assert listed[-1] == "  ... and 5 more"


# -- 6. CSV text column -------------------------------------------------------------------------------
def test_import_names_the_csv_text_column(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "stories.csv", "headline,story\nPower cut,400 homes in Velmora lost power.\n")
    code, _, err = run(capsys, "--db", db, "import", str(path))
    assert code == 2 and "no text column" in err and "--text-column" in err
    code, out, err = run(capsys, "--db", db, "import", str(path), "--text-column", "story",
                         "--title-column", "headline")
    assert code == 0 and "documents added: 1" in out, err
    assert rows(db, "SELECT title, text FROM document") == [("Power cut", "400 homes in Velmora lost power.")]
    code, _, err = run(capsys, "--db", db, "import", str(write(tmp_path / "a.txt", "x")), "--text-column", "story")
    assert code == 2 and "for CSV files" in err


# -- 7. a closed pipe ----------------------------------------------------------------------------------
def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path: Path, db: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a.txt", "Some text.")
    run(capsys, "--db", db, "import", str(tmp_path / "a.txt"))
    # `annotator stats | head -1`, with the reader gone before the first line is written.
    proc = cli("--db", db, "stats")
    assert proc.poll() is None  # still starting: its output is not written yet
    proc.stdout.close()  # type: ignore[union-attr]
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1  # the broken pipe was met, and ended quietly
    assert err == ""


# -- 8. options before or after the command -----------------------------------------------------------
def test_global_options_work_after_the_command(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    write(folder / "a.txt", "Olena Marchuk said 400 homes lost power.")
    code, out, err = run(capsys, "import", str(folder), "--project", "news", "--db", db)
    assert code == 0 and "documents added: 1" in out, err
    reviews = jsonl(tmp_path / "reviews.jsonl", {"text": "Olena Marchuk said 400 homes lost power.", "spans": [
        {"start": 0, "end": 13, "label": "SOURCE"}]})
    code, out, err = run(capsys, "import", str(reviews), "--format", "prodigy", "--annotator", "ana", "--db", db,
                         "--project", "news")
    assert code == 0 and "spans added: 1" in out, err
    assert project_names(db) == ["news"]
    out_file = tmp_path / "ana.jsonl"
    code, _, err = run(capsys, "--project", "news", "export", "--format", "prodigy", "--out", str(out_file),
                       "--annotator", "ana", "--db", db)
    assert code == 0, err
    assert json.loads(out_file.read_text(encoding="utf-8"))["text"] == "Olena Marchuk said 400 homes lost power."
    code, out, _ = run(capsys, "--db", db, "labels", "list", "--project", "news")
    assert code == 0 and "SOURCE" in out
    # An option given before the command is not undone by the command's parser.
    code, out, _ = run(capsys, "--db", db, "--project", "news", "stats")
    assert code == 0 and out.startswith("project news")


@pytest.mark.parametrize("content", [b'{"my": "notes"}\n', b"\xff\xfe not text"], ids=["json", "binary"])
def test_a_conll_export_never_leaves_its_label_names_out(tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str],
                                                         content: bytes) -> None:
    """A file of someone else's where the names file goes stops the export; it would not import back as written."""
    run(capsys, "--db", db, "import", str(jsonl(tmp_path / "a.jsonl", {"text": "Kyiv Post staff", "spans": [
        {"start": 0, "end": 9, "label": "Person Name"}]})))
    theirs = tmp_path / "news.conll.labels.json"
    theirs.write_bytes(content)
    code, _, err = run(capsys, "--db", db, "export", "--format", "conll", "--out", str(tmp_path / "news.conll"))
    assert code == 2 and "[A033]" in err and "is in the way" in err, err
    assert theirs.read_bytes() == content and not (tmp_path / "news.conll").exists()
