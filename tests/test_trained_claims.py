"""The trained source's candidates (docs/adr/0013): short n-grams for entities, clauses for statements; a model
that uses them suggests CLAIMs, also in a fresh process; a model of the previous version still loads, and one that
names a part this version lacks is one coded line. Small data, fixed seeds, few steps."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from data_fixtures import PEOPLE, PLACES

from annotator.domain.records import DocumentRecord, SpanRecord
from annotator.errors import ModelPartMissingError
from annotator.nlp.training import ENTITY_MAX_TOKENS, TRAINING_JSON, train_spancat
from annotator.resources import resources_dir

ROOT = Path(__file__).resolve().parents[1]


def claims(n: int, seed: int = 5) -> list[DocumentRecord]:
    """A reported claim of 11 tokens or more (longer than the entity n-grams), said or quoted, then filler."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        person, place, figure = rng.choice(PEOPLE), rng.choice(PLACES), f"{rng.randint(2, 900)} homes"
        claim = f"{figure} lost power in {place} on Monday after the storm"
        if rng.random() < 0.5:
            text = f"{person} said that {claim}. Crews in {place} worked all night."
            c0, p0 = len(person) + len(" said that "), 0
        else:
            text = f"\"{claim[0].upper()}{claim[1:]},\" {person} said. Crews in {place} worked all night."
            c0, p0 = 1, len(claim) + 4
        spans = [SpanRecord(c0, c0 + len(claim), "CLAIM"), SpanRecord(c0, c0 + len(figure), "FIGURE"),
                 SpanRecord(p0, p0 + len(person), "SOURCE")]
        spans += [SpanRecord(i, i + len(place), "LOCATION") for i in (text.index(place), text.rindex(place))]
        out.append(DocumentRecord(text, tuple(spans)))
    return out


