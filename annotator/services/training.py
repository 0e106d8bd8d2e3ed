"""Train a span categorizer on a project's finished documents, with its learning curve."""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from annotator.domain.documents import Status
from annotator.domain.layers import Owner
from annotator.domain.names import printable
from annotator.domain.records import DocumentRecord
from annotator.errors import ModelFolderExistsError, NoSpansToLearnError, TooFewDocumentsError, UsageError
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
from annotator.services.export_layers import LayerChoice
from annotator.services.exporting import BATCH
from annotator.services.exporting import _documents as documents_with_spans
from annotator.services.workspace import Workspace, data_dir, get_project

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

    def unlearned_labels(self) -> list[str]:
        """The project's labels that no training document holds a span of: the model cannot learn them."""
        seen = {s.label for record in self.train for s in record.spans}
        return [label for label in self.labels if label not in seen]


@dataclass
class TrainingResult:
    data: TrainingData
    model: TrainedModel
    curve: list[CurvePoint] = field(default_factory=list)


def training_data(ws: Workspace, *, project: str, annotator: str, curve: bool = False, held_out: float = HELD_OUT,
                  seed: int = 0, any_status: bool = False) -> TrainingData:
    """The documents `annotator` marked done in `project` (with `any_status`, also those not done that hold a span
    of theirs, such as imported annotations), with their spans, split (seeded) into a training share and a
    held-back share. Too few documents, or none with a span, is a coded error saying what is needed."""
    if not 0.0 < held_out < 1.0:
        raise UsageError(f"--held-out must be between 0 and 1, not {held_out}")
    project_obj = get_project(ws, project)
    with ws.unit() as repo:
        annotator_id = repo.owners.annotator_id(annotator, create=False)
        if annotator_id is None:
            raise UsageError(f"no annotator called {annotator!r}", hint=f"annotators: {', '.join(repo.owners.people())}")
        ids = repo.documents.ids(project_obj.id, annotator_id=annotator_id, status=Status.DONE)
        if any_status:  # an unfinished document counts once it holds a span: an untouched one is not "no spans"
            done = set(ids)
            every = repo.documents.ids(project_obj.id)
            tagged = {i for start in range(0, len(every), BATCH)
                      for i in repo.spans.counts(every[start : start + BATCH], annotator_id)}
            ids = [i for i in every if i in done or i in tagged]
        labels = repo.labels.of_project(project_obj.id)
    needed = MIN_CURVE_DOCUMENTS if curve else MIN_DOCUMENTS
    if len(ids) < needed:
        why = "a learning curve needs" if curve else "training needs"
        which = "annotated" if any_status else "finished"
        raise TooFewDocumentsError(
            f"{annotator} has {len(ids)} {which} document(s) in project {project!r}; {why} at least {needed}",
            hint="mark documents done with Ctrl+Enter in the window" + ("" if any_status else ", or add --any-status "
                                                                        "to take imported annotations"))
    records = dict(documents_with_spans(ws, ids, LayerChoice(Owner.person(annotator), annotator_id), False))
    if not any(record.spans for record in records.values()):
        raise NoSpansToLearnError(
            f"the {len(ids)} document(s) of {annotator} in project {project!r} hold no spans; "
            "training needs at least 1 span of each label it is to learn", hint="tag spans, or choose another --layer")
    shuffled = list(ids)
    random.Random(seed).shuffle(shuffled)
    n_held = min(max(1, round(len(ids) * held_out)), len(ids) - (needed - 1))
    held_ids, train_ids = sorted(shuffled[:n_held]), sorted(shuffled[n_held:])
    return TrainingData(
        project=project, lang=project_obj.lang, annotator=annotator, labels=labels.names(),
        statements=labels.statements(), train=[records[i] for i in train_ids],
        held_out=[records[i] for i in held_ids], train_ids=train_ids, held_out_ids=held_ids,
    )


def default_model_dir(project: str, now: datetime | None = None) -> Path:
    """models/<project>/<UTC time> in the user data folder; a project name is made safe for a folder name."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^\w.-]+", "_", project).strip("._") or "project"
    return data_dir() / "models" / safe / stamp


def train(data: TrainingData, *, out: Path | None = None, curve: bool = False,
          max_steps: int = DEFAULT_MAX_STEPS, seed: int = 0, progress: ProgressCallback | None = None,
          cancel: threading.Event | None = None) -> TrainingResult:
    """Train on `data.train`, score on `data.held_out`, and write the model to `out` (default: default_model_dir)
    with its annotator-training.json. With `curve`, models trained on 25 %, 50 % and 75 % of the training documents
    are scored too; the 100 % point is the saved model."""
    if max_steps < 1:
        raise UsageError(f"--max-steps must be at least 1, not {max_steps}")
    out = out or default_model_dir(data.project)
    if out.exists() or out.is_symlink():
        raise ModelFolderExistsError(f"{out} already exists", hint="choose a new --out folder")
    meta = {
        "project": data.project, "annotator": data.annotator, "lang": data.lang,
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
    if curve:
        points.append(CurvePoint(1.0, len(data.train), model.scores))
    return TrainingResult(data, model, points)


def summary_lines(result: TrainingResult) -> list[str]:
    data, model = result.data, result.model
    out = [f"trained on {len(data.train)} document(s) of {data.annotator}, scored on {len(data.held_out)} "
           f"held back; {model.steps} steps, {model.tokens_per_second:,.0f} tokens/s",
           f"model: {printable(str(model.path))}"]
    if model.moved:
        out.append(f"{model.moved} span(s) were snapped outward to whole tokens")
    out.extend(score_table(model.scores, data.labels))
    unlearned = data.unlearned_labels()
    if unlearned:
        out.append(f"not learned, no span in the training documents (it needs at least 1): {', '.join(unlearned)}")
    if result.curve:
        out.append("learning curve (precision, recall and F on the held-back documents):")
        out.extend(curve_table(result.curve, data.labels))
    return out


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
