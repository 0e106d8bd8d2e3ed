"""Long articles and inputs that used to hang: documents past spaCy's max_length, symlink loops, FIFOs and
devices, file names that are not UTF-8."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARAGRAPH = ("More than 17,000 people have left Izium since March, deputy governor Irena Dobric wrote on "
             "Telegram.\n")
TWO_MB = 2_000_000
# A wait for a walk or a read that used to never end; generous for a busy machine, finite.
HANG_TIMEOUT = 60


def long_text(size: int = TWO_MB) -> str:
    text = PARAGRAPH * (size // len(PARAGRAPH) + 1)
    return text[: text.rfind("\n", 0, size) + 1]


def spans_near_the_end(text: str) -> list[dict[str, object]]:
    """A FIGURE on token boundaries and a SOURCE that is not (it starts inside "deputy")."""
    last = text.rfind("More than 17,000")
    deputy = text.rfind("deputy governor Irena Dobric")
    return [{"start": last, "end": last + len("More than 17,000"), "label": "FIGURE"},
            {"start": deputy + 2, "end": deputy + len("deputy governor Irena Dobric"), "label": "SOURCE"}]


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = HANG_TIMEOUT,
            cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "annotator", *args], cwd=cwd, env=full_env, capture_output=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


# -- 1. documents over 1,000,000 characters -----------------------------------------------------------


@pytest.fixture
def big_jsonl(tmp_path: Path) -> tuple[Path, str]:
    text = long_text()
    assert len(text) > 1_000_000  # past spaCy's nlp.max_length
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"text": text, "spans": spans_near_the_end(text)}) + "\n", encoding="utf-8")
    return path, text


def test_a_2_mb_document_imports_with_its_spans_counted_against_tokens(ws, big_jsonl) -> None:
    from annotator.services.importing import import_paths

    path, text = big_jsonl
    summary = import_paths(ws, [path], project="p", annotator="ana")
    assert summary.errors == []
    assert summary.total("documents_added") == 1
    assert summary.total("spans_added") == 2
    assert summary.total("spans_misaligned") == 1  # the SOURCE that starts inside a word


def test_a_2_mb_document_is_tagged_snapped_to_tokens(ws, big_jsonl) -> None:
    from annotator.services.annotation import Annotations
    from annotator.services.importing import import_paths
    from annotator.services.workspace import ensure_project

    path, text = big_jsonl
    import_paths(ws, [path], project="p", annotator="ana")
    annotations = Annotations(ws, ensure_project(ws, "p").id, "ana")
    document = annotations.document(annotations.first_document())
    where = text.rfind("Telegram")
    assert annotations.snapped(document, where + 2, where + 5) == (where, where + len("Telegram"))
    assert annotations.snapped(document, where + 3, where + 3) == (where, where + len("Telegram"))


def test_a_2_mb_document_exports_to_spacy_and_conll_and_reads_back(ws, big_jsonl, tmp_path: Path) -> None:
    from annotator import formats
    from annotator.nlp.docbin import read_docbin
    from annotator.services.exporting import export
    from annotator.services.importing import import_paths

    path, text = big_jsonl
    import_paths(ws, [path], project="p", annotator="ana")
    with pytest.raises(Exception, match=r"A030.*1 span\(s\) do not fall on token boundaries"):
        export(ws, fmt="spacy", out=tmp_path / "strict", project="p")
    summary = export(ws, fmt="spacy", out=tmp_path / "corpus", project="p", align="expand", split=1.0)
    assert (summary.documents, summary.spans, summary.moved) == (1, 2, 1)
    [record] = list(read_docbin(tmp_path / "corpus" / "train.spacy"))
    assert record.text == text
    deputy = text.rfind("deputy governor Irena Dobric")
    last = text.rfind("More than 17,000")
    assert sorted((s.label, s.start, s.end) for s in record.spans) == [
        ("FIGURE", last, last + len("More than 17,000")),
        ("SOURCE", deputy, deputy + len("deputy governor Irena Dobric")),
    ]

    summary = export(ws, fmt="conll", out=tmp_path / "big.conll", project="p", align="expand")
    assert (summary.documents, summary.moved) == (1, 1)
    [back] = list(formats.read(tmp_path / "big.conll", "conll"))
    assert sorted((s.label, back.text[s.start : s.end]) for s in back.spans) == [
        ("FIGURE", "More than 17,000"), ("SOURCE", "deputy governor Irena Dobric")]
    assert back.text.count("Izium") == text.count("Izium")  # every paragraph, as tokens
