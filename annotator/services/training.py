"""Train a span categorizer on a project's finished documents, with its learning curve."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from annotator.domain.documents import Status
from annotator.domain.layers import Owner, OwnerKind
from annotator.domain.names import printable
from annotator.domain.records import DocumentRecord
from annotator.errors import (
    ModelFolderExistsError,
    NoSpansToLearnError,
    TooFewDocumentsError,
    TrainingLayerError,
    UsageError,
)
from annotator.nlp.training import (
    CURVE_FRACTIONS,
    DEFAULT_MAX_STEPS,
    CurvePoint,
    LabelScore,
    ProgressCallback,
    TrainedModel,
    learning_curve,
    train_spancat,
)
from annotator.nlp.training import (
    Progress as Progress,  # the window shows it
)
from annotator.services.export_layers import (
    LayerChoice,
    LayerOption,
    choose_layer,
    layer_names,
    person_id,
    project_layers,
)
from annotator.services.exporting import BATCH, documents_with_spans
from annotator.services.trained_models import default_model_dir, record_latest, trained_documents
from annotator.services.workspace import Workspace, get_project
from annotator.storage.repository import Repository

HELD_OUT = 0.2  # the share of the finished documents held back to score the model
MIN_DOCUMENTS = 2  # one to train on, one to score with
MIN_CURVE_DOCUMENTS = 5  # a 25 % share of at least one training document, and one held back


@dataclass
class TrainingData:
    project: str
    lang: str
    annotator: str
    labels: list[str]  # the project's labels, in its order
    statements: frozenset[str]
    train: list[DocumentRecord]
    held_out: list[DocumentRecord]
    train_ids: list[int] = field(default_factory=list)
    held_out_ids: list[int] = field(default_factory=list)
    gold: bool = False  # trained on the gold layer (`annotator` is then "gold")

    @property
    def layer_text(self) -> str:
        return "the gold layer" if self.gold else self.annotator

    def unlearned_labels(self) -> list[str]:
        """The project's labels that no training document holds a span of: the model cannot learn them."""
        seen = {s.label for record in self.train for s in record.spans}
        return [label for label in self.labels if label not in seen]


@dataclass
class TrainingResult:
    data: TrainingData
    model: TrainedModel
    curve: list[CurvePoint] = field(default_factory=list)


def training_layer(repo: Repository, project_id: int, *, layer: str | None, annotator: str | None,
                   fallback: str | None) -> LayerChoice:
    """The layer to train on: `layer` (any name `export --layer` takes) or `annotator`'s, else gold once the project
    has gold spans, else `fallback`'s (the person using the command or the window). A model's layer and every
    person's spans together are refused (A145)."""
    choice = choose_layer(repo, project_id, layer, annotator)
    if choice.owner is None and layer is None:
        name = annotator or fallback
        if name is None:
            raise UsageError("whose documents to train on?", hint="give --annotator NAME or --layer NAME")
        return LayerChoice(Owner.person(name), person_id(repo, name))
    if choice.owner is None:
        raise TrainingLayerError(f"--layer {layer} mixes every person's spans; training takes one layer",
                                 hint="name one person's layer, or gold once the project has it")
    if choice.owner.kind is OwnerKind.MODEL:
        raise TrainingLayerError(f"{layer!r} is a model's layer: a model trained on a model's suggestions learns "
                                 "its mistakes back", hint="train on a person's layer or on gold")
    return choice


def _candidates(repo: Repository, project_id: int, choice: LayerChoice, any_status: bool) -> list[int]:
    """The documents a layer offers for training: those its owner marked done, and with `any_status` (always for
    gold, which settles documents by giving them spans rather than a status) those that hold a span of it."""
    owner_id = choice.owner_id
    if owner_id is None:
        return []
    ids = repo.documents.ids(project_id, annotator_id=owner_id, status=Status.DONE)
    if any_status or choice.owner == Owner.gold():  # an untouched document is not "no spans"
        done = set(ids)
        every = repo.documents.ids(project_id)
        tagged = {i for start in range(0, len(every), BATCH)
                  for i in repo.spans.counts(every[start : start + BATCH], owner_id)}
        ids = [i for i in every if i in done or i in tagged]
    return ids


