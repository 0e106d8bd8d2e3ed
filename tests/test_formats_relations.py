"""Relations and span attributes carried by the formats: written, read back the same, and written again byte for
byte; a relation that names a span the file does not hold is one coded line that names the line; the real files
of other tools that carry relations import with them."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from data_fixtures import TRICKY_TEXTS, span_at

from annotator import formats
from annotator.domain.records import DocumentRecord, RelationRecord
from annotator.errors import RelationSpanMissingError

ARTICLE = ("More than 12,000 residents have left Velmora since Monday,\r\nthe port authority said. "
           "Prices rose by about 3.5 per cent 🇺🇦.")
FIGURE = {"value": 12000.0, "low": None, "high": None, "unit": "residents", "qualifier": "more than",
          "factor": None, "reference": ""}
CARRY_ATTRS = ("prodigy", "labelstudio", "brat")
FILES = {"prodigy": "out.jsonl", "doccano": "out.jsonl", "labelstudio": "out.json", "brat": "out"}


def framed_records() -> list[DocumentRecord]:
    text = ARTICLE
    claim = span_at(text, "More than 12,000 residents have left Velmora since Monday", "CLAIM")
    figure = replace(span_at(text, "More than 12,000 residents", "FIGURE"), attrs=FIGURE)
    place = span_at(text, "Velmora", "LOCATION")
    source = span_at(text, "the port authority", "SOURCE")
    second = span_at(text, "Prices rose by about 3.5 per cent", "CLAIM")
    share = replace(span_at(text, "about 3.5 per cent", "FIGURE"),
                    attrs={**FIGURE, "value": 3.5, "unit": "per cent", "qualifier": "about"})
    b = TRICKY_TEXTS[1]
    return [
        DocumentRecord(text, (claim, figure, place, source, second, share),
                       relations=(RelationRecord(0, 3, "said_by"), RelationRecord(0, 2, "where"),
                                  RelationRecord(0, 1, "figure"), RelationRecord(4, 5, "figure"))),
        DocumentRecord(b, (span_at(b, "Більше 17 000 людей залишили Луганщину", "CLAIM"), span_at(b, "Гайдай", "SOURCE")),
                       relations=(RelationRecord(0, 1, "said_by"),)),
        DocumentRecord("No spans at all, 👍🏽.", ()),
    ]


def _bytes(out: Path) -> dict[str, bytes]:
    if out.is_dir():
        return {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    return {out.name: out.read_bytes()}


@pytest.mark.parametrize("fmt", list(FILES))
def test_relations_and_attributes_round_trip_byte_for_byte(tmp_path: Path, fmt: str) -> None:
    records = framed_records()
    first = tmp_path / "a" / FILES[fmt]
    first.parent.mkdir()
    formats.write(iter(records), first, fmt)
    back = list(formats.read(first, fmt))
    assert [(r.text, r.spans, r.relations) for r in back] == [(r.text, r.spans, r.relations) for r in records]
    attrs = [[s.attrs for s in r.spans] for r in back]
    if fmt in CARRY_ATTRS:
        assert attrs == [[s.attrs for s in r.spans] for r in records]
    else:
        assert all(a is None for spans in attrs for a in spans)
    second = tmp_path / "b" / FILES[fmt]
    second.parent.mkdir()
    formats.write(iter(back), second, fmt)
    assert _bytes(second) == _bytes(first)


def test_what_each_file_holds(tmp_path: Path) -> None:
    records = framed_records()
    formats.write(iter(records), tmp_path / "brat", "brat")
    ann = (tmp_path / "brat" / "000001.ann").read_text(encoding="utf-8")
    assert "R1\tsaid_by Arg1:T1 Arg2:T4\n" in ann and "R4\tfigure Arg1:T5 Arg2:T6\n" in ann
    assert '#1\tAnnotatorNotes T2\t{"value": 12000.0, ' in ann
    conf = (tmp_path / "brat" / "annotation.conf").read_text(encoding="utf-8")
    assert "[relations]\nsaid_by\tArg1:CLAIM, Arg2:SOURCE\nwhere\tArg1:CLAIM, Arg2:LOCATION\n" in conf
    formats.write(iter(records), tmp_path / "p.jsonl", "prodigy", tokenize=lambda text: [
        (m.start(), m.end()) for m in re.finditer(r"\S+", text)])
    task = json.loads((tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()[0])
    said_by = task["relations"][0]
    # rel.manual's head and child are the last token of each span (spaCy's rel_component tutorial reads them so)
    assert (said_by["head"], said_by["child"], said_by["label"]) == (8, 11, "said_by")
    assert said_by["child_span"] == {"start": ARTICLE.index("the port"), "end": ARTICLE.index(" said."),
                                     "token_start": 9, "token_end": 11, "label": "SOURCE"}


@pytest.mark.parametrize(("fmt", "name", "content", "where"), [
    ("prodigy", "x.jsonl", '{"text": "Ana said so.", "spans": [{"start": 0, "end": 3, "label": "SOURCE"}]}\n'
     '{"text": "Ben said no.", "spans": [{"start": 0, "end": 3, "label": "SOURCE"}], "relations": [{"head": 0, '
     '"child": 2, "head_span": {"start": 0, "end": 3, "label": "SOURCE"}, "child_span": {"start": 4, "end": 8, '
     '"label": "CLAIM"}, "label": "said_by"}]}\n', "line 2, field \"relations[0].child_span\""),
    ("doccano", "x.jsonl", '{"text": "Ana said so.", "entities": [{"id": 7, "start_offset": 0, "end_offset": 3, '
     '"label": "SOURCE"}], "relations": [{"from_id": 7, "to_id": 8, "type": "said_by"}]}\n',
     "line 1, field \"relations[0].to_id\""),
    ("labelstudio", "x.json", '[{"data": {"text": "Ana said so."}, "annotations": [{"result": [{"id": "a", '
     '"type": "labels", "from_name": "label", "to_name": "text", "value": {"start": 0, "end": 3, "labels": '
     '["SOURCE"]}}, {"type": "relation", "from_id": "b", "to_id": "a", "labels": ["said_by"]}]}]}]\n',
     "field \"annotations[0].result[1].from_id\""),
    ("prodigy", "x.jsonl", '{"text": "Ana said so.", "spans": [{"start": 0, "end": 3, "label": "SOURCE", '
     '"token_end": [0]}], "relations": [{"head": [0], "child": {}, "label": "said_by"}]}\n',
     "line 1, field \"relations[0].head\""),
    ("doccano", "x.jsonl", '{"text": "Ana said so.", "entities": [{"id": [7], "start_offset": 0, "end_offset": 3, '
     '"label": "SOURCE"}], "relations": [{"from_id": [7], "to_id": {}, "type": "said_by"}]}\n',
     "line 1, field \"relations[0].from_id\""),
])
def test_a_relation_to_a_missing_span_names_the_line(tmp_path: Path, fmt: str, name: str, content: str,
                                                     where: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RelationSpanMissingError) as caught:
        list(formats.read(path, fmt))
    assert str(caught.value).startswith(f"[A161] {path}")
    assert where in str(caught.value)


def test_a_brat_relation_to_a_missing_t_line_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Ana said so.", encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tSOURCE 0 3\tAna\nR1\tsaid_by Arg1:T2 Arg2:T1\t\n", encoding="utf-8")
    with pytest.raises(RelationSpanMissingError, match=r"\[A161\] .*a\.ann, line 2, field \"Arg1\": the relation "
                                                       r"said_by names T2, which is no T line"):
        list(formats.read(tmp_path, "brat"))


def test_real_files_bring_their_relations(realdata: Path, tmp_path: Path) -> None:
    from annotator.services.importing import import_paths
    from annotator.services.workspace import open_workspace

    ws = open_workspace(tmp_path / "real.db")
    try:
        rel = realdata / "prodigy-explosion-projects" / "rel_component__annotations.jsonl"
        summary = import_paths(ws, [rel], project="genia", annotator="ana", fmt="prodigy")
        assert summary.errors == []
        assert 0 < summary.total("relations_added") <= 267  # repeats in one task are one relation
        news = import_paths(ws, [realdata / "brat" / "news"], project="news", annotator="ana", fmt="brat")
        assert news.errors == [] and news.total("relations_added") == 8
        doccano = realdata / "doccano" / "data_import__examples__relation_extraction__example.jsonl"
        done = import_paths(ws, [doccano], project="google", annotator="ana", fmt="doccano")
        assert done.errors == [] and done.total("relations_added") == 3
        assert done.relation_types_added == ["foundedAt", "foundedBy"]
        assert "relation types added to the project: foundedAt, foundedBy" in done.lines()
        from annotator.services.relations import list_relation_types

        assert {(t.name, t.head_label, t.child_label) for t in list_relation_types(ws, "google")} >= {
            ("foundedBy", "ORG", "PERSON"), ("foundedAt", "ORG", "DATE")}
    finally:
        ws.close()


def test_spacy_docbin_keeps_relations_and_attributes_and_the_rel_training_shape(tmp_path: Path) -> None:
    from spacy.tokens import Doc, DocBin

    from annotator.nlp.tokens import blank
    from annotator.services.exporting import export
    from annotator.services.importing import import_paths
    from annotator.services.workspace import open_workspace

    records = framed_records()
    formats.write(iter(records), tmp_path / "in.jsonl", "prodigy")
    ws = open_workspace(tmp_path / "a.db")
    try:
        assert import_paths(ws, [tmp_path / "in.jsonl"], project="p", annotator="ana").total("relations_added") == 5
        export(ws, fmt="spacy", out=tmp_path / "corpus", project="p", split=1.0)
    finally:
        ws.close()
    if not Doc.has_extension("rel"):
        Doc.set_extension("rel", default={})
    corpus = [tmp_path / "corpus" / "train.spacy", tmp_path / "corpus" / "dev.spacy"]  # dev: at least one document
    docs = [d for part in corpus for d in DocBin().from_disk(part).get_docs(blank("en").vocab)]
    first = next(d for d in docs if d.text == ARTICLE)
    token = {t.idx: t.i for t in first}
    claim, source = token[0], token[ARTICLE.index("the port")]
    assert first._.rel[(claim, source)] == {"said_by": 1.0}
    second_claim = token[ARTICLE.index("Prices")]
    assert first._.rel[(second_claim, source)] == {"said_by": 0.0}  # the pairs not linked are negatives
    back = open_workspace(tmp_path / "b.db")
    try:
        summary = import_paths(back, corpus, project="p", annotator="ben")
        assert summary.errors == [] and summary.total("relations_added") == 5
        with back.unit() as repo:
            ids = [s.id for group in repo.spans.of_documents(repo.documents.ids(1), None).values() for s in group]
            figures = sorted(a["value"] for a in repo.relations.attrs(ids).values())
        assert figures == [3.5, 12000.0]
    finally:
        back.close()
