"""A model layer scored against a person's spans: precision, recall and F per label, exact and token-overlap.

The documents are the ones the person marked done; when they finished none, every document they have spans on.
The report says which.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.domain.documents import Project, Status
from annotator.domain.layers import Owner
from annotator.domain.matching import Counts, Scores, compare
from annotator.errors import NothingToEvaluateError
from annotator.services.agreement import BATCH, _aligned, _figure
from annotator.services.suggesting import layer_name
from annotator.services.workspace import Workspace, get_project


@dataclass(frozen=True, slots=True)
class Evaluation:
    project: Project
    layer: str
    against: str
    documents: int
    finished: bool  # the person's finished documents (else every document they annotated)
    scores: Scores
    labels: tuple[str, ...]

    def lines(self) -> list[str]:
        which = "finished" if self.finished else "annotated (none finished yet)"
        out = [f"layer {self.layer} against {self.against} on the {self.documents} document(s) {which} in project "
               f"{self.project.name}"]
        header = ["label", f"spans {self.against}", f"spans {self.layer}", "P exact", "R exact", "F exact",
                  "P overlap", "R overlap", "F overlap"]
        rows = [self._row(label, self.scores.exact.get(label), self.scores.overlap.get(label))
                for label in self.labels]
        rows.append(self._row("(all)", self.scores.exact.overall, self.scores.overlap.overall))
        return out + _aligned(header, rows, 1)

    @staticmethod
    def _row(label: str, exact: Counts, overlap: Counts) -> list[str]:
        return [label, str(exact.tp + exact.fn), str(exact.tp + exact.fp), _figure(exact.precision),
                _figure(exact.recall), _figure(exact.f1), _figure(overlap.precision), _figure(overlap.recall),
                _figure(overlap.f1)]


def evaluate_layer(ws: Workspace, project: str, layer: str, against: str) -> Evaluation:
    """The model layer `layer` scored against the spans of the person `against` (their finished documents)."""
    from annotator.nlp.tokens import token_offsets

    found = get_project(ws, project)
    name = layer_name(layer)
    with ws.unit() as repo:  # one read transaction: every figure from the same state of the database
        person = repo.owners.annotator_id(against, create=False)
        model = repo.owners.owner_id(Owner.model(name), create=False)
        if person is None:
            raise NothingToEvaluateError(f"there is no annotator {against!r}",
                                         hint=f"annotators: {', '.join(repo.owners.people()) or 'none yet'}")
        if model is None:
            models = [o.name for o in repo.owners.all() if o.kind.value == "model"]
            raise NothingToEvaluateError(f"there is no model layer {name!r}",
                                         hint=f"fill it with: annotator suggest --source {layer}"
                                              + (f" (layers there are: {', '.join(models)})" if models else ""))
        ids = repo.documents.ids(found.id, annotator_id=person, status=Status.DONE)
        finished = bool(ids)
        if not finished:
            every = repo.documents.ids(found.id)
            counts: dict[int, int] = {}
            for i in range(0, len(every), BATCH):
                counts.update(repo.spans.counts(every[i:i + BATCH], person))
            ids = [d for d in every if counts.get(d)]
        if not ids:
            raise NothingToEvaluateError(f"{against} has no spans in project {found.name!r}",
                                         hint="evaluate against someone who annotated, or mark documents done")
        labels = tuple(label.name for label in repo.labels.of_project(found.id))
        offsets = token_offsets(found.lang)
        scores = Scores()
        for i in range(0, len(ids), BATCH):
            chunk = ids[i:i + BATCH]
            texts = {row[0]: row[1] for row in repo.documents.batch(chunk)}
            reference = repo.spans.of_documents(chunk, person)
            predicted = repo.spans.of_documents(chunk, model)
            for document_id in chunk:
                scores += compare(reference[document_id], predicted[document_id], offsets(texts[document_id]))
    return Evaluation(found, name, against, len(ids), finished, scores, labels)
