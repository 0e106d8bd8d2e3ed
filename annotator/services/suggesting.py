"""Filling a model layer: a suggestion source run over a project's documents, its spans stored as that layer.

The sources (annotator.nlp.suggest) run outside any transaction; each batch of documents is then written in one
transaction that replaces the source's previous spans of those documents. An interrupted run keeps the batches
it wrote. Every person's decisions stay: a rejected suggestion stays hidden from them when the source proposes it
again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.domain.labels import LabelSet
from annotator.domain.layers import Owner
from annotator.domain.spans import Span
from annotator.domain.suggestions import origin_of
from annotator.errors import NoTrainedModelError
from annotator.services.workspace import Workspace, get_project, retried
from annotator.storage.suggestion_store import SuggestionStore

if TYPE_CHECKING:
    from annotator.nlp.suggest import Source

BATCH = 16  # documents per transaction: a Ctrl+C loses at most this much work
LAYER_NAME_MAX = 58  # "model:" + the layer's name fits the span's 64-character origin
TRAINED = "trained"
Progress = Callable[[int, int], None]  # (documents written, documents to do)


@dataclass
class FillSummary:
    source: str
    documents: int = 0
    per_label: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.per_label.values())


def layer_name(source: str) -> str:
    """The model layer a source fills: its name, or for a pipeline folder the path as given (its end, if long)."""
    name = source.rstrip("/\\") or source
    return name if len(name) <= LAYER_NAME_MAX else "..." + name[-(LAYER_NAME_MAX - 3):]


def trained_model(project: str) -> Path:
    """The project's latest model that `annotator train` wrote (services/trained_models.py)."""
    from annotator.services.trained_models import models_folder, trained_model_for

    found = trained_model_for(project)
    if found is None:
        raise NoTrainedModelError(f"there is no trained model for project {project!r} (looked in "
                                  f"{models_folder(project)})",
                                  hint="train one with: annotator train; or name a pipeline folder with --source")
    return found


def source_for(source: str, project: str) -> Source:
    """The source called `source`; `trained` is always this project's latest model, never one registered in this
    process for another project."""
    from annotator.nlp.suggest import get_source

    if source == TRAINED:
        from annotator.nlp.suggest.pipeline import PipelineSource

        return PipelineSource(str(trained_model(project)))
    return get_source(source)


def fill_layer(ws: Workspace, project: str, source: str, *, limit: int | None = None,
               document_ids: Sequence[int] | None = None, mapping: Mapping[str, str] | None = None,
               progress: Progress | None = None, cancel: threading.Event | None = None,
               skip_filled: bool = False) -> FillSummary:
    """Run `source` over the project's documents (the first `limit`, or `document_ids`) and store its spans as
    the model layer `layer_name(source)`, one transaction per batch of documents. `skip_filled`: leave out the
    documents on which the layer has spans already (the window fills a layer as documents are opened)."""
    from annotator.nlp.suggest import Request

    found = get_project(ws, project)
    run = source_for(source, project)  # a missing pipeline or model is refused before anything is read
    name = layer_name(source)
    with ws.unit() as repo:
        labels: LabelSet = repo.labels.of_project(found.id)
        ids = list(document_ids) if document_ids is not None else repo.documents.ids(found.id)
        if limit is not None:
            ids = ids[:limit]
        store = SuggestionStore(repo.s)
        if skip_filled:
            owner = repo.owners.owner_id(Owner.model(name), create=False)
            done = store.filled(owner, ids) if owner is not None else set()
            ids = [i for i in ids if i not in done]
        tagged = store.tagged_strings(found.id) if source == "occurrences" and ids else {}
    if tagged:  # one matcher of the tagged strings for every document, not one per document
        from annotator.nlp.suggest.occurrences import OccurrenceIndex

        index = OccurrenceIndex(found.lang)
        index.update(tagged)
        run = index
    summary = FillSummary(name)
    if progress:
        progress(0, len(ids))
    for i in range(0, len(ids), BATCH):
        if cancel is not None and cancel.is_set():
            break
        with ws.unit() as repo:
            batch = repo.documents.batch(ids[i:i + BATCH])
        proposed = {doc_id: run(Request(found.lang, text, labels, tagged=tagged, mapping=mapping))
                    for doc_id, text, *_ in batch}
        write_layer(ws, found.id, name, proposed, summary)
        if progress:
            progress(summary.documents, len(ids))
    return summary


@retried
def write_layer(ws: Workspace, project_id: int, name: str, proposed: Mapping[int, Sequence[Span]],
           summary: FillSummary) -> None:
    with ws.unit() as repo:
        owner_id = repo.owners.owner_id(Owner.model(name))
        counts = SuggestionStore(repo.s).replace_layer(owner_id, project_id, origin_of(name), proposed)
    summary.documents += len(proposed)
    for label, n in counts.items():
        summary.per_label[label] = summary.per_label.get(label, 0) + n
