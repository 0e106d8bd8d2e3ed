"""Import: files of any supported format into a project, one transaction per file."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from annotator import formats
from annotator.domain.documents import content_hash
from annotator.domain.labels import Label, next_colour, normalise_label_name
from annotator.domain.records import DocumentRecord, SpanRecord
from annotator.domain.spans import Span, check_bounds, dedupe, find_conflicts
from annotator.errors import AnnotatorError, ImportFormatError, MissingFileError, UsageError
from annotator.services.workspace import Workspace, ensure_project

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

    def lines(self) -> list[str]:
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
        if self.labels_added:
            out.append(f"labels added to the project: {', '.join(self.labels_added)}")
        out.extend(f"not imported: {error}" for error in self.errors)
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
) -> ImportSummary:
    """Import every file; a file with a bad line is rolled back whole and reported, the others go in."""
    project_obj = ensure_project(ws, project, lang)
    inputs = expand_inputs(paths, fmt)
    summary = ImportSummary()
    read_so_far = 0
    for number, (path, file_fmt) in enumerate(inputs):
        result = FileResult(path, file_fmt)
        try:
            read_so_far = _import_file(ws, project_obj.id, project_obj.lang, annotator, path, file_fmt, result,
                                       summary, progress, cancelled, read_so_far, number)
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


def _import_file(ws: Workspace, project_id: int, lang: str, default_annotator: str, path: Path, fmt: str,
                 result: FileResult, summary: ImportSummary, progress: Progress | None,
                 cancelled: Callable[[], bool] | None, read_so_far: int, file_number: int) -> int:
    labels_added_here: list[str] = []
    with ws.unit() as repo:
        label_ids = repo.label_ids(project_id)
        colours = [label.colour for label in repo.labels(project_id)]
        annotator_ids: dict[str, int] = {}
        seen_hashes: set[str] = set()
        position = repo.next_position(project_id)
        batch: list[DocumentRecord] = []

        def flush() -> None:
            nonlocal position
            hashes = [content_hash(r.text) for r in batch]
            existing = repo.existing_hashes(project_id, hashes)
            doc_rows = []
            span_sources = []
            for record, digest in zip(batch, hashes, strict=True):
                if digest in existing or digest in seen_hashes:
                    result.documents_skipped += 1
                    continue
                seen_hashes.add(digest)
                doc_rows.append({
                    "project_id": project_id, "position": position, "title": (record.title or "")[:500],
                    "source": (record.source or path.name)[:1000], "text": record.text,
                    "meta": dict(record.meta), "content_hash": digest,
                })
                position += 1
                span_sources.append(record)
            ids = repo.insert_documents(doc_rows)
            span_rows = []
            for doc_id, record in zip(ids, span_sources, strict=True):
                if not record.spans:
                    continue
                who = record.annotator or default_annotator
                if who not in annotator_ids:
                    annotator_ids[who] = repo.annotator_id(who)  # type: ignore[assignment]
                for span in record.spans:
                    span_rows.append({"document_id": doc_id, "annotator_id": annotator_ids[who],
                                      "label_id": label_ids[span.label], "start": span.start, "end": span.end,
                                      "origin": "import"})
            repo.insert_spans(span_rows)
            result.documents_added += len(ids)
            result.spans_added += len(span_rows)
            batch.clear()

        for record in _records(path, fmt):
            record = _checked(record, path, lang, result)
            for span in record.spans:
                if span.label not in label_ids:
                    label = Label(span.label, next_colour(colours))
                    colours.append(label.colour)
                    label_ids[span.label] = repo.add_label(project_id, label)
                    labels_added_here.append(span.label)
            batch.append(record)
            if len(batch) >= BATCH:
                flush()
                read_so_far += BATCH
                if cancelled and cancelled():
                    raise Cancelled("the import was cancelled; nothing of the current file was written")
                if progress:
                    progress(read_so_far, file_number, str(path))
        read_so_far += len(batch)
        if batch:
            flush()
    summary.labels_added.extend(labels_added_here)
    return read_so_far


def _checked(record: DocumentRecord, path: Path, lang: str, result: FileResult) -> DocumentRecord:
    """Apply the span rules to one record; the file stops at the first record that breaks them."""
    if not record.text:
        raise ImportFormatError("the document text is empty", path=path, line=record.line, field="text")
    result.spans_rejected += record.skipped_spans
    if not record.spans:
        return record
    text = record.text
    spans = []
    renamed = False
    for span in record.spans:
        try:
            check_bounds(len(text), span.start, span.end)
            name = _label_name(span.label)
        except AnnotatorError as e:
            raise ImportFormatError(e.message, path=path, line=record.line, field="spans", hint=e.hint) from e
        renamed = renamed or name != span.label
        spans.append(Span(span.start, span.end, name))
    spans, repeats = dedupe(spans)
    result.duplicate_spans += repeats
    conflicts = find_conflicts(spans)
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