def training_data(ws: Workspace, *, project: str, annotator: str | None = None, layer: str | None = None,
                  fallback: str | None = None, curve: bool = False, held_out: float = HELD_OUT, seed: int = 0,
                  any_status: bool = False) -> TrainingData:
    """The documents of the training layer (training_layer: gold when the project has gold spans, else the
    person's) that are finished (for a person: marked done, with `any_status` also those not done that hold a span
    of theirs, such as imported annotations; for gold: those with gold spans), split (seeded) into a training share
    and a held-back share. Too few documents, or none with a span, is a coded error saying what is needed."""
    if not 0.0 < held_out < 1.0:
        raise UsageError(f"--held-out must be between 0 and 1, not {held_out}")
    project_obj = get_project(ws, project)
    with ws.unit() as repo:
        choice = training_layer(repo, project_obj.id, layer=layer, annotator=annotator, fallback=fallback)
        ids = _candidates(repo, project_obj.id, choice, any_status)
        labels = repo.labels.of_project(project_obj.id)
    assert choice.owner is not None
    gold = choice.owner.kind is OwnerKind.GOLD
    who = "the gold layer" if gold else choice.owner.name
    needed = MIN_CURVE_DOCUMENTS if curve else MIN_DOCUMENTS
    if len(ids) < needed:
        why = "a learning curve needs" if curve else "training needs"
        which = "settled" if gold else "annotated" if any_status else "finished"
        raise TooFewDocumentsError(
            f"{who} has {len(ids)} {which} document(s) in project {project!r}; {why} at least {needed}",
            hint="settle more documents in review" if gold else "mark documents done with Ctrl+Enter in the window"
            + ("" if any_status else ", or add --any-status to take imported annotations"))
    records = dict(documents_with_spans(ws, ids, choice, False))
    if not any(record.spans for record in records.values()):
        raise NoSpansToLearnError(
            f"the {len(ids)} document(s) of {who} in project {project!r} hold no spans; "
            "training needs at least 1 span of each label it is to learn", hint="tag spans, or choose another --layer")
    shuffled = list(ids)
    random.Random(seed).shuffle(shuffled)
    n_held = min(max(1, round(len(ids) * held_out)), len(ids) - (needed - 1))
    held_ids, train_ids = sorted(shuffled[:n_held]), sorted(shuffled[n_held:])
    return TrainingData(
        project=project, lang=project_obj.lang, annotator=choice.owner.name, labels=labels.names(),
        statements=labels.statements(), train=[records[i] for i in train_ids],
        held_out=[records[i] for i in held_ids], train_ids=train_ids, held_out_ids=held_ids, gold=gold,
    )


def documents_since_training(ws: Workspace, *, project: str, annotator: str) -> int:
    """How many documents the window's training layer (gold once the project has it, else `annotator`'s finished
    ones) holds that the project's latest model was not made from: all of them when there is no model yet."""
    project_obj = get_project(ws, project)
    with ws.unit() as repo:
        choice = training_layer(repo, project_obj.id, layer=None, annotator=None, fallback=annotator)
        ids = _candidates(repo, project_obj.id, choice, any_status=False)
    used = trained_documents(project) or set()
    return sum(1 for i in ids if i not in used)


