"""Every real file of a supported format reads without error and gives the counts of realdata/INDEX.md."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from data_fixtures import REAL_FILE_COUNTS

from annotator import formats
from annotator.errors import ImportFormatError, UnknownFormatError

REALDATA = Path(os.environ.get("ANNOTATOR_REALDATA") or Path(__file__).resolve().parents[2] / "shared" / "realdata")


def real(relative: str) -> Path:
    path = REALDATA / relative
    if not path.exists():
        pytest.skip(f"real data not found at {path} (set ANNOTATOR_REALDATA)")
    return path


def counts(path: Path, fmt: str | None = None) -> tuple[int, int, Counter[str]]:
    records = list(formats.read(path, fmt or formats.detect_format(path)))
    labels = Counter(s.label for r in records for s in r.spans)
    for record in records:
        for span in record.spans:
            assert 0 <= span.start < span.end <= len(record.text)
    return len(records), sum(labels.values()), labels


@pytest.mark.parametrize(("relative", "fmt", "documents", "spans"), REAL_FILE_COUNTS,
                         ids=[e[0] for e in REAL_FILE_COUNTS])
def test_real_file_counts(relative: str, fmt: str, documents: int, spans: int) -> None:
    path = real(relative)
    assert formats.detect_format(path) == fmt
    assert counts(path)[:2] == (documents, spans)


def test_restaurant_review_labels_and_annotator() -> None:
    path = real("prodigy-explosion-projects/spanruler_restaurant_reviews__test_review.jsonl")
    records = list(formats.read(path, "prodigy"))
    labels = Counter(s.label for r in records for s in r.spans)
    assert labels == {"Location": 800, "Amenity": 552, "Cuisine": 532, "Restaurant_Name": 399, "Dish": 288,
                      "Rating": 222, "Hours": 213, "Price": 173}
    assert {r.annotator for r in records} == {"original_annotations"}
    assert all("versions" not in r.meta and "tokens" not in r.meta for r in records)


def test_fashion_brands_keep_docs_without_spans_and_meta() -> None:
    records = list(formats.read(real("prodigy-explosion-projects/ner_fashion_brands__fashion_brands_eval.jsonl")))
    assert sum(1 for r in records if not r.spans) == 371
    assert records[0].meta["section"] == "malefashionadvice"
    assert records[0].line == 1 and records[-1].line == 500


def test_prodigy_span_texts_match_where_given() -> None:
    # The reader checks span["text"] against text[start:end]; these files give it for every span.
    for name in ("rel_component__annotations.jsonl", "nel_emerson__emerson_annotated_text.jsonl"):
        n, spans, _ = counts(real(f"prodigy-explosion-projects/{name}"))
        assert spans > 0


def test_labelstudio_annotation_and_prediction_agree() -> None:
    (annotated,) = formats.read(real("labelstudio/named_entity__annotations_1.json"))
    (predicted,) = formats.read(real("labelstudio/named_entity__tasks.json"))
    assert annotated.text == predicted.text
    assert annotated.spans == predicted.spans == (annotated.spans[0],)
    span = annotated.spans[0]
    assert (span.start, span.end, span.label) == (343, 354, "Date")
    assert annotated.text[span.start : span.end] == "February 22"
    assert "\n\n" in annotated.text
    assert annotated.meta["labelstudio_from"] == "annotations"
    assert predicted.meta["labelstudio_from"] == "predictions"


def test_brat_news_counts_labels_and_ignored_lines() -> None:
    records = list(formats.read(real("brat/news"), "brat"))
    labels = Counter(s.label for r in records for s in r.spans)
    assert labels == {"Organization": 56, "Person": 27, "GPE": 12, "Merge-org": 14, "Report": 8, "Money": 1,
                      "Transfer-money": 1}
    # 23 E + 8 R + 11 A + 4 # + 1 N + 2 * lines are not spans
    assert sum(r.meta.get("brat_ignored", 0) for r in records) == 41  # the 8 R lines are read as relations
    assert sum(len(r.relations) for r in records) == 8
    assert sum(1 for r in records if not r.spans) == 4


def test_brat_conll2002_labels_and_span_texts() -> None:
    root = real("brat/CoNLL-ST_2002")
    records = list(formats.read(root, "brat"))
    assert Counter(s.label for r in records for s in r.spans) == {"PER": 287, "ORG": 246, "LOC": 165, "MISC": 118}
    # The reader compares every T line's text with text[start:end]; check one by hand as well.
    ann = (root / "esp" / "esp.train-doc-29.ann").read_text(encoding="utf-8").splitlines()[0]
    record = next(r for r in records if r.source == "esp/esp.train-doc-29.txt")
    _, offsets, covered = ann.split("\t")
    _, start, end = offsets.split()
    assert record.text[int(start) : int(end)] == covered == "Caius Apicius"


def test_kaznerd_one_document_per_sentence() -> None:
    records = list(formats.read(real("kaznerd-cyrillic/IOB2_valid.txt"), "conll"))
    tokens = sum(len(r.text.split(" ")) for r in records)
    assert tokens == 129_223
    assert all("\n" not in r.text for r in records)
    gpe = next(s for r in records for s in r.spans if s.label == "GPE")
    assert gpe.end > gpe.start


def test_news_texts_are_kept_byte_for_byte() -> None:
    folder = real("news-text-newspaper3k")
    for path in sorted(folder.glob("*.txt")):
        (record,) = formats.read(path, "txt")
        assert record.text.encode("utf-8") == path.read_bytes()
    (arabic,) = formats.read(folder / "arabic.txt")
    assert len(arabic.text) == 1933


def test_folder_of_texts_expands_to_its_files() -> None:
    folder = real("news-text-newspaper3k")
    inputs = list(formats.iter_input_files([folder]))
    assert {fmt for _, fmt in inputs} == {"txt"}
    assert len(inputs) == len(list(folder.glob("*.txt")))
    assert list(formats.iter_input_files([real("brat/news")])) == [(real("brat/news"), "brat")]


def test_real_bad_inputs_are_reported() -> None:
    with pytest.raises(ImportFormatError) as missing_text:
        list(formats.read(real("doccano/data_import__tests__sequence_labeling__example.jsonl")))
    assert missing_text.value.line == 3 and missing_text.value.field == "text"
    assert "line 3" in str(missing_text.value) and '"text"' in str(missing_text.value)

    invalid = real("doccano/data_import__tests__sequence_labeling__labeling.invalid.conll")
    with pytest.raises(ImportFormatError) as bad_tag:
        list(formats.read(invalid))
    assert bad_tag.value.line == 1
    assert "labeling.invalid.conll, line 1" in str(bad_tag.value) and "SOCCERO" in str(bad_tag.value)


@pytest.mark.parametrize("relative", ["prodigy-explosion-projects/ner_fashion_brands__fashion_brands_patterns.jsonl",
                                      "doccano/label_types__tests__valid_labels.json",
                                      "gum-wikinews-attribution/GUM_news_iodine.rs3"])
def test_real_files_of_other_kinds_are_not_guessed(relative: str) -> None:
    path = real(relative)
    with pytest.raises(UnknownFormatError) as error:
        formats.detect_format(path)
    assert path.name in str(error.value)
