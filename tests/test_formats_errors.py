"""Bad input gets a message naming the file, line and field; a failed export leaves nothing behind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator import formats
from annotator.domain.records import DocumentRecord, SpanRecord
from annotator.errors import (
    ExportError,
    ImportFormatError,
    MissingFileError,
    UnknownFormatError,
    UsageError,
)


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_error(path: Path, fmt: str = "auto", **options: object) -> ImportFormatError:
    with pytest.raises(ImportFormatError) as error:
        list(formats.read(path, fmt, **options))
    return error.value


GOOD = json.dumps({"text": "Izium", "spans": [{"start": 0, "end": 5, "label": "LOCATION"}]})


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.jsonl"
    with pytest.raises(MissingFileError, match="nowhere.jsonl"):
        formats.read(path, "prodigy")
    with pytest.raises(MissingFileError, match="nowhere.jsonl"):
        formats.detect_format(path)
    with pytest.raises(MissingFileError, match="nowhere.jsonl"):
        list(formats.iter_input_files([path]))


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "notes.xyz"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(UnknownFormatError, match=r"notes\.xyz.*\.xyz"):
        formats.detect_format(path)
    with pytest.raises(UsageError, match="klingon"):
        formats.read(path, "klingon")
    with pytest.raises(UsageError, match="txt"):
        formats.write([], tmp_path / "out.txt", "txt")
    (tmp_path / "empty_folder").mkdir()
    with pytest.raises(UnknownFormatError, match="empty_folder"):
        formats.detect_format(tmp_path / "empty_folder")


@pytest.mark.parametrize("bad", ['{"text": "a", "spans": [}', "not json at all", '{"text": "unclosed'])
def test_bad_json_line_names_the_line(tmp_path: Path, bad: str) -> None:
    path = write_lines(tmp_path / "tasks.jsonl", GOOD, bad, GOOD)
    error = read_error(path, "prodigy")
    assert error.line == 2
    assert "tasks.jsonl, line 2" in str(error) and "JSON" in str(error)


def test_bad_json_in_last_line_and_unclosed_array(tmp_path: Path) -> None:
    error = read_error(write_lines(tmp_path / "a.jsonl", GOOD, GOOD, '{"text": "a",'), "prodigy")
    assert error.line == 3
    error = read_error(write_lines(tmp_path / "ls.json", "[", '  {"data": {"text": "x"}},'), "labelstudio")
    assert "not closed" in str(error)


@pytest.mark.parametrize(
    ("fmt", "record", "field"),
    [
        ("prodigy", {"spans": []}, "text"),
        ("doccano", {"label": [[0, 1, "PER"]]}, "text"),
        ("prodigy", {"text": 5}, "text"),
        ("prodigy", {"text": "abc", "spans": [{"start": "0", "end": 1, "label": "X"}]}, "spans[0].start"),
        ("prodigy", {"text": "abc", "spans": [{"start": 0, "end": 1.5, "label": "X"}]}, "spans[0].end"),
        ("prodigy", {"text": "abc", "spans": [{"start": 0, "end": 1}]}, "spans[0].label"),
        ("prodigy", {"text": "abc", "spans": [{"start": 0, "end": 2, "label": "X", "text": "ab!"}]}, "spans[0].text"),
        ("prodigy", {"text": "abc", "spans": "none"}, "spans"),
        ("prodigy", {"text": "abc", "meta": [1]}, "meta"),
        ("doccano", {"text": "abc", "label": [[0, True, "X"]]}, "label[0]"),
        ("doccano", {"text": "abc", "entities": [{"start_offset": "a", "end_offset": 2, "label": "X"}]},
         "entities[0].start_offset"),
        ("doccano", {"text": "abc", "label": ["positive"]}, "label[0]"),
    ],
)
def test_bad_field_names_line_and_field(tmp_path: Path, fmt: str, record: dict, field: str) -> None:
    path = write_lines(tmp_path / "in.jsonl", GOOD, json.dumps(record))
    error = read_error(path, fmt)
    assert (error.line, error.field) == (2, field)
    assert f'in.jsonl, line 2, field "{field}"' in str(error)


@pytest.mark.parametrize(("start", "end"), [(0, 99), (-1, 2), (2, 2), (3, 1)])
def test_span_out_of_range(tmp_path: Path, start: int, end: int) -> None:
    record = {"text": "abc", "spans": [{"start": start, "end": end, "label": "X"}]}
    error = read_error(write_lines(tmp_path / "in.jsonl", json.dumps(record)), "prodigy")
    assert error.line == 1 and error.field == "spans[0]"
    assert "outside the text" in str(error) and "3 characters" in str(error)


def test_not_an_object(tmp_path: Path) -> None:
    error = read_error(write_lines(tmp_path / "in.jsonl", GOOD, "[1, 2]"), "prodigy")
    assert error.line == 2 and "found an array" in str(error)


@pytest.mark.parametrize(("fmt", "name"), [("txt", "a.txt"), ("prodigy", "a.jsonl"), ("csv", "a.csv"),
                                           ("conll", "a.conll"), ("doccano", "a.jsonl")])
def test_bad_utf8_names_line_and_byte(tmp_path: Path, fmt: str, name: str) -> None:
    first = {"txt": b"line one\n", "prodigy": GOOD.encode() + b"\n", "csv": b"text,title\n",
             "conll": b"Izium B-LOC\n", "doccano": GOOD.encode() + b"\n"}[fmt]
    path = tmp_path / name
    path.write_bytes(first + b"caf\xe9 O\n")
    error = read_error(path, fmt)
    assert error.line == 2
    assert "UTF-8" in str(error) and f"byte {len(first) + 3}" in str(error) and name in str(error)


def test_bom_is_dropped_and_offsets_stay(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    (record,) = formats.read(path, "prodigy")
    assert record.text == "Izium" and record.spans == (SpanRecord(0, 5, "LOCATION"),)


@pytest.mark.parametrize(("name", "content"), [("a.txt", ""), ("b.txt", " \r\n\t"), ("c.jsonl", ""),
                                               ("d.jsonl", "\n\n"), ("e.csv", ""), ("f.conll", "\n\n"),
                                               ("g.json", "[]")])
def test_empty_file(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    error = read_error(path)
    assert "empty" in str(error) and name in str(error)


def test_labelstudio_annotation_without_task_text(tmp_path: Path) -> None:
    annotation = {"id": 1001, "result": [{"type": "labels", "from_name": "label", "to_name": "text",
                                          "value": {"start": 0, "end": 5, "labels": ["LOCATION"]}}]}
    path = tmp_path / "annotation.json"
    path.write_text(json.dumps(annotation, indent=2), encoding="utf-8")
    assert formats.detect_format(path) == "labelstudio"
    error = read_error(path)
    assert "annotations without their task text" in str(error) and "annotation.json" in str(error)
    assert error.field == "data"


def test_labelstudio_bad_result_names_the_field(tmp_path: Path) -> None:
    task = {"data": {"text": "Izium"}, "annotations": [
        {"result": [{"type": "labels", "value": {"start": 0, "end": 9, "labels": ["LOCATION"]}}]}]}
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([task], indent=1), encoding="utf-8")
    error = read_error(path)
    assert error.field == "annotations[0].result[0].value" and error.line == 2
    task["data"] = {"a": "one", "b": "two"}
    path.write_text(json.dumps([task]), encoding="utf-8")
    assert read_error(path).field == "data.text"


def test_csv_errors_name_row_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    path.write_text("id,headline\n1,Izium\n", encoding="utf-8")
    error = read_error(path)
    assert "id, headline" in str(error) and "text, content, body, article" in str(error)
    path.write_text('text,title\n"ok",a\n"two\nlines",b\n"three","c",extra\n', encoding="utf-8")
    error = read_error(path)
    assert error.line == 5 and "expected 2 columns" in str(error)
    path.write_text('text,title\n"ok",a\n"broken"quote,b\n', encoding="utf-8")
    assert read_error(path).line == 3
    path.write_text("text,title\n  ,a\n", encoding="utf-8")
    error = read_error(path)
    assert (error.line, error.field) == (2, "text")


def test_brat_errors(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("Izium is a city.", encoding="utf-8")
    (folder / "a.ann").write_text("T1\tLOC 0 5\tIzium\nT2\tLOC 0 50\tIzium\n", encoding="utf-8")
    error = read_error(folder, "brat")
    assert (error.line, error.field) == (2, "offsets") and "a.ann" in str(error)
    (folder / "a.ann").write_text("T1\tLOC 0 5\tKyiv\n", encoding="utf-8")
    error = read_error(folder, "brat")
    assert error.field == "text" and "'Kyiv'" in str(error)
    (folder / "a.ann").write_text("T1\tLOC zero 5\tIzium\n", encoding="utf-8")
    assert read_error(folder, "brat").field == "offsets"
    (folder / "a.ann").write_text("Q1 whatever\n", encoding="utf-8")
    assert read_error(folder, "brat").line == 1
    (folder / "a.ann").write_text("", encoding="utf-8")
    (folder / "orphan.ann").write_text("", encoding="utf-8")
    assert "orphan.ann" in str(read_error(folder, "brat"))


def test_conll_errors(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.conll", "Izium B-LOC", "is O", "lonely", "", "x O")
    error = read_error(path)
    assert error.line == 3 and "token and a tag" in str(error)
    path = write_lines(tmp_path / "b.conll", "Izium B-LOC", "city X-LOC")
    error = read_error(path)
    assert (error.line, error.field) == (2, "tag") and "'X-LOC'" in str(error)


def test_html_without_article_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.html"
    path.write_text("<html><head><title>Nothing</title></head><body><script>var x = 1;</script></body></html>",
                    encoding="utf-8")
    assert "no article text" in str(read_error(path))


# --- writers ----------------------------------------------------------------------------------------------

def _failing_records() -> Iterator[DocumentRecord]:
    yield DocumentRecord("Izium", (SpanRecord(0, 5, "LOCATION"),))
    yield DocumentRecord("Kyiv", ())
    raise RuntimeError("the database went away")


@pytest.mark.parametrize(("fmt", "name"), [("prodigy", "out.jsonl"), ("doccano", "out.jsonl"),
                                           ("labelstudio", "out.json"), ("conll", "out.conll"), ("brat", "out")])
def test_failed_write_leaves_nothing(tmp_path: Path, fmt: str, name: str) -> None:
    out = tmp_path / name
    with pytest.raises(RuntimeError):
        formats.write(_failing_records(), out, fmt)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    out, ledger = tmp_path / "out.jsonl", tmp_path / "state" / "exports.json"
    assert formats.write([DocumentRecord("previous export")], out, "prodigy", ledger=ledger) == 1
    previous = out.read_text(encoding="utf-8")
    with pytest.raises(RuntimeError):
        formats.write(_failing_records(), out, "prodigy", replace=True, ledger=ledger)
    assert out.read_text(encoding="utf-8") == previous
    assert formats.write([DocumentRecord("Izium")], out, "prodigy", replace=True, ledger=ledger) == 1
    assert out.read_text(encoding="utf-8").startswith('{"text": "Izium"')


@pytest.mark.parametrize("fmt", ["prodigy", "conll"])
def test_replace_never_touches_another_tools_file_of_the_same_format(tmp_path: Path, fmt: str) -> None:
    """--replace replaces what annotator exported there, never a corpus of the same format made elsewhere."""
    from annotator.errors import NotAnExportError

    out, ledger = tmp_path / "theirs.data", tmp_path / "state" / "exports.json"
    theirs = ('{"text": "their corpus", "spans": [], "versions": [1]}\n' if fmt == "prodigy"
              else "-DOCSTART- -X- -X- O\n\nTheir B-LOC\ncorpus O\n")
    out.write_text(theirs, encoding="utf-8")
    with pytest.raises(NotAnExportError):
        formats.write([DocumentRecord("Izium")], out, fmt, replace=True, ledger=ledger)
    assert out.read_text(encoding="utf-8") == theirs
    # Ours, once written, is replaced; once changed by hand, it is left alone again.
    out.unlink()
    formats.write([DocumentRecord("Izium")], out, fmt, ledger=ledger)
    assert formats.write([DocumentRecord("Velmora")], out, fmt, replace=True, ledger=ledger) == 1
    with out.open("a", encoding="utf-8") as handle:
        handle.write("\n")
    with pytest.raises(NotAnExportError):
        formats.write([DocumentRecord("Kyiv")], out, fmt, replace=True, ledger=ledger)


def test_brat_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    out = tmp_path / "export"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match="export"):
        formats.write([DocumentRecord("Izium")], out, "brat")
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert formats.write([DocumentRecord("Izium")], empty, "brat") == 1
    assert sorted(p.name for p in empty.iterdir()) == ["000001.ann", "000001.txt", "annotation.conf"]


def test_brat_writes_a_label_with_spaces_under_a_stand_in_and_reads_it_back(tmp_path: Path) -> None:
    record = DocumentRecord("Izium", (SpanRecord(0, 5, "A PLACE"),), title="izium-report")
    formats.write([record], tmp_path / "out", "brat")
    assert (tmp_path / "out" / "000001.ann").read_text(encoding="utf-8") == "T1\tA_PLACE 0 5\tIzium\n"
    assert [s.label for r in formats.read(tmp_path / "out", "brat") for s in r.spans] == ["A PLACE"]


def test_writer_to_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        formats.write([DocumentRecord("x")], tmp_path / "no" / "out.jsonl", "prodigy")


def test_conll_overlaps_stop_the_export_with_a_list(tmp_path: Path) -> None:
    text = "More than 17,000 people left Izium"
    record = DocumentRecord(text, (SpanRecord(0, 23, "FIGURE"), SpanRecord(10, 16, "FIGURE"),
                                   SpanRecord(0, 34, "CLAIM"), SpanRecord(29, 34, "LOCATION")), title="doc A")
    out = tmp_path / "out.conll"
    with pytest.raises(ExportError) as error:
        formats.write([record], out, "conll")
    message = str(error.value)
    assert "3 span(s)" in message and "doc A [10:16] FIGURE '17,000'" in message and "[29:34] LOCATION" in message
    assert not out.exists()
    dropped: list[tuple[str, SpanRecord]] = []
    assert formats.write([record], out, "conll", drop_overlaps=True, dropped=dropped) == 1
    assert dropped == [("doc A", SpanRecord(0, 23, "FIGURE")), ("doc A", SpanRecord(10, 16, "FIGURE")),
                       ("doc A", SpanRecord(29, 34, "LOCATION"))]
    (back,) = formats.read(out, "conll")
    assert back.spans == (SpanRecord(0, 34, "CLAIM"),)


def test_conll_misaligned_spans_stop_the_export(tmp_path: Path) -> None:
    record = DocumentRecord("Izium, Kharkiv\noblast and Kyiv", (SpanRecord(0, 5, "LOC"), SpanRecord(7, 21, "LOC"),
                                                                SpanRecord(26, 30, "MY LABEL")))
    with pytest.raises(ExportError) as error:
        formats.write([record], tmp_path / "out.conll", "conll")
    message = str(error.value)
    assert "[0:5] LOC 'Izium': does not start and end at token boundaries" in message
    assert "Kharkiv" not in message  # a line break inside a span is white space in the entity
    assert "MY LABEL" not in message  # written as MY_LABEL, which a re-import turns back into MY LABEL
    assert message.startswith("[A031] 1 span(s)")
    assert not (tmp_path / "out.conll").exists()