def train(data: TrainingData, *, out: Path | None = None, curve: bool = False,
          max_steps: int = DEFAULT_MAX_STEPS, seed: int = 0, progress: ProgressCallback | None = None,
          cancel: threading.Event | None = None) -> TrainingResult:
    """Train on `data.train`, score on `data.held_out`, and write the model to `out` (default: default_model_dir)
    with its annotator-training.json, and record it as the project's latest model (the `trained` suggestion source).
    With `curve`, models trained on 25 %, 50 % and 75 % of the training documents
    are scored too; the 100 % point is the saved model."""
    if max_steps < 1:
        raise UsageError(f"--max-steps must be at least 1, not {max_steps}")
    out = out or default_model_dir(data.project)
    if out.exists() or out.is_symlink():
        raise ModelFolderExistsError(f"{out} already exists", hint="choose a new --out folder")
    meta = {
        "project": data.project, "annotator": data.annotator, "layer": "gold" if data.gold else data.annotator,
        "lang": data.lang,
        "documents": {"train": data.train_ids, "held_out": data.held_out_ids},
        "max_steps": max_steps, "seed": seed, "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    points = []
    if curve:
        points = learning_curve(data.train, data.held_out, lang=data.lang, statements=data.statements,
                                fractions=CURVE_FRACTIONS[:-1], max_steps=max_steps, seed=seed, progress=progress,
                                cancel=cancel)
    model = train_spancat(data.train, data.held_out, lang=data.lang, statements=data.statements, out=out,
                          max_steps=max_steps, seed=seed, progress=progress, cancel=cancel, meta=meta)
    record_latest(data.project, out)  # the `trained` suggestion source is this model from now on
    if curve:
        points.append(CurvePoint(1.0, len(data.train), model.scores))
    return TrainingResult(data, model, points)


def summary_lines(result: TrainingResult) -> list[str]:
    data, model = result.data, result.model
    out = [f"trained on {len(data.train)} document(s) of {data.layer_text}, scored on {len(data.held_out)} "
           f"held back; {model.steps} steps, {model.tokens_per_second:,.0f} tokens/s",
           f"model: {printable(str(model.path))}"]
    if model.moved:
        out.append(f"{model.moved} span(s) were snapped outward to whole tokens")
    if model.long_entities:
        out.append(f"{model.long_entities} entity span(s) are longer than {model.entity_max_tokens} tokens: the model "
                   "does not suggest spans that long")
    out.extend(score_table(model.scores, data.labels))
    unlearned = data.unlearned_labels()
    if unlearned:
        out.append(f"not learned, no span in the training documents (it needs at least 1): {', '.join(unlearned)}")
    if result.curve:
        out.append("learning curve (precision, recall and F on the held-back documents):")
        out.extend(curve_table(result.curve, data.labels))
    return out


def curve_series(result: TrainingResult) -> dict[str, list[tuple[float, float]]]:
    """The learning curve per label, (training documents, F), for a chart: labels without any score left out."""
    series = {label: [(float(p.documents), p.scores[label].f) for p in result.curve if label in p.scores]
              for label in result.data.labels}
    return {label: points for label, points in series.items() if points}


def _cell(score: LabelScore | None) -> list[str]:
    return ["-", "-", "-"] if score is None else [f"{score.p:.2f}", f"{score.r:.2f}", f"{score.f:.2f}"]


def score_table(scores: dict[str, LabelScore], labels: list[str]) -> list[str]:
    """Precision, recall and F per label, aligned; "-" for a label with no span held back or predicted."""
    rows = [[label, *_cell(scores.get(label))] for label in labels]
    return _aligned([["label", "P", "R", "F"], *rows])


def curve_table(points: list[CurvePoint], labels: list[str]) -> list[str]:
    """The learning curve as an aligned table: per label, one row per share of the training documents."""
    rows = [[label, f"{p.fraction:.0%}", str(p.documents), *_cell(p.scores.get(label))]
            for label in labels for p in points]
    return _aligned([["label", "share", "documents", "P", "R", "F"], *rows])


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths,
            strict=True))).rstrip() for row in rows]


def layer_options(ws: Workspace, project: str, annotator: str) -> tuple[list[LayerOption], int]:
    """The layers the window may train on (every person's, and gold once it has spans) and the default's index:
    gold when the project has it, else `annotator`'s own."""
    project_obj = get_project(ws, project)
    with ws.unit() as repo:
        layers = project_layers(repo, project_obj.id)
    options = [LayerOption(name, f"{name} ({'settled' if owner.kind is OwnerKind.GOLD else 'person'}, {n:,} spans)")
               for name, (owner, n) in zip(layer_names(list(layers)), layers.items(), strict=True)
               if owner.kind is not OwnerKind.MODEL]
    names = [o.layer for o in options]
    wanted = "gold" if Owner.gold() in layers else annotator
    return options, names.index(wanted) if wanted in names else 0
