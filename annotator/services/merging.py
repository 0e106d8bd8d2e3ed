"""`annotator merge OTHER.db`: an offline annotator's SQLite file brought into this project.

The other file is copied first (SQLite's backup API, read-only) and the copy opened and migrated like any
database, so that a file of an older annotator is read in today's schema and the original is never touched.
Everything this project gains is written in one transaction: a merge is all of it or nothing.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from annotator.domain.documents import Status
from annotator.domain.labels import Label, next_colour
from annotator.domain.spans import Span, overlaps
from annotator.errors import MergeSourceError, StorageError
from annotator.services.workspace import DEFAULT_PROJECT, Workspace, ensure_project, retried
from annotator.storage import merge
from annotator.storage.engine import open_database
from annotator.storage.repository import Repository
from annotator.storage.unit import unit_of_work

# A status further along wins when both files have one: a merge never takes back what someone finished.
_RANK = {Status.TODO.value: 0, Status.IN_PROGRESS.value: 1, Status.SKIPPED.value: 2, Status.DONE.value: 3}


@dataclass
class MergeSummary:
    source: str
    documents_matched: int = 0
    documents_added: int = 0
    annotators: list[str] = field(default_factory=list)
    spans_added: int = 0
    spans_present: int = 0
    spans_clashing: int = 0  # overlap a same-label span the same person has here
    statuses: int = 0
    labels_added: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.documents_added or self.spans_added or self.statuses or self.labels_added)

    def lines(self) -> list[str]:
        who = ", ".join(self.annotators) or "no annotators"
        head = (f"merged {self.source} ({who}): {self.documents_added:,} document(s) added, "
                f"{self.documents_matched:,} matched by content, {self.spans_added:,} span(s) and "
                f"{self.statuses:,} status(es) added")
        if not self.changed:
            head = (f"nothing to merge from {self.source}: its {self.documents_matched:,} document(s), "
                    f"{self.spans_present:,} span(s) and statuses are all here already")
        lines = [head]
        if self.labels_added:
            lines.append(f"labels added: {', '.join(self.labels_added)}")
        if self.spans_clashing:
            lines.append(f"{self.spans_clashing:,} span(s) left out: each overlaps a span of the same label that "
                         "the same annotator has here")
        return lines


def merge_database(ws: Workspace, other: str | os.PathLike[str], *, project: str = DEFAULT_PROJECT,
                   prefix: str = "") -> MergeSummary:
    """Bring `other`'s people, their spans and statuses (and the documents this project lacks) into `project`."""
    path = Path(other)
    if not path.is_file():
        raise MergeSourceError(f"there is no database file {path}", hint="give the path of an annotator .db file")
    with tempfile.TemporaryDirectory(prefix="annotator-merge-") as folder:
        copy = Path(folder) / "other.db"
        try:
            merge.copy_sqlite(path, copy)
        except sqlite3.Error as e:
            raise MergeSourceError(f"{path} cannot be merged: it is not a SQLite database ({e})",
                                   hint="merge takes another annotator's .db file") from e
        try:
            source = open_database(copy)
        except StorageError as e:
            message = e.message.replace(str(copy.resolve()), str(path)).replace(str(copy), str(path))
            raise MergeSourceError(f"{path} cannot be merged: {message}", hint=e.hint) from e
        try:
            with unit_of_work(source) as repo:
                found = repo.projects.by_name(project)
                projects = repo.projects.all()
                if found is None and len(projects) == 1:
                    found = projects[0]
                if found is None:
                    names = ", ".join(p.name for p in projects) or "none"
                    raise MergeSourceError(f"{path} has no project {project!r}",
                                           hint=f"its projects: {names}; choose one with --project")
                documents = merge.documents(repo, found.id)
                spans = merge.people_spans(repo, found.id)
                statuses = merge.people_statuses(repo, found.id)
                labels = repo.labels.of_project(found.id)
        finally:
            source.dispose()
    target = ensure_project(ws, project, found.lang)
    return _write(ws, target.id, MergeSummary(str(path)), documents, spans, statuses,
                  {label.name: label for label in labels}, prefix)


