"""Data the tests share: texts that break naive offset code (TRICKY_TEXTS, tricky_records), generated news
articles that a span categorizer learns quickly (documents), a tiny spaCy pipeline saved as a trained model of a
project (ruler_model), and the counts of the real files in ../shared/realdata (REAL_FILE_COUNTS)."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.domain.records import DocumentRecord, SpanRecord

TRICKY_TEXTS = [
    "Slava 🇺🇦 and 👍🏽: S. Gaidaj wrote\r\non his channel.\rLone CR\there\u00a0NBSP cafe\u0301 done.",
    "Більше 17 000 людей залишили Луганщину, — написав Гайдай.\r\n\r\nІзюм 🇺🇦",
    "وقال مسؤول في دمشق إن 116 ألف شخص غادروا المدينة 👍🏽\n\nقال",
    "Tabs\tand\t\ttrailing spaces   \n  leading and e\u0301\u0301 marks \u2028 line sep \x85 nel \x0c ff",
]


def span_at(text: str, needle: str, label: str, occurrence: int = 0) -> SpanRecord:
    """The span of label over the `occurrence`-th (from 0) `needle` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return SpanRecord(start, start + len(needle), label)


def tricky_records() -> list[DocumentRecord]:
    a, b, c, d = TRICKY_TEXTS
    return [
        DocumentRecord(a, (span_at(a, "🇺🇦", "LOCATION"), span_at(a, "S. Gaidaj", "SOURCE"),
                           span_at(a, "wrote\r\non", "CLAIM"), span_at(a, "cafe\u0301", "FIGURE"),
                           span_at(a, "here\u00a0NBSP", "CLAIM"), span_at(a, "Lone CR\there", "SOURCE"))),
        DocumentRecord(b, (span_at(b, "17 000 людей", "FIGURE"), span_at(b, "Луганщину", "LOCATION"),
                           span_at(b, "Гайдай", "SOURCE"), span_at(b, "Ізюм 🇺🇦", "LOCATION"),
                           span_at(b, "Більше 17 000 людей залишили Луганщину", "CLAIM"))),
        DocumentRecord(c, (span_at(c, "دمشق", "LOCATION"), span_at(c, "116 ألف شخص", "FIGURE"),
                           span_at(c, "قال", "SOURCE", 1))),
        DocumentRecord(d, (span_at(d, "e\u0301\u0301", "FIGURE"), span_at(d, "\u2028 line sep \x85", "CLAIM"))),
        DocumentRecord("No spans at all, 👍🏽.", ()),
    ]


PLACES = ["Velmora", "Hrebenka", "Dorvan", "Saltmere", "Lindgrad", "Westbury", "Kastell", "Ostrava"]
PEOPLE = ["Olena Marchuk", "Irena Dobric", "Daniel Reuter", "Amina Haddad"]


def documents(n: int, seed: int = 3) -> list[DocumentRecord]:
    """Short texts where a place always follows "in" and a figure is a number of homes: easy to learn quickly."""
    import random

    rng = random.Random(seed)
    out = []
    for _ in range(n):
        person, place, figure = rng.choice(PEOPLE), rng.choice(PLACES), f"{rng.randint(2, 900)} homes"
        text = f"{person} said {figure} lost power in {place} on Monday. Repairs in {place} continue."
        first, second = text.index(place), text.rindex(place)
        spans = (SpanRecord(text.index(figure), text.index(figure) + len(figure), "FIGURE"),
                 SpanRecord(first, first + len(place), "LOCATION"), SpanRecord(second, second + len(place), "LOCATION"),
                 SpanRecord(0, len(person), "SOURCE"))
        out.append(DocumentRecord(text, spans))
    return out


def ruler_model(folder: Path, place: str, project: str = "news") -> Path:
    """A spaCy pipeline that finds `place`, saved as `annotator train` saves a model of the project (record it)."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("span_ruler", config={"spans_key": "sc"}).add_patterns([{"label": "LOCATION", "pattern": place}])
    folder.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(folder)
    (folder / "annotator-training.json").write_text(json.dumps({"project": project, "labels": ["LOCATION"]}),
                                                    encoding="utf-8")
    return folder


# (path, detected format, documents, spans) as INDEX.md gives them, or as counted by hand where it gives none.
REAL_FILE_COUNTS = [
    ("prodigy-explosion-projects/ner_fashion_brands__fashion_brands_eval.jsonl", "prodigy", 500, 238),
    ("prodigy-explosion-projects/spanruler_restaurant_reviews__test_review.jsonl", "prodigy", 1521, 3179),
    ("prodigy-explosion-projects/nel_emerson__emerson_annotated_text.jsonl", "prodigy", 30, 30),
    ("prodigy-explosion-projects/rel_component__annotations.jsonl", "prodigy", 149, 466),
    ("prodigy-explosion-projects/ner_demo__train.json", "spacy_json", 2, 3),
    ("prodigy-explosion-projects/spancat_demo__train.json", "spacy_json", 3, 4),
    ("prodigy-explosion-projects/nel_emerson__emerson_input_text.txt", "txt", 1, 0),
    ("doccano/data_export__examples__sequence_labeling__example.jsonl", "doccano", 3, 4),
    ("doccano/data_export__examples__relation_extraction__example.jsonl", "doccano", 1, 4),
    ("doccano/data_import__examples__relation_extraction__example.jsonl", "doccano", 1, 4),
    ("doccano/data_import__tests__relation_extraction__example.jsonl", "doccano", 1, 4),
    ("doccano/data_import__examples__sequence_labeling__example.jsonl", "doccano", 3, 3),
    ("doccano/data_import__tests__sequence_labeling__example_overlapping.jsonl", "doccano", 1, 2),
    ("doccano/data_import__examples__sequence_labeling__example.txt", "conll", 2, 4),
    ("doccano/data_import__tests__sequence_labeling__example.conll", "conll", 2, 2),
    ("doccano/data_import__tests__sequence_labeling__labeling.trailing.conll", "conll", 1, 2),
    ("labelstudio/named_entity__annotations_1.json", "labelstudio", 1, 1),
    ("labelstudio/named_entity__tasks.json", "labelstudio", 1, 1),
    ("brat/news", "brat", 13, 119),
    ("brat/CoNLL-ST_2002", "brat", 20, 816),
    ("kaznerd-cyrillic/IOB2_valid.txt", "conll", 11167, 13483),
]
