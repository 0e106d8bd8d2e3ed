"""Import: files of any supported format into a project, one transaction per file."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from annotator import formats
from annotator.domain.documents import content_hash
from annotator.domain.labels import Label, next_colour, normalise_label_name
from annotator.domain.records import DocumentRecord, SpanRecord, check_record
from annotator.domain.spans import Span, check_bounds, dedupe, find_conflicts, overlaps
from annotator.errors import AnnotatorError, ImportFormatError, MissingFileError, UsageError
from annotator.services.workspace import Workspace, ensure_project
from annotator.storage.repository import Repository

BATCH = 1000
Progress = Callable[[int, int, str], None]  # (documents read so far, files done, current file)


class Cancelled(AnnotatorError):
    code = "A090"


@dataclass
class FileResult:
    path: Path
    format: str
    documents_added: int = 0
    documents_skipped: int = 0
    spans_added: int = 0
    spans_misaligned: int = 0
    spans_rejected: int = 0
    duplicate_spans: int = 0
    spans_conflicting: int = 0
    error: str | None = None


@dataclass
class ImportSummary:
    files: list[FileResult] = field(default_factory=list)
    labels_added: list[str] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files if f.error is None)

    @property
    def errors(self) -> list[str]:
        return [f.error for f in self.files if f.error]

    def lines(self, *, with_errors: bool = True) -> list[str]:
        out = [
            f"documents added: {self.total('documents_added')}",
            f"documents skipped (same text already in the project): {self.total('documents_skipped')}",
            f"spans added: {self.total('spans_added')}",
            f"spans not on token boundaries (kept as given): {self.total('spans_misaligned')}",
        ]
        if self.total("spans_rejected"):
            out.append(f"spans of rejected or ignored answers (not imported): {self.total('spans_rejected')}")
        if self.total("duplicate_spans"):
            out.append(f"repeated spans merged: {self.total('duplicate_spans')}")
        if self.total("spans_conflicting"):
            out.append(f"spans not added because they overlap a span of the same label already on that document: "
                       f"{self.total('spans_conflicting')}")
        if self.labels_added:
            out.append(f"labels added to the project: {', '.join(self.labels_added)}")
        return out


def expand_inputs(paths: Iterable[str | os.PathLike[str]], fmt: str) -> list[tuple[Path, str]]:
    """Each input file with its format; folders are opened (a brat folder is one input)."""
    found: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise MissingFileError("no such file or folder", path=path)
        for item in formats.iter_input_files([path], fmt):
            found.append(item)
    return found


def import_paths(
    ws: Workspace,
    paths: Iterable[str | os.PathLike[str]],
    *,
    project: str,
    annotator: str,
    fmt: str = "auto",
    lang: str = "en",
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    label_map: Mapping[str, str] | None = None,
) -> ImportSummary:
    """Import every file; a file with a bad line is rolled back whole and reported, the others go in.

    `label_map` renames labels on the way in (GPE -> LOCATION). A text already in the project is not added
    again; spans that come with it join the existing document for their annotator.
    """
    project_obj = ensure_project(ws, project, lang)
    inputs = expand_inputs(paths, fmt)
    summary = ImportSummary()
    read_so_far = 0
    for number, (path, file_fmt) in enumerate(inputs):
        result = FileResult(path, file_fmt)
        try:
            read_so_far = _import_file(ws, project_obj.id, project_obj.lang, annotator, path, file_fmt, result,
                                       summary, progress, cancelled, read_so_far, number, label_map or {})
        except Cancelled:
            raise
        except AnnotatorError as e:
            result = FileResult(path, file_fmt, error=str(e))
        summary.files.append(result)
        if progress:
            progress(read_so_far, number + 1, str(path))
    return summary


def _records(path: Path, fmt: str) -> Iterator[DocumentRecord]:
    if fmt == "spacy":
        from annotator.nlp.docbin import read_docbin

        return read_docbin(path)
    return formats.read(path, fmt)


class _FileImport:
    """One file in one transaction: documents in batches, spans with them, duplicates merged."""

    def __init__(self, repo: Repository, project_id: int, default_annotator: str, path: Path,
                 result: FileResult) -> None:
        self.repo = repo
        self.project_id = project_id
        self.default_annotator = default_annotator
        self.path = path
        self.result = result
        self.label_ids = repo.label_ids(project_id)
        self.colours = [label.colour for label in repo.labels(project_id)]
        self.labels_added: list[str] = []
        self.annotator_ids: dict[str, int] = {}
        self.seen_hashes: set[str] = set()
        self.position = repo.next_position(project_id)

    def ensure_labels(self, record: DocumentRecord) -> None:
        for span in record.spans:
            if span.label not in self.label_ids:
                label = Label(span.label, next_colour(self.colours))
                self.colours.append(label.colour)
                self.label_ids[span.label] = self.repo.add_label(self.project_id, label)
                self.labels_added.append(span.label)

    def _annotator(self, record: DocumentRecord) -> int:
        who = record.annotator or self.default_annotator
        if who not in self.annotator_ids:
            self.annotator_ids[who] = self.repo.annotator_id(who)  # type: ignore[assignment]
        return self.annotator_ids[who]

    def _span_row(self, doc_id: int, annotator_id: int, span: SpanRecord) -> dict[str, object]:
        return {"document_id": doc_id, "annotator_id": annotator_id, "label_id": self.label_ids[span.label],
                "start": span.start, "end": span.end, "origin": "import"}

    def flush(self, batch: list[DocumentRecord]) -> None:
        hashes = [content_hash(r.text) for r in batch]
        existing = self.repo.existing_hashes(self.project_id, hashes)
        doc_rows = []
        new_records = []
        duplicates = []
        for record, digest in zip(batch, hashes, strict=True):
            if digest in existing or digest in self.seen_hashes:
                self.result.documents_skipped += 1
                if record.spans:
                    duplicates.append((record, digest))
                continue
            self.seen_hashes.add(digest)
            doc_rows.append({
                "project_id": self.project_id, "position": self.position, "title": (record.title or "")[:500],
                "source": (record.source or self.path.name)[:1000], "text": record.text,
                "meta": dict(record.meta), "content_hash": digest,
            })
            self.position += 1
            new_records.append(record)
        ids = self.repo.insert_documents(doc_rows)
        span_rows = [
            self._span_row(doc_id, self._annotator(record), span)
            for doc_id, record in zip(ids, new_records, strict=True)
            for span in record.spans
        ]
        self.repo.insert_spans(span_rows)
        self.result.documents_added += len(ids)
        self.result.spans_added += len(span_rows)
        for record, digest in duplicates:
            self._merge(record, digest)

    def _merge(self, record: DocumentRecord, digest: str) -> None:
        """Spans that come with a text already in the project join that document (for their annotator)."""
        doc_id = self.repo.document_id_by_hash(self.project_id, digest)
        if doc_id is None:
            return
        annotator_id = self._annotator(record)
        have = self.repo.spans(doc_id, annotator_id)
        keys = {s.key() for s in have}
        rows = []
        for span in record.spans:
            candidate = Span(span.start, span.end, span.label)
            if candidate.key() in keys:
                self.result.duplicate_spans += 1
            elif any(s.label == span.label and overlaps(s, candidate) for s in have):
                self.result.spans_conflicting += 1
            else:
                rows.append(self._span_row(doc_id, annotator_id, span))
                have.append(candidate)
                keys.add(candidate.key())
        self.repo.insert_spans(rows)
        self.result.spans_added += len(rows)


def _import_file(ws: Workspace, project_id: int, lang: str, default_annotator: str, path: Path, fmt: str,
                 result: FileResult, summary: ImportSummary, progress: Progress | None,
                 cancelled: Callable[[], bool] | None, read_so_far: int, file_number: int,
                 label_map: Mapping[str, str]) -> int:
    with ws.unit() as repo:
        job = _FileImport(repo, project_id, default_annotator, path, result)
        batch: list[DocumentRecord] = []
        for record in _records(path, fmt):
            record = _checked(record, path, lang, result, label_map)
            job.ensure_labels(record)
            batch.append(record)
            if len(batch) >= BATCH:
                job.flush(batch)
                read_so_far += len(batch)
                batch = []
                if cancelled and cancelled():
                    raise Cancelled("the import was cancelled; nothing of the current file was written")
                if progress:
                    progress(read_so_far, file_number, str(path))
        if batch:
            job.flush(batch)
            read_so_far += len(batch)
    summary.labels_added.extend(job.labels_added)
    return read_so_far


def _checked(record: DocumentRecord, path: Path, lang: str, result: FileResult,
             label_map: Mapping[str, str] | None = None) -> DocumentRecord:
    """Apply the span rules to one record; the file stops at the first record that breaks them."""
    try:
        check_record(record)
    except ImportFormatError as e:
        # The domain names the field; the file and line are known here. The class (and so the code) is kept.
        raise type(e)(e.detail, path=path, line=record.line, field=e.field, hint=e.hint) from None
    result.spans_rejected += record.skipped_spans
    if not record.spans:
        return record
    text = record.text
    spans = []
    renamed = False
    for span in record.spans:
        try:
            check_bounds(len(text), span.start, span.end)
            name = _label_name(label_map.get(span.label, span.label) if label_map else span.label)
        except AnnotatorError as e:
            raise ImportFormatError(e.message, path=path, line=record.line, field="spans", hint=e.hint) from e
        renamed = renamed or name != span.label
        spans.append(Span(span.start, span.end, name))
    repeats = 0
    # With one span per label there can be neither repeats nor same-label overlaps: the usual record.
    if len({s.label for s in spans}) < len(spans):
        spans, repeats = dedupe(spans)
        result.duplicate_spans += repeats
        conflicts = find_conflicts(spans)
    else:
        conflicts = []
    if conflicts:
        a, b = conflicts[0]
        raise ImportFormatError(
            f"{a.label} [{a.start}:{a.end}] and [{b.start}:{b.end}] overlap; one annotator cannot have two "
            "overlapping spans of the same label",
            path=path, line=record.line, field="spans", hint="remove one of them from the file",
        )
    # Whitespace-delimited spans always fall on token boundaries; only the others need the tokenizer.
    doubtful = [(s.start, s.end) for s in spans if not _edges_on_whitespace(text, s.start, s.end)]
    if doubtful:
        from annotator.nlp.tokens import misaligned

        # With no tokenizer for the project's language there is nothing to count against.
        with contextlib.suppress(UsageError):
            result.spans_misaligned += len(misaligned(text, lang, doubtful))
    if not renamed and not repeats:
        return record
    return replace(record, spans=tuple(SpanRecord(s.start, s.end, s.label) for s in spans))


@lru_cache(maxsize=1024)
def _label_name(raw: str) -> str:
    return normalise_label_name(raw)


def _edges_on_whitespace(text: str, start: int, end: int) -> bool:
    return (
        (start == 0 or text[start - 1].isspace())
        and (end == len(text) or text[end].isspace())
        and not text[start].isspace()
        and not text[end - 1].isspace()
    )