@retried
def _write(ws: Workspace, project_id: int, summary: MergeSummary, documents: list[merge.SourceDocument],
           spans: list[merge.SourceSpan], statuses: list[merge.SourceStatus], labels: dict[str, Label],
           prefix: str) -> MergeSummary:
    with ws.unit() as repo:
        repo.projects.lock(project_id)
        doc_ids = _documents(repo, project_id, documents, summary)
        people = sorted({s.annotator for s in spans} | {s.annotator for s in statuses})
        who = {name: repo.owners.annotator_id(prefix + name) for name in people}
        summary.annotators = [prefix + name for name in people]
        label_ids = _labels(repo, project_id, {s.label for s in spans}, labels, summary)
        _spans(repo, spans, doc_ids, who, label_ids, summary)
        _statuses(repo, statuses, doc_ids, who, summary)
    return summary


def _documents(repo: Repository, project_id: int, documents: list[merge.SourceDocument],
               summary: MergeSummary) -> dict[int, int]:
    """The other file's document ids -> this project's, adding the documents it lacks at the end."""
    here = merge.ids_by_hash(repo, project_id, [d.content_hash for d in documents])
    summary.documents_matched = sum(d.content_hash in here for d in documents)
    missing = [d for d in dict((d.content_hash, d) for d in documents if d.content_hash not in here).values()]
    position = repo.documents.next_position(project_id)
    rows = [{"project_id": project_id, "position": position + i, "title": d.title, "source": d.source,
             "text": d.text, "meta": d.meta, "content_hash": d.content_hash} for i, d in enumerate(missing)]
    for d, new_id in zip(missing, repo.bulk.insert_documents(rows), strict=True):
        here[d.content_hash] = new_id
    summary.documents_added = len(missing)
    return {d.id: here[d.content_hash] for d in documents}


def _labels(repo: Repository, project_id: int, used: Iterable[str], theirs: dict[str, Label],
            summary: MergeSummary) -> dict[str, int]:
    ids = repo.labels.ids(project_id)
    colours = [label.colour for label in repo.labels.of_project(project_id)]
    for name in sorted(set(used) - set(ids)):
        # As an import does: a label the project lacks comes in as an entity with a free colour.
        label = Label(name, next_colour(colours), description=theirs[name].description if name in theirs else "")
        colours.append(label.colour)
        ids[name] = repo.labels.add(project_id, label)
        summary.labels_added.append(name)
    return ids


def _spans(repo: Repository, spans: list[merge.SourceSpan], doc_ids: dict[int, int], who: dict[str, int],
           label_ids: dict[str, int], summary: MergeSummary) -> None:
    held: dict[tuple[int, int, int], list[Span]] = {}
    for doc, owner, label, start, end in merge.existing_spans(repo, sorted(set(doc_ids.values())),
                                                              sorted(who.values())):
        held.setdefault((doc, owner, label), []).append(Span(start, end, str(label)))
    rows: list[dict[str, object]] = []
    for span in spans:
        key = (doc_ids[span.document_id], who[span.annotator], label_ids[span.label])
        mine = held.setdefault(key, [])
        new = Span(span.start, span.end, str(key[2]))
        if any((s.start, s.end) == (new.start, new.end) for s in mine):
            summary.spans_present += 1
        elif any(overlaps(s, new) for s in mine):
            summary.spans_clashing += 1
        else:
            mine.append(new)
            rows.append({"document_id": key[0], "annotator_id": key[1], "label_id": key[2], "start": span.start,
                         "end": span.end, "origin": span.origin, **({"attrs": span.attrs} if span.attrs else {})})
    # One executemany per shape: a row without attrs keeps SQL NULL rather than JSON null.
    repo.bulk.insert_span_dicts([r for r in rows if "attrs" not in r])
    repo.bulk.insert_span_dicts([r for r in rows if "attrs" in r])
    summary.spans_added = len(rows)


def _statuses(repo: Repository, statuses: list[merge.SourceStatus], doc_ids: dict[int, int], who: dict[str, int],
              summary: MergeSummary) -> None:
    here = merge.existing_statuses(repo, sorted(set(doc_ids.values())), sorted(who.values()))
    new = []
    for status in statuses:
        key = (doc_ids[status.document_id], who[status.annotator])
        if key not in here:
            here[key] = (status.status, status.seconds)
            new.append({"document_id": key[0], "annotator_id": key[1], "status": status.status,
                        "seconds": status.seconds})
        elif _RANK.get(status.status, 0) > _RANK.get(here[key][0], 0):
            seconds = max(here[key][1], status.seconds)
            merge.update_status(repo, key[0], key[1], status.status, seconds)
            here[key] = (status.status, seconds)
            summary.statuses += 1
    merge.insert_statuses(repo, new)
    summary.statuses += len(new)
