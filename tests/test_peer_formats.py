"""Our exports read by the other tools' own readers, and their files read by our importer (issue 11).

The peers: spaCy's `spacy convert` (CoNLL NER files, v2 JSON) and `docs_to_json`; Label Studio's converter
(label-studio-converter: JSON_MIN, CONLL2003); bratly, which opens a brat .txt with universal newlines as
brat does; seqeval's strict IOB2 scheme. Each test counts the spans lost, moved or relabelled on the way:
zero, except where the peer itself loses them, and then the test says which and why.

doccano-transformer is not run: it imports `spacy.gold` (spaCy 2 only). Its own offsets are wrong for news
texts: it splits a text into sentences at "\n" and finds each sentence's offset by matching characters, and
an empty line (a paragraph break) gets no offset, so every sentence after it takes its neighbour's offset
and the tags shift. The v2 JSON fixture below has the shape it writes; our files are not bent to its bug.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator import formats
from annotator.domain.records import DocumentRecord, SpanRecord
from annotator.services.exporting import export
from annotator.services.importing import import_paths
from annotator.services.workspace import get_project, open_workspace

# Texts in the style of the project's articles: a CLAIM holding a FIGURE and a LOCATION, a SOURCE across a
# line break, CRLF line ends, a paragraph break.
D1 = "Governor Olena Marchuk said that 17 drones hit Hrebenka overnight.\nLeave a Comment"
D2 = "More than 12,000 residents left the\r\nDorvan region, deputy governor\nIrena Dobrić said."
D3 = "Second article about Izium.\n\nIt is short."


def _span(text: str, covered: str, label: str) -> tuple[int, int, str]:
    start = text.index(covered)
    return start, start + len(covered), label


DOCS = [
    (D1, [_span(D1, "Governor Olena Marchuk", "SOURCE"), _span(D1, "17 drones", "FIGURE"),
          _span(D1, "Hrebenka", "LOCATION"), _span(D1, "17 drones hit Hrebenka overnight", "CLAIM")]),
    (D2, [_span(D2, "More than 12,000 residents", "FIGURE"), _span(D2, "Dorvan region", "LOCATION"),
          _span(D2, "deputy governor\nIrena Dobrić", "SOURCE")]),
    (D3, [_span(D3, "Izium", "LOCATION")]),
]


def project(tmp: Path, docs: list[tuple[str, list[tuple[int, int, str]]]], name: str = "a.db"):  # type: ignore[no-untyped-def]
    source = tmp / f"{name}.jsonl"
    source.write_text("".join(json.dumps({"text": t, "spans": [{"start": s, "end": e, "label": lb}
                                                                for s, e, lb in spans]}) + "\n"
                              for t, spans in docs), encoding="utf-8")
    ws = open_workspace(tmp / name)
    summary = import_paths(ws, [source], project="p", annotator="ana")
    assert summary.errors == []
    return ws


def stored(ws) -> list[tuple[str, list[tuple[str, str]]]]:  # type: ignore[no-untyped-def]
    """(text, [(span text, label)]) of every document, in import order."""
    with ws.unit() as repo:
        ids = repo.documents.ids(get_project(ws, "p").id)
        texts = {d[0]: d[1] for d in repo.documents.batch(ids)}
        spans = repo.spans.of_documents(ids, None)
    return [(texts[i], sorted((texts[i][s.start:s.end], s.label) for s in spans.get(i, []))) for i in ids]


def words(text: str) -> str:
    """The tokens of `text` as a token-per-line format gives them back: joined by single spaces."""
    import spacy

    return " ".join(t.text for t in spacy.blank("en").make_doc(text) if not t.is_space)


def spacy_convert(path: Path, out: Path, converter: str) -> list:  # type: ignore[type-arg]
    """The Docs `python -m spacy convert` makes of a file, run as a user runs it."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    out.mkdir()
    result = subprocess.run([sys.executable, "-m", "spacy", "convert", str(path), str(out), "--converter",
                             converter], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    (made,) = out.glob("*.spacy")
    return list(DocBin().from_disk(made).get_docs(Vocab()))


def conll_sentences(path: Path) -> list[tuple[list[str], list[str]]]:
    """(tokens, tags) of each sentence of a CoNLL file, -DOCSTART- lines left out."""
    sentences: list[tuple[list[str], list[str]]] = [([], [])]
    for line in path.read_text(encoding="utf-8").splitlines():
        columns = line.split()
        if not columns or columns[0] == "-DOCSTART-":
            if sentences[-1][0]:
                sentences.append(([], []))
            continue
        sentences[-1][0].append(columns[0])
        sentences[-1][1].append(columns[-1])
    return [s for s in sentences if s[0]]


# --- CoNLL: spaCy's converter and seqeval read our export -----------------------------------------------------

def test_spacy_convert_splits_our_conll_into_our_documents(tmp_path: Path) -> None:
    ws = project(tmp_path, [DOCS[0], DOCS[2]])
    export(ws, fmt="conll", out=tmp_path / "out.conll", project="p")
    ws.close()
    docs = spacy_convert(tmp_path / "out.conll", tmp_path / "spacy", "ner")
    # One Doc per document (with the old `-DOCSTART- -X- -X- O` line spaCy made one per sentence, the
    # DOCSTART lines among them as words).
    assert [" ".join(t.text for t in d) for d in docs] == [words(D1), words(D3)]
    assert [[(e.text, e.label_) for e in d.ents] for d in docs] == [
        [("Governor Olena Marchuk", "SOURCE"), (words("17 drones hit Hrebenka overnight"), "CLAIM")],
        [("Izium", "LOCATION")],
    ]


def test_conll_export_keeps_a_span_across_a_line_break_and_counts_what_it_wrote(tmp_path: Path) -> None:
    ws = project(tmp_path, DOCS)
    summary = export(ws, fmt="conll", out=tmp_path / "out.conll", project="p", align="expand")
    ws.close()
    out = tmp_path / "out.conll"
    tags = [tag for _, sentence_tags in conll_sentences(out) for tag in sentence_tags]
    # The count says what the file holds; the two spans inside the CLAIM are left out, counted and listed.
    assert summary.spans == sum(tag.startswith("B-") for tag in tags) == 6
    assert sorted((s, e, label) for _, s, e, label, _ in summary.left_out_of_ents) == sorted(
        [_span(D1, "17 drones", "FIGURE")[:2] + ("FIGURE",), _span(D1, "Hrebenka", "LOCATION")])
    lines = summary.lines()
    assert lines[0].startswith("wrote 3 documents and 6 spans")
    assert any(line.startswith("2 span(s) left out of the file") for line in lines)
    # spaCy reads the SOURCE across the line break as one entity; nothing else moved or changed its label.
    docs = spacy_convert(out, tmp_path / "spacy", "ner")
    assert [sorted((e.text, e.label_) for e in d.ents) for d in docs] == [
        [(words("17 drones hit Hrebenka overnight"), "CLAIM"), ("Governor Olena Marchuk", "SOURCE")],
        sorted([(words(D2[s:e]), label) for s, e, label in DOCS[1][1]]),
        [("Izium", "LOCATION")],
    ]


def test_our_conll_passes_seqeval_strict_iob2(tmp_path: Path) -> None:
    from seqeval.metrics.sequence_labeling import get_entities
    from seqeval.scheme import IOB2, Entities

    ws = project(tmp_path, DOCS)
    summary = export(ws, fmt="conll", out=tmp_path / "out.conll", project="p")
    ws.close()
    sentences = conll_sentences(tmp_path / "out.conll")
    tags = [t for _, t in sentences]
    strict = [e for sentence in Entities(tags, IOB2).entities for e in sentence]
    # Strict IOB2 finds every entity the lenient CoNLL reading finds: no I- without its B-, none cut by a
    # sentence break.
    assert len(strict) == sum(len(get_entities(t)) for t in tags) == summary.spans == 6


def test_conll_export_advises_align_expand_only_where_it_helps(tmp_path: Path) -> None:
    from annotator.errors import ExportError

    reserved = DocumentRecord("The word -DOCSTART- here", (SpanRecord(0, 3, "X"),))
    with pytest.raises(ExportError) as error:
        formats.write([reserved], tmp_path / "a.conll", "conll")
    assert "-DOCSTART-" in str(error.value) and "--align expand" not in str(error.value)
    off_tokens = DocumentRecord("Izium, Kharkiv", (SpanRecord(0, 3, "LOC"),))
    with pytest.raises(ExportError) as error:
        formats.write([off_tokens], tmp_path / "b.conll", "conll")
    assert "--align expand" in str(error.value)


def test_conll_reads_every_docstart_form(tmp_path: Path) -> None:
    for line in ("-DOCSTART- -X- O O", "-DOCSTART- -X- -X- O", "-DOCSTART- -X- O", "-DOCSTART-"):
        path = tmp_path / "f.conll"
        path.write_text(f"{line}\n\nKyiv B-LOC\n\n{line}\n\nIzium B-LOC\nsaid O\n\n", encoding="utf-8")
        assert [(r.text, r.spans) for r in formats.read(path)] == [
            ("Kyiv", (SpanRecord(0, 4, "LOC"),)), ("Izium said", (SpanRecord(0, 5, "LOC"),))], line


def test_realdata_conll2002_through_spacy_convert(realdata: Path, tmp_path: Path) -> None:
    """The CoNLL-2002 brat files (20 documents, 816 spans): imported, exported as CoNLL, read by spaCy."""
    ws = open_workspace(tmp_path / "a.db")
    assert import_paths(ws, [realdata / "brat" / "CoNLL-ST_2002"], project="p", annotator="ana").errors == []
    summary = export(ws, fmt="conll", out=tmp_path / "out.conll", project="p", align="expand")
    ws.close()
    docs = spacy_convert(tmp_path / "out.conll", tmp_path / "spacy", "ner")
    assert len(docs) == summary.documents == 20
    # spaCy finds every span the file holds; the ones not written overlap another and are listed.
    assert sum(len(d.ents) for d in docs) == summary.spans
    assert summary.spans + len(summary.left_out_of_ents) == 816
    # ... and what spaCy made of it imports back whole.
    back = open_workspace(tmp_path / "b.db")
    result = import_paths(back, list((tmp_path / "spacy").glob("*.spacy")), project="p", annotator="ana")
    assert result.errors == [] and result.total("spans_added") == summary.spans
    back.close()


# --- brat: offsets as brat counts them (a CRLF is one character) ----------------------------------------------

def bratly_document(txt: Path):  # type: ignore[no-untyped-def]
    from bratly import AnnotationCollection, Document, EntityAnnotation

    lines = [line for line in txt.with_suffix(".ann").read_text(encoding="utf-8").split("\n") if line]
    document = Document(fullpath=str(txt))
    document.add_annotation_collection(AnnotationCollection(annotations=[EntityAnnotation.from_line(x)
                                                                         for x in lines]))
    return document


def test_bratly_reads_our_crlf_export(tmp_path: Path) -> None:
    records = [DocumentRecord(t, tuple(SpanRecord(*s) for s in spans)) for t, spans in DOCS]
    formats.write(records, tmp_path / "brat", "brat")
    for number, record in enumerate(records, start=1):
        txt = tmp_path / "brat" / f"{number:06d}.txt"
        assert txt.read_bytes() == record.text.encode("utf-8")  # the stored text, byte for byte
        document = bratly_document(txt)
        assert document.check_ann_compatibility_with_txt()
        # brat's view of the text: universal newlines; every span points at its own characters there.
        seen = open(txt, encoding="utf-8").read()  # noqa: SIM115 - the way brat and bratly open it
        (collection,) = document.annotation_collections
        got = [(seen[a.get_start():a.get_end()], a.label) for a in collection.get_annotations()]
        assert got == [(record.text[s.start:s.end].replace("\r\n", "\n"), s.label) for s in record.spans]


def test_brat_ann_written_by_brat_for_a_crlf_text_imports_exactly(tmp_path: Path) -> None:
    from bratly import EntityAnnotation, Fragment

    text = "Izium\r\nis in the\r\nKharkiv oblast, deputy governor\r\nIrena Dobrić said.\r\n"
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_bytes(text.encode("utf-8"))
    seen = open(folder / "a.txt", encoding="utf-8").read()  # noqa: SIM115 - brat reads with universal newlines
    wanted = [("Izium", "LOC"), ("Kharkiv oblast", "LOC"), ("deputy governor\nIrena Dobrić", "SOURCE")]
    lines = []
    for k, (covered, label) in enumerate(wanted, start=1):
        start = seen.index(covered)
        ann = EntityAnnotation(id=f"T{k}", label=label, fragments=[Fragment(start=start, end=start + len(covered))],
                               content=covered.replace("\n", " "))
        lines.append(f"{ann}\n")
    (folder / "a.ann").write_text("".join(lines), encoding="utf-8")
    (record,) = formats.read(folder, "brat")
    assert record.text == text
    assert [(text[s.start:s.end], s.label) for s in record.spans] == [
        (c.replace("\n", "\r\n"), label) for c, label in wanted]
    assert "brat_offsets" not in record.meta


def test_brat_ann_counting_a_crlf_as_two_still_reads(tmp_path: Path) -> None:
    """Files annotator wrote before (and some tools still write) count a CRLF as two characters."""
    text = "Izium\r\nis in the\r\nKharkiv oblast."
    (tmp_path / "a.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "a.ann").write_text("T1\tLOC 0 5\tIzium\nT2\tLOC 18 32\tKharkiv oblast\n", encoding="utf-8")
    (record,) = formats.read(tmp_path / "a.ann", "brat")
    assert [text[s.start:s.end] for s in record.spans] == ["Izium", "Kharkiv oblast"]
    assert record.meta["brat_offsets"] == "crlf-as-two"


def test_realdata_brat_news_read_by_bratly_after_our_export(realdata: Path, tmp_path: Path) -> None:
    records = list(formats.read(realdata / "brat" / "news", "brat"))
    formats.write(records, tmp_path / "out", "brat")
    for number, record in enumerate(records, start=1):
        document = bratly_document(tmp_path / "out" / f"{number:06d}.txt")
        assert document.check_ann_compatibility_with_txt()
        (collection,) = document.annotation_collections
        assert len(collection.get_annotations()) == len(record.spans)


# --- spaCy DocBin: what doc.ents leaves out, and the suggester ------------------------------------------------

def test_spacy_export_lists_the_claims_left_out_of_doc_ents(tmp_path: Path) -> None:
    ws = project(tmp_path, DOCS)
    summary = export(ws, fmt="spacy", out=tmp_path / "corpus", project="p", split=0.5)
    ws.close()
    why = sorted((label, reason) for _, _, _, label, reason in summary.left_out_of_ents)
    assert why == [("CLAIM", "a statement, not an entity")]
    assert any(line.startswith("1 span(s) kept in doc.spans but left out of doc.ents (1 a statement")
               for line in summary.lines())
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    docs = [d for part in ("train", "dev") for d in DocBin().from_disk(tmp_path / "corpus" / f"{part}.spacy")
            .get_docs(Vocab())]
    ents = sorted((e.text, e.label_) for d in docs for e in d.ents)
    spans = sorted((s.text, s.label_) for d in docs for s in d.spans["sc"])
    # Every span is in doc.spans; doc.ents holds the rest, overlapping FIGURE and LOCATION inside the CLAIM too.
    assert len(spans) == 8 and ents == sorted(x for x in spans if x[1] != "CLAIM")


def test_spacy_export_counts_every_span_left_out_and_lists_the_first(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.nlp import docbin

    monkeypatch.setattr(docbin, "LISTED", 2)  # the report keeps only the first spans; the counts are of all
    text = " and ".join(["Kyiv said no"] * 4)
    claims = [(i, i + 12, "CLAIM") for i in range(0, len(text), 17)]
    ws = project(tmp_path, [(text, [*claims, (0, 4, "LOCATION"), (0, 4, "SOURCE")])])
    summary = export(ws, fmt="spacy", out=tmp_path / "corpus", project="p", split=1.0)
    ws.close()
    assert summary.left_out_counts == {"a statement, not an entity": 4, "overlaps a longer entity": 1}
    lines = summary.lines()
    at = lines.index("5 span(s) kept in doc.spans but left out of doc.ents (4 a statement, not an entity, "
                     "1 overlaps a longer entity):")
    assert lines[at + 1].startswith("  ") and lines[at + 3] == "  ... and 3 more"


def test_which_labels_go_in_doc_ents_is_decided_by_their_kind(tmp_path: Path) -> None:
    from annotator.nlp import docbin
    from annotator.services.labels import update_label

    ws = project(tmp_path, DOCS)
    update_label(ws, "p", "FIGURE", kind="statement")
    update_label(ws, "p", "CLAIM", kind="entity")
    summary = export(ws, fmt="spacy", out=tmp_path / "corpus", project="p", split=0.5)
    ws.close()
    # FIGURE is now a statement label: both FIGUREs stay out of doc.ents, the CLAIM goes in and the
    # LOCATION inside it is left out as an overlap.
    assert sorted((label, reason) for *_, label, reason in summary.left_out_of_ents) == [
        ("FIGURE", docbin.LEFT_OUT_STATEMENT), ("FIGURE", docbin.LEFT_OUT_STATEMENT),
        ("LOCATION", docbin.LEFT_OUT_OVERLAP)]


def test_readme_says_which_labels_go_in_doc_ents() -> None:
    from annotator.services.workspace import default_labels

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    (row,) = [line for line in readme.splitlines() if line.startswith("| spaCy DocBin")]
    assert sorted(default_labels().statements()) == ["CLAIM"]
    assert "every label of kind entity" in row and "statement labels (CLAIM)" in row


def test_suggester_is_sized_to_the_longest_span(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.nlp import docbin

    claim = "more than 12,000 residents have left the city of Velmora since Monday , officials"
    text = f"The mayor said that {claim} said."
    ws = project(tmp_path, [(text, [_span(text, claim, "CLAIM"), _span(text, "Velmora", "LOCATION")]),
                            ("Another text about Izium.", [(19, 24, "LOCATION")])])
    summary = export(ws, fmt="spacy", out=tmp_path / "corpus", project="p")
    config = (tmp_path / "corpus" / "config.cfg").read_text(encoding="utf-8")
    assert "max_size = 14\n" in config and summary.suggester_max == summary.longest_span_tokens == 14
    assert summary.too_long_for_suggester == []
    # Past the cap the suggester cannot propose a span: the summary says how many and which.
    monkeypatch.setattr(docbin, "MAX_SUGGESTER_TOKENS", 10)
    summary = export(ws, fmt="spacy", out=tmp_path / "corpus2", project="p")
    ws.close()
    assert "max_size = 10\n" in (tmp_path / "corpus2" / "config.cfg").read_text(encoding="utf-8")
    assert [(label, n) for *_, label, n in summary.too_long_for_suggester] == [("CLAIM", 14)]
    assert "1 span(s) are longer than the suggester proposes, so the trained spancat cannot find them:" in (
        summary.lines())


# --- Label Studio: its converter reads our JSON export; we read what it writes -------------------------------

LS_CONFIG = ('<View><Labels name="label" toName="text">' + "".join(
    f'<Label value="{name}"/>' for name in ("SOURCE", "LOCATION", "FIGURE", "CLAIM")) +
    '</Labels><Text name="text" value="$text"/></View>')


def labelstudio_convert(tasks: Path, out: Path, fmt: str, config: str = LS_CONFIG) -> Path:
    """Label Studio's own converter (label-studio-converter) on a file of tasks: JSON_MIN or CONLL2003."""
    from label_studio_converter import Converter

    Converter(config, project_dir=None, download_resources=False).convert(str(tasks), str(out), fmt, is_dir=False)
    (made,) = [p for p in out.iterdir() if p.name.startswith("result")]
    return made


def test_labelstudio_json_min_of_our_export_imports_back(tmp_path: Path) -> None:
    ws = project(tmp_path, DOCS)
    export(ws, fmt="labelstudio", out=tmp_path / "tasks.json", project="p")
    before = stored(ws)
    ws.close()
    json_min = labelstudio_convert(tmp_path / "tasks.json", tmp_path / "min", "JSON_MIN")
    assert formats.detect_format(json_min) == "labelstudio"
    back = open_workspace(tmp_path / "b.db")
    summary = import_paths(back, [json_min], project="p", annotator="ana")
    assert summary.errors == []
    # Not one span lost, moved or relabelled through Label Studio's reader and writer and ours.
    assert stored(back) == before
    back.close()


def test_labelstudio_json_min_record_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text(json.dumps([{"text": "Izium is in Kharkiv oblast.", "id": 7, "sentiment": "Neutral",
                                 "ner": [{"start": 0, "end": 5, "text": "Izium", "labels": ["LOC", "GPE"]}],
                                 "annotator": "ana@example.org", "annotation_id": 3, "created_at": "2024-01-01",
                                 "updated_at": "2024-01-02", "lead_time": 4.5},
                                # a task nobody annotated, its text under another name
                                {"article": "Kyiv.", "id": 8, "annotator": None, "annotation_id": None,
                                 "created_at": None, "updated_at": None, "lead_time": None}]), encoding="utf-8")
    record, empty = formats.read(path)
    assert record.text == "Izium is in Kharkiv oblast."
    assert record.spans == (SpanRecord(0, 5, "LOC"), SpanRecord(0, 5, "GPE"))
    assert record.annotator == "ana@example.org"
    assert record.meta == {"labelstudio_from": "json_min", "labelstudio_id": 7}
    assert (empty.text, empty.spans, empty.annotator) == ("Kyiv.", (), None)


def test_labelstudio_conll2003_splits_back_into_its_tasks(tmp_path: Path) -> None:
    from seqeval.metrics.sequence_labeling import get_entities

    ws = project(tmp_path, DOCS)
    export(ws, fmt="labelstudio", out=tmp_path / "tasks.json", project="p")
    ws.close()
    conll = labelstudio_convert(tmp_path / "tasks.json", tmp_path / "conll", "CONLL2003")
    content = conll.read_text(encoding="utf-8")
    assert content.count("-DOCSTART-") == 1  # one for the whole file, a blank line after each task
    records = list(formats.read(conll))
    assert len(records) == len(DOCS)
    # What Label Studio wrote is what we read: every entity of its tags, nothing more, nothing less.
    blocks = [b for b in content.split("-DOCSTART- -X- O\n", 1)[1].split("\n\n") if b.strip()]
    theirs = [[(" ".join(line.split()[0] for line in block.splitlines()[a:b + 1]), label)
               for label, a, b in get_entities([line.split()[-1] for line in block.splitlines()])]
              for block in blocks]
    ours = [[(r.text[s.start:s.end], s.label) for s in r.spans] for r in records]
    assert ours == theirs
    # Label Studio itself keeps one tag per token: the FIGURE and LOCATION inside the CLAIM of the first
    # document are lost by its converter, not by us (8 spans in, 6 in its file).
    assert sum(len(x) for x in theirs) == sum(len(spans) for _, spans in DOCS) - 2


def test_realdata_labelstudio_task_through_its_converter(realdata: Path, tmp_path: Path) -> None:
    """The Reuters task of Label Studio's examples (one `Date` span, tag name "ner"), through JSON_MIN."""
    source = realdata / "labelstudio" / "named_entity__annotations_1.json"
    (original,) = formats.read(source)
    config = '<View><Labels name="ner" toName="text"><Label value="Date"/></Labels><Text name="text" value="$text"/></View>'
    tasks = tmp_path / "tasks.json"
    tasks.write_text(source.read_text(encoding="utf-8") if source.read_text(encoding="utf-8").lstrip().startswith("[")
                     else "[" + source.read_text(encoding="utf-8") + "]", encoding="utf-8")
    (back,) = formats.read(labelstudio_convert(tasks, tmp_path / "min", "JSON_MIN", config))
    assert (back.text, back.spans) == (original.text, original.spans)


# --- spaCy v2 JSON: as doccano-transformer and spaCy's docs_to_json write it --------------------------------------

V2_DOC = "Velmora, 12 May.\nDeputy governor Irena Dobrić said 12,000 people left."
V2_JSON = [{"id": 2578, "paragraphs": [{"raw": V2_DOC, "sentences": [
    {"tokens": [{"id": 0, "orth": "Velmora", "ner": "U-LOCATION"}, {"id": 1, "orth": ",", "ner": "O"},
                {"id": 2, "orth": "12", "ner": "O"}, {"id": 3, "orth": "May", "ner": "O"},
                {"id": 4, "orth": ".", "ner": "O"}]},
    {"tokens": [{"id": 0, "orth": "Deputy", "ner": "B-SOURCE"}, {"id": 1, "orth": "governor", "ner": "I-SOURCE"},
                {"id": 2, "orth": "Irena", "ner": "I-SOURCE"}, {"id": 3, "orth": "Dobrić", "ner": "L-SOURCE"},
                {"id": 4, "orth": "said", "ner": "O"}, {"id": 5, "orth": "12,000", "ner": "B-FIGURE"},
                {"id": 6, "orth": "people", "ner": "L-FIGURE"}, {"id": 7, "orth": "left", "ner": "O"},
                {"id": 8, "orth": ".", "ner": "O"}]}]}]}]


def test_spacy_v2_json_imports_as_spacy_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "train.json"
    path.write_text(json.dumps(V2_JSON, ensure_ascii=False, indent=4), encoding="utf-8")
    assert formats.detect_format(path) == "spacy_json"
    (record,) = formats.read(path)
    assert record.text == V2_DOC and record.meta == {"spacy_json_id": 2578}
    ours = [(V2_DOC[s.start:s.end], s.label) for s in record.spans]
    assert ours == [("Velmora", "LOCATION"), ("Deputy governor Irena Dobrić", "SOURCE"), ("12,000 people", "FIGURE")]
    # spaCy's own reader of the format finds the same entities.
    (doc,) = spacy_convert(path, tmp_path / "spacy", "json")
    assert [(e.text, e.label_) for e in doc.ents] == ours


def test_spacy_docs_to_json_of_our_docbin_imports_back(tmp_path: Path) -> None:
    from spacy.tokens import DocBin
    from spacy.training import docs_to_json
    from spacy.vocab import Vocab

    ws = project(tmp_path, DOCS)
    export(ws, fmt="spacy", out=tmp_path / "corpus", project="p")
    before = stored(ws)
    ws.close()
    docs = [d for part in ("train", "dev") for d in DocBin().from_disk(tmp_path / "corpus" / f"{part}.spacy")
            .get_docs(Vocab())]
    for doc in docs:
        for token in doc:
            token.is_sent_start = token.i == 0 or doc[token.i - 1].text.endswith("\n")
    path = tmp_path / "v2.json"
    path.write_text(json.dumps([docs_to_json([d], doc_id=i) for i, d in enumerate(docs)]), encoding="utf-8")
    back = {r.text: sorted((r.text[s.start:s.end], s.label) for s in r.spans) for r in formats.read(path)}
    # docs_to_json writes doc.ents, which hold every span but the CLAIMs (none overlap here): all come back.
    assert back == {text: [x for x in spans if x[1] != "CLAIM"] for text, spans in before}


def test_spacy_v2_json_with_tokens_not_in_the_text_names_them(tmp_path: Path) -> None:
    from annotator.errors import ImportFormatError

    broken = json.loads(json.dumps(V2_JSON))
    broken[0]["paragraphs"][0]["sentences"][1]["tokens"][2]["orth"] = "Irina"
    path = tmp_path / "train.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ImportFormatError) as error:
        list(formats.read(path))
    assert "[0].paragraphs[0].sentences[1].tokens[2]" in str(error.value) and "'Irina'" in str(error.value)


def test_realdata_kaznerd_through_our_conll_export_keeps_every_entity(realdata: Path, tmp_path: Path) -> None:
    """KazNERD's IOB2 (Kazakh news sentences; spaCy has no Kazakh, so "xx"), imported, exported, compared."""
    from seqeval.metrics.sequence_labeling import get_entities

    lines = (realdata / "kaznerd-cyrillic" / "IOB2_valid.txt").read_text(encoding="utf-8").split("\n")
    cut = [i for i, line in enumerate(lines) if not line.strip()][399]  # the first 400 sentences
    source = tmp_path / "kaznerd.conll"
    source.write_text("\n".join(lines[:cut]) + "\n\n", encoding="utf-8")

    def entities(path: Path) -> list[tuple[str, str]]:
        found = []
        for tokens, tags in conll_sentences(path):
            # spaCy's multi-language tokenizer may cut a word KazNERD kept whole: compare without spaces.
            found += [("".join(tokens[a:b + 1]), label) for label, a, b in get_entities(tags)]
        return sorted(found)

    ws = open_workspace(tmp_path / "a.db")
    assert import_paths(ws, [source], project="p", annotator="ana", lang="xx").errors == []
    summary = export(ws, fmt="conll", out=tmp_path / "out.conll", project="p")
    ws.close()
    theirs = entities(source)
    ours = entities(tmp_path / "out.conll")
    assert ours == theirs and len(ours) == 498  # none lost, moved or relabelled
    docs = spacy_convert(tmp_path / "out.conll", tmp_path / "spacy", "ner")
    assert len(docs) == summary.documents == 400 and sum(len(d.ents) for d in docs) == 498
    assert summary.spans == len(ours) and summary.left_out_of_ents == []
