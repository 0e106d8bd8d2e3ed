"""Train a span categorizer on annotated documents with spaCy's own training loop, and its learning curve.

The corpus and its config are the ones the spaCy export writes (DocBinWriter, docbin.training_config), but for
the suggester (nlp.candidates, docs/adr/0013-entity-n-grams-and-statement-clauses.md): n-grams up to
ENTITY_MAX_TOKENS for entities and, when the project has statement labels, clauses for statements.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from annotator.domain.records import DocumentRecord
from annotator.errors import TrainingCancelledError
from annotator.nlp import load_spacy
from annotator.nlp.docbin import DocBinWriter
from annotator.nlp.tokens import tokenize

DEFAULT_MAX_STEPS = 400
CURVE_FRACTIONS = (0.25, 0.5, 0.75, 1.0)
TRAINING_JSON = "annotator-training.json"
SPANS_KEY = "sc"
ENTITY_MAX_TOKENS = 8  # the longest entity in the sample gold and in bench/training.py's articles is 7 tokens


@dataclass(frozen=True)
class Progress:
    """One optimisation step: `score` is the held-back F of the evaluations spaCy runs now and then, else None."""

    stage: str
    step: int
    max_steps: int
    loss: float
    score: float | None
    words: int


@dataclass(frozen=True)
class LabelScore:
    p: float
    r: float
    f: float


@dataclass
class TrainedModel:
    """What a training run made: the folder (None when it was not saved) and its scores on the held-back share."""

    path: Path | None
    labels: list[str]
    scores: dict[str, LabelScore]  # per label; a label with neither gold nor predicted spans held back is absent
    overall: LabelScore
    steps: int
    words: int  # tokens seen in training, counted once per step they were in
    seconds: float  # the training loop alone, evaluations included
    moved: int = 0  # spans snapped outward to whole tokens
    entity_max_tokens: int = ENTITY_MAX_TOKENS  # the longest n-gram the suggester proposes
    long_entities: int = 0  # entity spans of the training documents longer than that: the model never proposes them

    @property
    def tokens_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class CurvePoint:
    fraction: float
    documents: int
    scores: dict[str, LabelScore] = field(default_factory=dict)


ProgressCallback = Callable[[Progress], None]


def train_spancat(
    train: Sequence[DocumentRecord],
    held_out: Sequence[DocumentRecord],
    *,
    lang: str,
    statements: frozenset[str] = frozenset(),
    out: Path | None = None,
    max_steps: int = DEFAULT_MAX_STEPS,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    stage: str = "training",
    meta: dict[str, Any] | None = None,
) -> TrainedModel:
    """Train a spancat pipeline on `train` for `max_steps` steps and score it on `held_out` (precision, recall, F
    per label). With `out` the pipeline is written there with TRAINING_JSON (labels, scores, `meta`) inside it: it
    is written in a hidden folder beside `out` and moved into place whole, so a cancelled or failed run (the
    `cancel` event, checked after every step, or Ctrl+C) leaves no `out`. `out` must not exist."""
    with tempfile.TemporaryDirectory(prefix="annotator-train-") as tmp:
        corpus = Path(tmp) / "corpus"
        writer = DocBinWriter(corpus, lang, statements=statements, spans_key=SPANS_KEY, expand=True)
        try:
            for part, records in (("train", train), ("dev", held_out)):
                for n, record in enumerate(records):
                    writer.add(record.title or record.source or f"document {n + 1}", record.text, record.spans, part)
        except BaseException:
            writer.abort()
            raise
        report = writer.commit()
        suggester, too_long = training_suggester(train, lang, statements)
        nlp, dev_examples, loop, optimizer = _train(corpus, suggester, max_steps, seed, progress, cancel, stage)
    # The averaged weights, as spaCy's saved models hold them, are scored and saved.
    with nlp.use_params(optimizer.averages) if optimizer.averages else contextlib.nullcontext():
        scores = nlp.evaluate(dev_examples)
        per_type = scores.get(f"spans_{SPANS_KEY}_per_type") or {}
        model = TrainedModel(
            path=out,
            labels=sorted(nlp.get_pipe("spancat").labels),
            scores={label: LabelScore(s["p"], s["r"], s["f"]) for label, s in sorted(per_type.items())},
            overall=LabelScore(*(float(scores.get(f"spans_{SPANS_KEY}_{k}") or 0.0) for k in "prf")),
            steps=loop["steps"], words=loop["words"], seconds=loop["seconds"], moved=report.moved,
            entity_max_tokens=suggester["max_size"], long_entities=too_long,
        )
        if out is not None:
            _save(nlp, out, {**(meta or {}), **_summary(model)})
    return model


def suggester_config(max_size: int, *, statements: bool) -> dict[str, Any]:
    """The spancat suggester (nlp.candidates): entity n-grams of 1 to `max_size` tokens, and with `statements`
    the clause candidates too."""
    if not statements:  # spaCy's own: such a model loads wherever spaCy does
        return {"@misc": "spacy.ngram_range_suggester.v1", "min_size": 1, "max_size": max_size}
    from annotator.nlp.candidates import SUGGESTER

    return {"@misc": SUGGESTER, "max_size": max_size}


def training_suggester(records: Sequence[DocumentRecord], lang: str,
                       statements: frozenset[str]) -> tuple[dict[str, Any], int]:
    """The suggester config for training on `records` (n-grams as long as their longest entity, 3 to
    ENTITY_MAX_TOKENS tokens; clauses when the project has statement labels) and the count of entity spans longer
    than ENTITY_MAX_TOKENS."""
    longest, too_long = _entity_lengths(records, lang, statements)
    return suggester_config(longest, statements=bool(statements)), too_long


def _entity_lengths(records: Sequence[DocumentRecord], lang: str, statements: frozenset[str]) -> tuple[int, int]:
    """The n-gram size the entities need (their longest in tokens, within [3, ENTITY_MAX_TOKENS]) and how many
    entity spans are longer than ENTITY_MAX_TOKENS."""
    longest, too_long = 3, 0
    for record in records:
        entities = [s for s in record.spans if s.label not in statements]
        if not entities:
            continue
        doc = tokenize(record.text, lang)
        for s in entities:
            span = doc.char_span(s.start, s.end, alignment_mode="expand")
            size = len(span) if span is not None else 1
            longest = max(longest, min(size, ENTITY_MAX_TOKENS))
            too_long += size > ENTITY_MAX_TOKENS
    return longest, too_long


def _train(corpus: Path, suggester: dict[str, Any], max_steps: int, seed: int, progress: ProgressCallback | None,
           cancel: threading.Event | None, stage: str) -> tuple[Any, list[Any], dict[str, Any], Any]:
    """spaCy's training loop (`train_while_improving`, what `spacy train` runs) driven one step at a time, so that
    progress is reported and cancel is honoured between steps. The final weights (averaged, as spaCy saves them)
    are kept rather than the best checkpoint: the held-back share scores the model, it must not also pick it."""
    load_spacy()
    from spacy.schemas import ConfigSchemaTraining
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import create_evaluation_callback, create_train_batches, train_while_improving
    from spacy.util import load_config, registry, resolve_dot_names
    from thinc.api import fix_random_seed

    import annotator.nlp.candidates  # noqa: F401  (registers the statement suggester the config may name)

    overrides = {
        "paths.train": str(corpus / "train.spacy"), "paths.dev": str(corpus / "dev.spacy"),
        "training.max_steps": max_steps, "training.seed": seed, "system.seed": seed,
        # Evaluations only feed the progress line: a few per run, not spaCy's every 200 steps of a long run.
        "training.eval_frequency": max(1, min(200, max_steps // 5)),
    }
    config = load_config(corpus / "config.cfg", overrides=overrides, interpolate=False)
    config["components"]["spancat"]["suggester"] = suggester
    fix_random_seed(seed)
    nlp = init_nlp(config)
    config = nlp.config.interpolate()
    training = registry.resolve(config["training"], schema=ConfigSchemaTraining)
    train_corpus, dev_corpus = resolve_dot_names(config, [training["train_corpus"], training["dev_corpus"]])
    dev_examples = list(dev_corpus(nlp))
    optimizer = training["optimizer"]
    steps = train_while_improving(
        nlp, optimizer,
        create_train_batches(nlp, train_corpus, training["batcher"], training["max_epochs"]),
        create_evaluation_callback(nlp, lambda _nlp: dev_examples, training["score_weights"]),
        dropout=training["dropout"], accumulate_gradient=training["accumulate_gradient"],
        patience=training["patience"], max_steps=max_steps, eval_frequency=training["eval_frequency"],
        exclude=training["frozen_components"], annotating_components=training["annotating_components"],
        before_update=training["before_update"],
    )
    started = time.perf_counter()
    info: dict[str, Any] = {"step": 0, "words": 0}
    for _batch, info, _best in steps:
        if progress is not None:
            progress(Progress(stage, info["step"], max_steps, float(sum(info["losses"].values())), info["score"],
                              info["words"]))
        if cancel is not None and cancel.is_set():
            raise TrainingCancelledError("training was cancelled; no model was written")
    seconds = time.perf_counter() - started
    return nlp, dev_examples, {"steps": info["step"], "words": info["words"], "seconds": seconds}, optimizer


def _summary(model: TrainedModel) -> dict[str, Any]:
    return {
        "labels": model.labels,
        "scores": {label: asdict(s) for label, s in model.scores.items()},
        "overall": asdict(model.overall),
        "steps": model.steps,
        "tokens_per_second": round(model.tokens_per_second, 1),
    }


def _save(nlp: Any, out: Path, summary: dict[str, Any]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.training-", dir=out.parent))
    try:
        nlp.to_disk(staging)
        (staging / TRAINING_JSON).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
        os.rename(staging, out)  # one step: `out` is a whole model or absent
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def learning_curve(
    train: Sequence[DocumentRecord],
    held_out: Sequence[DocumentRecord],
    *,
    lang: str,
    statements: frozenset[str] = frozenset(),
    fractions: Sequence[float] = CURVE_FRACTIONS,
    max_steps: int = DEFAULT_MAX_STEPS,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> list[CurvePoint]:
    """Train on growing shares of `train` (nested: the 50 % holds the 25 %, drawn with `seed`) and score each
    model on the same `held_out` documents: how much the model gains from more annotated documents."""
    order = list(range(len(train)))
    random.Random(seed).shuffle(order)
    points = []
    for fraction in fractions:
        n = max(1, round(len(train) * fraction))
        subset = [train[i] for i in sorted(order[:n])]
        if not any(record.spans for record in subset):  # nothing to learn from: no model, no scores
            points.append(CurvePoint(fraction, n))
            continue
        model = train_spancat(subset, held_out, lang=lang, statements=statements, max_steps=max_steps, seed=seed,
                              progress=progress, cancel=cancel, stage=f"{fraction:.0%} of the documents")
        points.append(CurvePoint(fraction, n, model.scores))
    return points

