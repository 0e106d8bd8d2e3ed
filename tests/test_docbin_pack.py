"""The spaCy export adds documents to its DocBins through nlp/docbin_pack.py: held to `DocBin.add`, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ATTRS = ["ORTH", "SPACY", "NORM", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID"]  # the export's (nlp/docbin.py)
TEXTS = [
    "More than 12,000 residents have left Velmora since Monday,\r\nthe port authority said. Don't 🇺🇦 e.g. U.S.",
    "Більше 17 000 людей залишили Луганщину, написав Гайдай.\u2028  \t",
    "",
    "   ",
    "A",
]


def _both(docs: list[Any], attrs: list[str] | None, user_data: bool) -> tuple[Any, Any]:
    from spacy.tokens import DocBin

    from annotator.nlp.docbin_pack import DocPacker

    kwargs: dict[str, Any] = {"store_user_data": user_data} | ({"attrs": attrs} if attrs else {})
    theirs, ours = DocBin(**kwargs), DocBin(**kwargs)
    packer = DocPacker()
    for doc in docs:
        theirs.add(doc)
        packer.add(ours, doc)
    return theirs, ours


def _annotated(text: str) -> Any:
    """A Doc with everything DocBin.add reads: tags, lemmas, morphs, deps, entities with KB and entity ids,
    span groups (one under two keys, spans with ids), cats, user data with tuple keys."""
    from spacy.tokens import Span

    from annotator.nlp.tokens import blank

    doc = blank("en").make_doc(text)
    if len(doc) < 4:
        return doc
    doc[0].tag_, doc[0].lemma_, doc[0].dep_ = "NNP", "more-lemma", "nsubj"
    doc[1].set_morph("Degree=Cmp|Number=Sing")
    doc[2].norm_ = "twelve thousand"
    doc.ents = [Span(doc, 0, 2, label="FIGURE", kb_id="Q1", span_id="figure-1")]
    group = [Span(doc, 0, 3, label="CLAIM"), Span(doc, 1, 2, label="FIGURE", kb_id="Q2", span_id="f2")]
    doc.spans["sc"] = group
    doc.spans["copy"] = doc.spans["sc"]
    doc.spans["empty"] = []
    doc.cats = {"NEWS": 1.0}
    doc.user_data["annotator_attrs"] = [[0, 5, "FIGURE", {"value": 12000.0, "unit": None}]]
    doc.user_data[("._.", "rel", None, None)] = {(0, 1): {"said_by": 1.0}}
    return doc


@pytest.mark.parametrize(("attrs", "user_data"), [(ATTRS, True), (None, False), (None, True)])
def test_the_packer_writes_the_bytes_docbin_add_writes(attrs: list[str] | None, user_data: bool) -> None:
    from annotator.nlp.tokens import blank

    docs = [_annotated(t) for t in TEXTS] + [blank("en").make_doc(t) for t in TEXTS]
    theirs, ours = _both(docs, attrs, user_data)
    assert ours.strings == theirs.strings
    assert "more-lemma" in ours.strings and "Degree=Cmp|Number=Sing" in ours.strings and "f2" in ours.strings
    assert ours.to_bytes() == theirs.to_bytes()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(alphabet=st.sampled_from("ab Z.,'-\n\r\t\u00a0\u2028é🙂🇺🇦0123"), max_size=60), max_size=4),
       st.sampled_from(["en", "uk", "xx"]))
def test_any_text_packs_as_docbin_add_packs_it(texts: list[str], lang: str) -> None:
    from spacy.tokens import Span

    from annotator.nlp.tokens import blank

    docs = []
    for text in texts:
        doc = blank(lang).make_doc(text)
        doc.spans["sc"] = [Span(doc, i, i + 1, label="X") for i in range(0, len(doc), 2)]
        docs.append(doc)
    theirs, ours = _both(docs, ATTRS, True)
    assert ours.to_bytes() == theirs.to_bytes()


def test_an_export_file_is_what_docbin_add_makes_of_its_documents(database: str, tmp_path: Path) -> None:
    """On both databases: spans with attributes and relations, read in one query where a batch has none; the
    attributes of a span two people made alike are those of the first."""
    from spacy.tokens import DocBin

    from annotator.nlp.docbin import DOCBIN_ATTRS, USER_ATTRS, USER_RELATIONS
    from annotator.nlp.tokens import blank
    from annotator.services.exporting import BATCH, export
    from annotator.services.importing import import_paths
    from annotator.services.workspace import open_workspace

    text = "More than 12,000 residents have left Velmora, the port authority said.\n"

    def task(n: int, attrs: dict[str, Any], relation: bool) -> str:
        """Document n: its number, then `text`, with a CLAIM, a FIGURE (with `attrs`) and a SOURCE."""
        by = len(f"{n} ")
        claim, figure, source = ({"start": by + s, "end": by + e, "label": label}
                                 for s, e, label in ((0, 44, "CLAIM"), (0, 26, "FIGURE"), (46, 64, "SOURCE")))
        links = [{"head": 0, "child": 0, "head_span": claim, "child_span": source, "label": "said_by"}]
        return json.dumps({"text": f"{n} {text}", "spans": [claim, dict(figure, attrs=attrs), source],
                           "relations": links if relation else []}) + "\n"

    n_docs = BATCH + 20  # a batch with a relation (spans read with their ids), then one without (one query)
    lines_a = [task(n, {"value": float(n), "unit": "residents"}, relation=n == 3) for n in range(n_docs)]
    lines_b = [task(n, {"value": -1.0, "unit": "ben's"}, relation=False) for n in range(n_docs)]
    (tmp_path / "a.jsonl").write_text("".join(lines_a), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("".join(lines_b), encoding="utf-8")
    ws = open_workspace(database)
    try:
        assert import_paths(ws, [tmp_path / "a.jsonl"], project="p", annotator="ana").errors == []
        assert import_paths(ws, [tmp_path / "b.jsonl"], project="p", annotator="ben").errors == []
        (tmp_path / "out").mkdir()
        summary = export(ws, fmt="spacy", out=tmp_path / "out" / "corpus", project="p", split=1.0)
    finally:
        ws.close()
    assert summary.documents == n_docs and summary.spans == 3 * n_docs  # ben's spans are ana's, merged
    docs = []
    for part in ("train", "dev"):
        path = tmp_path / "out" / "corpus" / f"{part}.spacy"
        read = list(DocBin().from_disk(path).get_docs(blank("en").vocab))
        again = DocBin(attrs=DOCBIN_ATTRS, store_user_data=True)
        for doc in read:
            again.add(doc)
        assert again.to_bytes() == path.read_bytes()
        docs += read
    by_number = {int(d.text.split(" ", 1)[0]): d for d in docs}
    assert sorted(by_number) == list(range(n_docs))
    for n, doc in by_number.items():
        by = len(f"{n} ")
        assert [tuple(a[:3]) for a in doc.user_data[USER_ATTRS]] == [(by, by + 26, "FIGURE")]
        assert doc.user_data[USER_ATTRS][0][3] == {"value": float(n), "unit": "residents"}  # ana's, the first
        assert (USER_RELATIONS in doc.user_data) == (n == 3)