def test_the_clause_candidates_hold_every_sample_claim_at_a_fraction_of_the_n_grams() -> None:
    from spacy.util import registry

    from annotator.nlp.candidates import SUGGESTER, statement_clauses
    from annotator.nlp.tokens import blank

    nlp = blank("en")
    candidates = tokens = claims_seen = 0
    for line in (resources_dir() / "samples" / "frames.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        doc = nlp(record["text"])
        clauses = set(statement_clauses(doc, longer_than=ENTITY_MAX_TOKENS))
        assert all(end - start > ENTITY_MAX_TOKENS for start, end in clauses)
        candidates, tokens = candidates + len(clauses), tokens + len(doc)
        for span in record["spans"]:
            placed = doc.char_span(span["start"], span["end"], alignment_mode="expand")
            if span["label"] == "CLAIM":
                claims_seen += 1
                assert len(placed) <= ENTITY_MAX_TOKENS or (placed.start, placed.end) in clauses, placed.text
            else:
                assert len(placed) <= ENTITY_MAX_TOKENS, placed.text
    assert claims_seen >= 20
    assert candidates < tokens  # fewer than one clause a token, where n-grams up to 23 tokens are 23 a token

    suggest = registry.misc.get(SUGGESTER)(max_size=3)
    doc = nlp("Olena Marchuk said that 120 homes lost power in Velmora on Monday, a spokesman said. Crews worked.")
    found = [tuple(row) for row in suggest([doc]).dataXd.tolist()]
    assert len(found) == len(set(found))  # each span once
    words = [t.text for t in doc]
    assert (words.index("Olena"), words.index("said")) in found and (words.index("Monday"), words.index(",")) in found
    short = {(s, e) for s, e in found if e - s <= 3}
    assert short == {(s, s + k) for k in (1, 2, 3) for s in range(len(doc) - k + 1)}  # every n-gram, as spaCy's
    assert (words.index("that") + 1, words.index(",")) in found  # the clause after "said that"
    plain = registry.misc.get(SUGGESTER)(max_size=3, statements=False)
    assert {tuple(row) for row in plain([doc]).dataXd.tolist()} == short  # a project without statements


def test_a_model_with_a_statement_label_suggests_claims_in_a_fresh_process(tmp_path: Path) -> None:
    from annotator.nlp.suggest import Request
    from annotator.nlp.suggest.pipeline import PipelineSource
    from annotator.services.workspace import default_labels

    docs = claims(16)
    out = tmp_path / "model"
    model = train_spancat(docs[:13], docs[13:], lang="en", statements=frozenset({"CLAIM"}), out=out, max_steps=60,
                          seed=0)
    assert model.entity_max_tokens == 3 and model.long_entities == 0  # the longest entity here is 2 tokens
    assert model.scores["CLAIM"].f > 0.5, model.scores
    text = "Amina Haddad said that 75 homes lost power in Saltmere on Monday after the storm. Crews worked all night."
    request = Request("en", text, default_labels())
    here = sorted((s.start, s.end, s.label) for s in PipelineSource(str(out))(request))
    claim = text.index("75 homes"), text.index(". Crews")
    assert (*claim, "CLAIM") in here, [(text[s:e], label) for s, e, label in here]

    # A fresh interpreter, as the window's next start or another machine: spacy.load finds the suggester.
    script = ("import json, sys\n"
              "from annotator.services.workspace import default_labels\n"
              "from annotator.nlp.suggest import Request\n"
              "from annotator.nlp.suggest.pipeline import PipelineSource\n"
              "spans = PipelineSource(sys.argv[1])(Request('en', sys.argv[2], default_labels()))\n"
              "print(json.dumps(sorted([s.start, s.end, s.label] for s in spans)))\n")
    done = subprocess.run([sys.executable, "-c", script, str(out), text], capture_output=True, text=True,
                          cwd=tmp_path, env={**_env(), "PYTHONPATH": str(ROOT)}, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert [tuple(row) for row in json.loads(done.stdout)] == here


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def _previous_version_model(folder: Path) -> Path:
    """A model as the previous version wrote it: spaCy's own n-gram suggester up to the longest span, trained a
    few steps, with its annotator-training.json."""
    import spacy
    from spacy.training import Example

    nlp = spacy.blank("en")
    spancat = nlp.add_pipe("spancat", config={"suggester": {"@misc": "spacy.ngram_range_suggester.v1",
                                                            "min_size": 1, "max_size": 23}})
    examples = []
    for record in claims(6):
        doc = nlp.make_doc(record.text)
        spans = [doc.char_span(s.start, s.end, label=s.label, alignment_mode="expand") for s in record.spans]
        examples.append(Example.from_dict(doc, {"spans": {"sc": [(s.start_char, s.end_char, s.label_)
                                                                  for s in spans]}}))
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(3):
        nlp.update(examples, sgd=optimizer)
    assert spancat.labels
    folder.parent.mkdir(parents=True)
    nlp.to_disk(folder)
    (folder / TRAINING_JSON).write_text(json.dumps({"project": "default", "labels": list(spancat.labels),
                                                    "trained_at": "2026-11-01T00:00:00+00:00"}), encoding="utf-8")
    return folder


def test_a_previous_version_model_loads_and_one_naming_a_missing_part_is_a_coded_line(tmp_path: Path) -> None:
    from annotator.nlp.suggest import Request
    from annotator.nlp.suggest.pipeline import PipelineSource
    from annotator.services import trained_models
    from annotator.services.workspace import default_labels

    old = _previous_version_model(trained_models.models_folder("default") / "20261101-000000")
    assert trained_models.trained_model_for("default") == old
    source = trained_models.trained_source("default")
    assert source is not None
    request = Request("en", "Olena Marchuk said that 12 homes lost power in Velmora on Monday.", default_labels())
    assert isinstance(source(request), list)  # loads and runs: its suggester is spaCy's own

    newer = tmp_path / "from-a-newer-version"
    shutil.copytree(old, newer)
    config = (newer / "config.cfg").read_text(encoding="utf-8")
    assert "spacy.ngram_range_suggester.v1" in config
    (newer / "config.cfg").write_text(config.replace("spacy.ngram_range_suggester.v1", "annotator.clauses.v9"),
                                      encoding="utf-8")
    with pytest.raises(ModelPartMissingError) as caught:
        PipelineSource(str(newer))(request)
    message = str(caught.value)
    assert message.startswith("[A220] ") and "\n" not in message, message
    assert str(newer) in message and "'annotator.clauses.v9'" in message and "annotator train" in message


def test_entities_longer_than_the_n_grams_are_counted_and_reported() -> None:
    from annotator.nlp.training import LabelScore, TrainedModel
    from annotator.services.training import TrainingData, TrainingResult, summary_lines

    text = "The office of the deputy governor of the northern coastal region of Dorvan said so. Dorvan waits."
    long_source = SpanRecord(0, text.index(" said"), "SOURCE")  # 12 tokens
    docs = [DocumentRecord(text, (long_source, SpanRecord(text.rindex("Dorvan"), text.rindex("Dorvan") + 6,
                                                          "LOCATION")))] * 3
    model = train_spancat(docs[:2], docs[2:], lang="en", statements=frozenset({"CLAIM"}), max_steps=2)
    assert (model.entity_max_tokens, model.long_entities) == (ENTITY_MAX_TOKENS, 2)
    data = TrainingData("default", "en", "ana", ["SOURCE", "LOCATION"], frozenset(), docs[:2], docs[2:])
    shown = TrainedModel(None, ["SOURCE"], {}, LabelScore(0, 0, 0), 2, 10, 1.0, entity_max_tokens=8, long_entities=2)
    assert "2 entity span(s) are longer than 8 tokens: the model does not suggest spans that long" in \
        summary_lines(TrainingResult(data, shown))
