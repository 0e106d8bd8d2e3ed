"""An exported corpus passes `spacy debug data` and `spacy train` runs on it as it is."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.resources import sample_articles

SOURCES = ["Governor Olena Marchuk", "The port authority", "Harbour master Daniel Reuter", "Dr Amina Haddad",
           "A ministry spokeswoman", "The grid operator", "Deputy governor Irena Dobrić", "Marko Ilić"]
PLACES = ["Velmora", "Hrebenka", "the Dorvan region", "Ostrava Bay", "Lindgrad", "Westbury", "Saltmere", "Kastell"]
FIGURES = ["more than 12,000 residents", "about 400,000 households", "34 per cent of ships", "230 nurses",
           "at least 17 drones", "1.2 million tonnes of grain", "nearly 85 patients", "two thirds of the staff"]
VERBS = ["had left", "were moved out of", "were reported in", "had reached"]


def generated_documents(n: int = 160) -> list[dict[str, object]]:
    """Distinct news sentences with nested spans: a CLAIM holding a FIGURE and a LOCATION, and a SOURCE."""
    rng = random.Random(7)
    docs = []
    seen: set[str] = set()
    while len(docs) < n:
        source, place, figure, verb = (rng.choice(SOURCES), rng.choice(PLACES), rng.choice(FIGURES), rng.choice(VERBS))
        claim = f"{figure} {verb} {place} since {rng.choice(['March', 'Monday', 'the summer', 'January'])}"
        text = f"{source} said that {claim}. {rng.choice(['It is strictly forbidden to copy.', 'Leave a Comment', ''])}"
        if text in seen:
            continue
        seen.add(text)
        c0 = text.index(claim)
        f0 = c0
        p0 = text.index(place, c0 + len(figure))
        docs.append({"text": text, "spans": [
            {"start": 0, "end": len(source), "label": "SOURCE"},
            {"start": c0, "end": c0 + len(claim), "label": "CLAIM"},
            {"start": f0, "end": f0 + len(figure), "label": "FIGURE"},
            {"start": p0, "end": p0 + len(place), "label": "LOCATION"},
        ]})
    return docs


def annotated_corpus(tmp_path: Path) -> Path:
    path = tmp_path / "news.jsonl"
    lines = [json.dumps(doc, ensure_ascii=False) for doc in generated_documents()]
    for article in sample_articles():  # whole articles too: long texts with CRLF-free paragraphs
        lines.append(json.dumps({"text": article.read_text(encoding="utf-8"), "spans": []}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("train")
    db = str(tmp / "t.db")
    assert main(["--db", db, "import", str(annotated_corpus(tmp))]) == 0
    out = tmp / "corpus"
    assert main(["--db", db, "export", "--format", "spacy", "--out", str(out), "--split", "0.75"]) == 0
    return out


def test_spacy_debug_data_passes(corpus: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "spacy", "debug", "data", "config.cfg"], cwd=corpus,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Corpus is loadable" in result.stdout
    assert "spancat" in result.stdout.lower() or "span categorization" in result.stdout.lower()


def test_spacy_train_runs_on_the_export_as_it_is(corpus: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "spacy", "train", "config.cfg", "--output", str(tmp_path / "model"),
         "--training.max_steps", "4", "--training.eval_frequency", "2"],
        cwd=corpus, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (tmp_path / "model" / "model-last" / "config.cfg").exists()
    import spacy

    nlp = spacy.load(tmp_path / "model" / "model-last")
    assert "spancat" in nlp.pipe_names
