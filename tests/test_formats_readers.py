"""What each reader makes of its format, and how formats are detected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator import formats
from annotator.domain.records import SpanRecord

DATA = Path(__file__).parent / "data" / "formats"


def put(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def test_public_names() -> None:
    assert set(formats.FORMATS) == {"txt", "html", "csv", "prodigy", "spacy_json", "doccano", "labelstudio",
                                    "brat", "conll"}
    assert set(formats.WRITE_FORMATS) == {"prodigy", "doccano", "labelstudio", "brat", "conll"}


# --- detection ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("a.txt", "Just an article.\nSecond line O", "txt"),
        ("b.txt", "EU  B-ORG\nrejects O\n\nPeter B-PER\n", "conll"),
        ("c.txt", "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\n", "conll"),
        ("d.conll", "anything", "conll"),
        ("e.iob", "x O", "conll"),
        ("f.html", "<html></html>", "html"),
        ("g.htm", "<html></html>", "html"),
        ("h.csv", "text\nx\n", "csv"),
        ("i.tsv", "text\nx\n", "csv"),
        ("j.spacy", b"\x00binary", "spacy"),
        ("k.jsonl", '{"text": "x", "spans": []}\n', "prodigy"),
        ("l.jsonl", '{"text": "x"}\n', "prodigy"),
        ("m.jsonl", '{"text": "x", "label": [[0, 1, "X"]]}\n', "doccano"),
        ("n.jsonl", '{\n  "text": "x",\n  "entities": [{"id": 0, "start_offset": 0, "end_offset": 1, "label": "X"}]\n}\n',
         "doccano"),
        ("o.jsonl", '{"column_data": "x", "column_label": []}\n', "doccano"),
        ("p.json", '[{"data": {"text": "x"}, "annotations": []}]', "labelstudio"),
        ("q.json", '{"data": {"text": "x"}, "predictions": []}', "labelstudio"),
        ("r.json", '[["Who is Shaka Khan?", {"entities": [[7, 17, "PERSON"]]}]]', "spacy_json"),
        ("s.jsonl", '{"text": "x", "spans": [}\n', "prodigy"),
        ("t.json", "[{oops", "labelstudio"),
    ],
)
def test_detect_format(tmp_path: Path, name: str, content: str | bytes, fmt: str) -> None:
    assert formats.detect_format(put(tmp_path / name, content)) == fmt


def test_detect_folders_and_pairs(tmp_path: Path) -> None:
    put(tmp_path / "texts" / "one.txt", "One.")
    put(tmp_path / "texts" / "sub" / "two.txt", "Two.")
    put(tmp_path / "texts" / ".hidden.txt", "Hidden.")
    assert formats.detect_format(tmp_path / "texts") == "txt"
    assert [(p.name, f) for p, f in formats.iter_input_files([tmp_path / "texts"])] == [("one.txt", "txt"),
                                                                                        ("two.txt", "txt")]
    put(tmp_path / "brat" / "x" / "doc.txt", "Izium")
    put(tmp_path / "brat" / "x" / "doc.ann", "T1\tLOC 0 5\tIzium\n")
    assert formats.detect_format(tmp_path / "brat") == "brat"
    assert formats.detect_format(tmp_path / "brat" / "x" / "doc.txt") == "brat"
    assert formats.detect_format(tmp_path / "brat" / "x" / "doc.ann") == "brat"
    assert list(formats.iter_input_files([tmp_path / "brat"], "auto")) == [(tmp_path / "brat", "brat")]
    assert [f for _, f in formats.iter_input_files([tmp_path / "texts" / "one.txt"], "conll")] == ["conll"]


def test_reading_a_folder_reads_each_file(tmp_path: Path) -> None:
    put(tmp_path / "in" / "a.jsonl", '{"text": "A"}\n{"text": "B"}\n')
    put(tmp_path / "in" / "b.jsonl", '{"text": "C"}\n')
    put(tmp_path / "in" / "notes.md", "not read")
    assert [r.text for r in formats.read(tmp_path / "in", "prodigy")] == ["A", "B", "C"]


# --- txt and html -----------------------------------------------------------------------------------------

def test_txt_keeps_every_character(tmp_path: Path) -> None:
    text = "Title\r\n\r\nIzium\rlone CR\ttab\u00a0nbsp cafe\u0301 🇺🇦 وقال  \n"
    path = put(tmp_path / "article one.txt", b"\xef\xbb\xbf" + text.encode("utf-8"))
    (record,) = formats.read(path, "txt")
    assert record.text == text
    assert (record.title, record.source, record.spans) == ("Title", "article one.txt", ())  # the headline


def test_txt_title_is_the_headline_or_else_the_file_name(tmp_path: Path) -> None:
    (record,) = formats.read(put(tmp_path / "a.txt", b"Floods in Velmora\n\nMore than 12,000 left."), "txt")
    assert record.title == "Floods in Velmora"
    long_first_line = ("word " * 60 + "\nand more").encode()
    (record,) = formats.read(put(tmp_path / "b.txt", long_first_line), "txt")
    assert record.title == "b"
    (record,) = formats.read(put(tmp_path / "c.txt", b"one line only"), "txt")
    assert record.title == "c"


def test_html_extracts_the_article_only() -> None:
    (record,) = formats.read(DATA / "article.html")
    assert record.title == "Evacuation continues in the Luhansk region"
    assert "More than 17,000 people" in record.text and "Greater London" in record.text
    assert "Leave a Comment" not in record.text and "strictly forbidden" not in record.text
    assert "<" not in record.text and "About us" not in record.text
    assert record.source == "article.html"


def test_html_in_another_charset(tmp_path: Path) -> None:
    page = (DATA / "article.html").read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="windows-1251"')
    page = page.replace("Izium", "Ізюм")
    (record,) = formats.read(put(tmp_path / "cp1251.html", page.encode("windows-1251", errors="replace")))
    assert "Ізюм" in record.text


# --- csv ------------------------------------------------------------------------------------------------------

def test_csv_keeps_quoted_line_breaks_and_meta(tmp_path: Path) -> None:
    body = "First line\r\nsecond line\rthird, with comma and \"quotes\""
    escaped = body.replace('"', '""')
    content = f'id,Title,Body,url\r\n7,Izium news,"{escaped}",http://x\r\n8,,short,\r\n'
    path = put(tmp_path / "news.csv", content)
    first, second = formats.read(path)
    assert first.text == body
    assert (first.title, first.meta, first.line) == ("Izium news", {"id": "7", "url": "http://x"}, 2)
    assert (second.title, second.line, second.text) == (None, 5, "short")


def test_csv_options_tsv_and_big_fields(tmp_path: Path) -> None:
    long_text = "слово " * 50_000
    path = put(tmp_path / "news.tsv", f"headline\tstory\nBig\t{long_text}\n")
    (record,) = formats.read(path, text_column="STORY")
    assert record.text == long_text and record.title == "Big"
    path = put(tmp_path / "semi.csv", "content;x\nhello;1\n")
    (record,) = formats.read(path, delimiter=";")
    assert record.text == "hello"


# --- prodigy and spaCy train.json -------------------------------------------------------------------------

def test_prodigy_answers_annotator_and_dropped_keys(tmp_path: Path) -> None:
    lines = [
        {"text": "Izium", "spans": [{"start": 0, "end": 5, "label": "LOC", "token_start": 0, "token_end": 0}],
         "_annotator_id": "news-anna", "_session_id": "news-anna", "answer": "accept", "tokens": [{"text": "Izium"}],
         "_input_hash": 1, "_task_hash": 2, "versions": [{"text": "Izium"}], "meta": {"source": "wire"}},
        {"text": "Kyiv", "spans": [{"start": 0, "end": 4, "label": "LOC"}], "answer": "reject"},
        {"text": "Lviv", "spans": [{"start": 0, "end": 4, "label": "LOC"}], "answer": "ignore",
         "_session_id": "s1"},
    ]
    path = put(tmp_path / "tasks.jsonl", "\n\n".join(json.dumps(x) for x in lines) + "\n")
    accepted, rejected, ignored = formats.read(path)
    assert accepted.spans == (SpanRecord(0, 5, "LOC"),) and accepted.annotator == "news-anna"
    assert accepted.meta == {"source": "wire", "answer": "accept", "_annotator_id": "news-anna",
                             "_session_id": "news-anna"}
    assert (accepted.line, rejected.line, ignored.line) == (1, 3, 5)
    assert (rejected.spans, rejected.skipped_spans, rejected.text) == ((), 1, "Kyiv")
    assert (ignored.skipped_spans, ignored.annotator) == (1, "s1")


def test_spacy_train_json(tmp_path: Path) -> None:
    content = '[\n  ["I like London.", {"entities": [[7, 13, "LOC"]]}],\n  ["Nothing here", {"entities": []}]\n]'
    first, second = formats.read(put(tmp_path / "train.json", content))
    assert first.spans == (SpanRecord(7, 13, "LOC"),) and first.line == 2 and second.spans == ()


# --- doccano ------------------------------------------------------------------------------------------------

def test_doccano_pretty_printed_records_and_line_numbers(tmp_path: Path) -> None:
    records = [{"text": "Google was founded", "entities": [{"id": 0, "start_offset": 0, "end_offset": 6,
                                                          "label": "ORG"}], "relations": []},
               {"text": "Larry Page", "label": [[0, 10, "PERSON"]], "id": 9, "meta": {"wikiPageID": 3}}]
    path = put(tmp_path / "export.jsonl", "\n".join(json.dumps(r, indent=4) for r in records) + "\n")
    first, second = formats.read(path)
    assert first.spans == (SpanRecord(0, 6, "ORG"),) and first.meta == {} and first.line == 1
    assert second.spans == (SpanRecord(0, 10, "PERSON"),) and second.line == 13
    assert second.meta == {"wikiPageID": 3, "id": 9}


def test_doccano_custom_columns_and_duplicates_kept(tmp_path: Path) -> None:
    path = put(tmp_path / "in.jsonl", '{"column_data": "exampleA", "column_label": [[0, 1, "LOC"], [0, 1, "LOC"]]}\n')
    (first,) = formats.read(path, "doccano")
    # Readers keep what the file says; exact repeats are merged (and counted) by the import service.
    assert first.spans == (SpanRecord(0, 1, "LOC"), SpanRecord(0, 1, "LOC"))
    path = put(tmp_path / "custom.jsonl", '{"body": "B", "tags": [[0, 1, "X"]]}\n')
    (record,) = formats.read(path, "doccano", text_key="body", label_key="tags")
    assert record.text == "B" and record.spans == (SpanRecord(0, 1, "X"),)


# --- Label Studio ---------------------------------------------------------------------------------------

def _result(start: int, end: int, label: str, kind: str = "labels") -> dict:
    return {"id": "r", "from_name": "label", "to_name": "text", "type": kind,
            "value": {"start": start, "end": end, "labels": [label]}}


def test_labelstudio_annotations_predictions_and_cancelled(tmp_path: Path) -> None:
    tasks = [
        {"id": 1, "data": {"text": "Izium and Kyiv", "title": "T"}, "annotations": [
            {"completed_by": 3, "result": [_result(0, 5, "LOC"), _result(0, 5, "x", "choices")]},
            {"completed_by": {"id": 4, "email": "b@example.org"}, "result": [_result(10, 14, "LOC")]},
            {"was_cancelled": True, "result": [_result(0, 14, "CLAIM")]},
        ], "predictions": [{"result": [_result(0, 14, "CLAIM")]}]},
        {"id": 2, "data": {"article": "Lviv"}, "predictions": [{"model_version": "v1", "result": [_result(0, 4, "LOC")]}]},
        {"id": 3, "data": {"text": "nothing"}},
    ]
    records = list(formats.read(put(tmp_path / "export.json", json.dumps(tasks, indent=2))))
    assert [(r.text, r.spans, r.annotator) for r in records] == [
        ("Izium and Kyiv", (SpanRecord(0, 5, "LOC"),), "labelstudio-user-3"),
        ("Izium and Kyiv", (SpanRecord(10, 14, "LOC"),), "b@example.org"),
        ("Lviv", (SpanRecord(0, 4, "LOC"),), None),
        ("nothing", (), None),
    ]
    assert records[0].meta == {"labelstudio_id": 1, "labelstudio_from": "annotations",
                               "labelstudio_ignored_results": 1}
    assert records[0].title == "T"
    assert records[2].meta == {"labelstudio_id": 2, "labelstudio_from": "predictions", "model_version": "v1"}


# --- brat -----------------------------------------------------------------------------------------------------

def test_brat_crlf_discontinuous_bom_and_missing_ann(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    text = "Izium\r\nis in the\r\nKharkiv oblast."
    put(folder / "a.txt", text)
    # brat counts a CRLF of the .txt as one character (it reads the text with universal newlines)
    put(folder / "a.ann", "T1\tLOC 0 5\tIzium\r\nT2\tLOC 16 23;24 30\tKharkiv oblast\r\nR1\tIn Arg1:T1 Arg2:T2\t\r\n"
                          "#1\tAnnotatorNotes T1\tcheck\r\nA1\tNegated T1\r\n")
    put(folder / "b.txt", b"\xef\xbb\xbfKyiv")
    put(folder / "b.ann", "T1\tLOC 1 5\tKyiv\n")
    put(folder / "c.txt", "No annotations here.")
    put(folder / "annotation.conf", "[entities]\nLOC\n")
    a, b, c = formats.read(folder, "brat")
    assert a.text == text
    assert a.spans == (SpanRecord(0, 5, "LOC"), SpanRecord(18, 25, "LOC"), SpanRecord(26, 32, "LOC"))
    assert a.meta == {"brat_ignored": 2, "brat_discontinuous": 1}  # the R line is read (tests/test_formats_relations.py)
    assert (a.title, a.source) == ("a", "a.txt")
    assert b.text == "Kyiv" and b.spans == (SpanRecord(0, 4, "LOC"),)
    assert c.spans == () and c.meta == {}
    (only,) = formats.read(folder / "a.ann", "brat")
    assert only.spans == a.spans


def test_brat_export_layout(tmp_path: Path) -> None:
    records = list(formats.read(put(tmp_path / "in.jsonl",
                                    '{"text": "Izium\\r\\ncity", "spans": [{"start": 0, "end": 11, "label": "LOC"}]}\n')))
    formats.write(records, tmp_path / "out", "brat")
    assert (tmp_path / "out" / "000001.ann").read_bytes() == b"T1\tLOC 0 10\tIzium city\n"
    assert (tmp_path / "out" / "000001.txt").read_bytes() == b"Izium\r\ncity"
    assert "[entities]\nLOC\n" in (tmp_path / "out" / "annotation.conf").read_text(encoding="utf-8")


# --- CoNLL ---------------------------------------------------------------------------------------------------

def test_conll_iob1_iob2_and_separators(tmp_path: Path) -> None:
    content = "United\tB-LOC\nArab\tI-LOC\nEmirates\tI-LOC\nsaid O\n\nPeter  I-PER\nBlackburn I-PER\nand O\n" \
              "Anna I-PER\nB B-PER\nC I-PER\nx NNP B-NP I-ORG\n\n\n"
    (first, second) = formats.read(put(tmp_path / "a.conll", content))
    assert first.text == "United Arab Emirates said"
    assert first.spans == (SpanRecord(0, 20, "LOC"),)
    assert second.text == "Peter Blackburn and Anna B C x"
    assert [(second.text[s.start:s.end], s.label) for s in second.spans] == [
        ("Peter Blackburn", "PER"), ("Anna", "PER"), ("B C", "PER"), ("x", "ORG")]
    assert (first.line, second.line) == (1, 6)


def test_conll_document_grouping(tmp_path: Path) -> None:
    sentences = "a B-X\nb O\n\nc O\n\nd B-Y\n\n"
    path = put(tmp_path / "s.conll", sentences)
    assert [r.text for r in formats.read(path)] == ["a b", "c", "d"]
    assert [r.text for r in formats.read(path, sentences_per_document=2)] == ["a b\nc", "d"]
    (whole,) = formats.read(path, sentences_per_document=0)
    assert whole.text == "a b\nc\nd" and whole.spans == (SpanRecord(0, 1, "X"), SpanRecord(6, 7, "Y"))
    docs = put(tmp_path / "d.conll", "-DOCSTART- -X- -X- O\n\na B-X\n\nb O\n-DOCSTART- -X- O\n\nc O\n\n")
    assert [r.text for r in formats.read(docs)] == ["a\nb", "c"]


def test_conll_export_format(tmp_path: Path) -> None:
    records = list(formats.read(put(tmp_path / "in.jsonl", json.dumps(
        {"text": "More than 17,000 people\nleft  Izium", "spans": [
            {"start": 0, "end": 23, "label": "FIGURE"}, {"start": 30, "end": 35, "label": "LOCATION"}]}) + "\n")))
    formats.write(records, tmp_path / "out.conll", "conll")
    assert (tmp_path / "out.conll").read_text(encoding="utf-8") == (
        "-DOCSTART- -X- O O\n\nMore B-FIGURE\nthan I-FIGURE\n17,000 I-FIGURE\npeople I-FIGURE\n\n"
        "left O\nIzium B-LOCATION\n\n"
    )


# --- streaming --------------------------------------------------------------------------------------------

def test_jsonl_is_read_lazily(tmp_path: Path) -> None:
    # The broken third line is not reached while only the first records are taken.
    path = put(tmp_path / "tasks.jsonl", '{"text": "A"}\n{"text": "B"}\n{"text": broken\n')
    records = formats.read(path, "prodigy")
    assert [next(records).text, next(records).text] == ["A", "B"]


@pytest.mark.slow
def test_large_jsonl_streams_in_little_memory(tmp_path: Path) -> None:
    import tracemalloc

    line = json.dumps({"text": "Понад 17 000 людей 🇺🇦 " * 40, "spans": [{"start": 0, "end": 5, "label": "FIGURE"}],
                       "tokens": [{"text": "x", "start": 0, "end": 1, "id": i} for i in range(40)]},
                      ensure_ascii=False) + "\n"
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(100_000):
            handle.write(line)
    assert path.stat().st_size > 200_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in formats.read(path, "auto"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 100_000
    assert peak < 20_000_000
