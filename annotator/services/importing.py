"""Import: files of any supported format into a project, one transaction per file."""

from __future__ import annotations

import contextlib
import gc
import itertools
import operator
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from annotator import formats
from annotator.domain.documents import content_hash
from annotator.domain.labels import Label, name_problem, next_colour
from annotator.domain.names import printable
from annotator.domain.records import DocumentRecord, SpanRecord, check_record
from annotator.domain.spans import Span, check_bounds, dedupe, find_conflicts, overlaps
from annotator.errors import (
    AnnotatorError,
    DatabaseConflictError,
    ImportFormatError,
    ImportLabelError,
    MissingFileError,
    NotFoundError,
    UsageError,
)
from annotator.formats import output
from annotator.services.relations import ImportedFrames, with_spans
from annotator.services.workspace import CONFLICT_ATTEMPTS, Workspace, ensure_project
from annotator.storage.repository import Repository

BATCH = 1000
Progress = Callable[[int, int, str], None]  # (documents read so far, files done, current file, printable)


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
    relations_added: int = 0
    error: str | None = None


@dataclass
class ImportSummary:
    files: list[FileResult] = field(default_factory=list)
    labels_added: list[str] = field(default_factory=list)
    relation_types_added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # what the folder walks left out, one coded line each

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
        if self.total("relations_added"):
            out.append(f"relations added: {self.total('relations_added')}")
        if self.relation_types_added:
            out.append(f"relation types added to the project: {', '.join(self.relation_types_added)}")
        if self.labels_added:
            out.append(f"labels added to the project: {', '.join(self.labels_added)}")
        return out


def _refuse_the_database(ws: Workspace, inputs: list[tuple[Path, str]]) -> None:
    """The database (or its -wal, -shm, -journal) is never read as an input: besides making no sense, opening
    and closing it with Python's open() in the process that holds it would drop that process's SQLite locks."""
    database = ws.db.path
    if database is None:
        return
    for path, _fmt in inputs:
        what = output.database_part(path, database)
        if what is not None:
            raise UsageError(f"{printable(str(path))} is the database this import writes to, or one of its files "
                             f"({what}); nothing was imported",
                             hint="give the files of articles to import")


def expand_inputs(paths: Iterable[str | os.PathLike[str]], fmt: str,
                  skipped: list[ImportFormatError] | None = None) -> list[tuple[Path, str]]:
    """Each input file with its format; folders are walked (a brat folder is one input).

    Each folder is read once however many links lead to it; what a walk leaves out goes to `skipped`.
    A FIFO, device or socket given as a path is refused before it is opened.
    """
    found: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise MissingFileError("no such file or folder", path=path)
        for item in formats.iter_input_files([path], fmt, skipped):
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
    text_column: str | None = None,
    title_column: str | None = None,
    inputs_found: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import every file; a file with a bad line is rolled back whole and reported, the others go in.

    `label_map` renames labels on the way in (GPE -> LOCATION); `text_column` and `title_column` name the
    columns of CSV files. A text already in the project is not added again; spans that come with it join
    the existing document for their annotator. A new project is made only once every input is found.
    `inputs_found` hears the number of inputs once the folders are walked; what the walks left out is in
    `summary.skipped`.
    """
    left_out: list[ImportFormatError] = []
    inputs = expand_inputs(paths, fmt, left_out)
    _refuse_the_database(ws, inputs)
    csv_options = {k: v for k, v in (("text_column", text_column), ("title_column", title_column)) if v}
    if csv_options and not any(file_fmt == "csv" for _, file_fmt in inputs):
        raise UsageError("--text-column and --title-column are for CSV files, and none is being imported",
                         hint="name the format with --format csv if the file is CSV under another extension")
    project_obj = ensure_project(ws, project, lang)
    summary = ImportSummary(skipped=[str(e) for e in left_out])
    if inputs_found:
        inputs_found(len(inputs))
    read_so_far = 0
    for number, (path, file_fmt) in enumerate(inputs):
        for attempt in range(CONFLICT_ATTEMPTS):  # a deadlock rolled the file back whole: read it again
            result = FileResult(path, file_fmt)
            try:
                read_so_far = _import_file(ws, project_obj.id, project_obj.lang, annotator, path, file_fmt, result,
                                           summary, progress, cancelled, read_so_far, number, label_map or {},
                                           csv_options if file_fmt == "csv" else {})
            except Cancelled:
                raise
            except DatabaseConflictError as e:
                if attempt + 1 < CONFLICT_ATTEMPTS:
                    continue
                result = FileResult(path, file_fmt, error=str(e))
            except AnnotatorError as e:
                result = FileResult(path, file_fmt, error=str(e))
            break
        summary.files.append(result)
        if progress:
            progress(read_so_far, number + 1, printable(str(path)))
    return summary


def _records(path: Path, fmt: str, options: Mapping[str, str]) -> Iterator[DocumentRecord]:
    if fmt == "spacy":
        from annotator.nlp.docbin import read_docbin

        return read_docbin(path)
    return formats.read(path, fmt, **options)


class _FileImport:
    """One file in one transaction: documents in batches, spans with them, duplicates merged."""

    def __init__(self, repo: Repository, project_id: int, default_annotator: str, path: Path,
                 result: FileResult) -> None:
        repo.projects.lock(project_id)  # first: the positions below stay ours until this file commits
        if repo.projects.by_id(project_id) is None:  # the unit checks no foreign key: see _import_file
            raise NotFoundError(f"{printable(str(path))}: the project was deleted while the import ran; nothing of "
                                "this file was written", hint="import the files into a project that exists")
        self.repo = repo
        self.project_id = project_id
        self.default_annotator = default_annotator
        self.path = path
        self.result = result
        self.label_ids = repo.labels.ids(project_id)
        self.colours = [label.colour for label in repo.labels.of_project(project_id)]
        self.labels_added: list[str] = []
        self.annotator_ids: dict[str, int] = {}
        self.seen_hashes: set[str] = set()
        self.position = repo.documents.next_position(project_id)
        self.frames = ImportedFrames(repo, project_id, path)

    def ensure_labels(self, record: DocumentRecord) -> None:
        for span in record.spans:
            if span.label not in self.label_ids:
                label = Label(span.label, next_colour(self.colours))
                self.colours.append(label.colour)
                self.label_ids[span.label] = self.repo.labels.add(self.project_id, label)
                self.labels_added.append(span.label)

    def _annotator(self, record: DocumentRecord) -> int:
        who = record.annotator or self.default_annotator
        if who not in self.annotator_ids:
            self.annotator_ids[who] = self.repo.owners.annotator_id(who)
        return self.annotator_ids[who]

    def _insert_spans(self, rows: Iterable[tuple[int, int, str, Iterable[SpanRecord]]]) -> int:
        """(document id, annotator id, text, spans) rows: a span without attributes goes in as a plain row (the bulk
        path for span-dense files), one with attributes (a FIGURE's reading) with them."""
        label_ids = self.label_ids
        figures = self.frames.figures
        attrs_of = self.frames.attrs_of
        with_attrs: list[tuple[int, int, int, int, int, Mapping[str, Any]]] = []
        plain = []
        for doc_id, annotator_id, text, spans in rows:
            for span in spans:
                attrs = None if span.attrs is None and span.label not in figures else attrs_of(span, text)
                if attrs is None:
                    plain.append((doc_id, annotator_id, label_ids[span.label], span.start, span.end))
                else:
                    with_attrs.append((doc_id, annotator_id, label_ids[span.label], span.start, span.end, attrs))
        return self.repo.bulk.insert_spans_with_attrs(with_attrs) + self.repo.bulk.insert_spans(plain)

    def flush(self, batch: list[DocumentRecord]) -> None:
        hashes = [content_hash(r.text) for r in batch]
        existing = self.repo.documents.existing_hashes(self.project_id, hashes)
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
                "project_id": self.project_id, "position": self.position,
                # A file name need not be UTF-8 (Python keeps its bytes as surrogates, which no driver takes).
                "title": printable(record.title or "")[:500],
                "source": printable(record.source or self.path.name)[:1000], "text": record.text,
                "meta": dict(record.meta), "content_hash": digest,
            })
            self.position += 1
            new_records.append(record)
        ids = self.repo.bulk.insert_documents(doc_rows)
        self.result.spans_added += self._insert_spans(
            (doc_id, self._annotator(record), record.text, record.spans)
            for doc_id, record in zip(ids, new_records, strict=True) if record.spans
        )
        self.result.documents_added += len(ids)
        for doc_id, record in zip(ids, new_records, strict=True):
            self.result.relations_added += self.frames.store_relations(doc_id, self._annotator(record), record)
        for record, digest in duplicates:
            self._merge(record, digest)

    def _merge(self, record: DocumentRecord, digest: str) -> None:
        """Spans that come with a text already in the project join that document (for their annotator)."""
        doc_id = self.repo.documents.id_by_hash(self.project_id, digest)
        if doc_id is None:
            return
        annotator_id = self._annotator(record)
        have = self.repo.spans.of_document(doc_id, annotator_id)
        keys = {s.key() for s in have}
        rows = []
        for span in record.spans:
            candidate = Span(span.start, span.end, span.label)
            if candidate.key() in keys:
                self.result.duplicate_spans += 1
            elif any(s.label == span.label and overlaps(s, candidate) for s in have):
                self.result.spans_conflicting += 1
            else:
                rows.append(span)
                have.append(candidate)
                keys.add(candidate.key())
        self.result.spans_added += self._insert_spans([(doc_id, annotator_id, record.text, rows)])
        self.result.relations_added += self.frames.store_relations(doc_id, annotator_id, record)


def _import_file(ws: Workspace, project_id: int, lang: str, default_annotator: str, path: Path, fmt: str,
                 result: FileResult, summary: ImportSummary, progress: Progress | None,
                 cancelled: Callable[[], bool] | None, read_so_far: int, file_number: int,
                 label_map: Mapping[str, str], options: Mapping[str, str]) -> int:
    # A bulk unit: every row the import writes refers to its own documents, or to labels, an annotator and a
    # project it read or wrote in this transaction under the write lock, so SQLite's foreign key checks go.
    with collector_paused(), ws.bulk_unit() as repo:
        job = _FileImport(repo, project_id, default_annotator, path, result)
        batch: list[DocumentRecord] = []
        for record in _records(path, fmt, options):
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
                    progress(read_so_far, file_number, printable(str(path)))
        if batch:
            job.flush(batch)
            read_so_far += len(batch)
    summary.labels_added.extend(job.labels_added)
    summary.relation_types_added.extend(job.frames.types_added)
    return read_so_far


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a file is read and written, back as it was after.

    A span-dense file makes hundreds of thousands of small objects that live until their batch is written and
    form no cycles; the collector walked them again and again, a fifth of a dense import's time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _checked(record: DocumentRecord, path: Path, lang: str, result: FileResult,
             label_map: Mapping[str, str] | None = None) -> DocumentRecord:
    """Apply the span rules to one record; the file stops at the first record that breaks them."""
    if record.source and not record.source.isascii():
        record = replace(record, source=printable(record.source))  # a file's name need not be UTF-8
    try:
        check_record(record)
    except ImportFormatError as error:
        # The domain names the field; the file and line are known here. The class (and so the code) is kept.
        raise type(error)(error.detail, path=path, line=record.line, field=error.field, hint=error.hint) from None
    result.spans_rejected += record.skipped_spans
    if not record.spans:
        return record
    misaligned = _plain_spans_misaligned(record, lang, label_map)
    if misaligned is not None:
        result.spans_misaligned += misaligned
        return record
    text = record.text
    length = len(text)
    spans = []
    renamed = False
    for span in record.spans:
        start, end = span.start, span.end
        try:
            # The usual span is checked inline; check_bounds words the message for the others.
            if not (type(start) is int and type(end) is int and 0 <= start < end <= length):
                check_bounds(length, start, end)
        except AnnotatorError as error:
            raise ImportFormatError(error.message, path=path, line=record.line, field="spans",
                                    hint=error.hint) from error
        name = label_map.get(span.label, span.label) if label_map else span.label
        problem = _name_problem(name)
        if problem:
            raise ImportLabelError(f"label {name!r} {problem}", path=path, line=record.line, field="label",
                                   hint="rename it on the way in with --map THEIRS=OURS")
        renamed = renamed or name != span.label
        spans.append(Span(start, end, name))
    repeats = 0
    keys = [span.key() for span in spans]  # each record span as renamed, before repeats are merged
    # With one span per label there can be neither repeats nor same-label overlaps: the usual record. With
    # many (CLAIMs holding FIGUREs), one sorted pass says whether the rules need looking at closely.
    if len({s.label for s in spans}) < len(spans) and _repeats_or_overlaps(spans):
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
    result.spans_misaligned += _misaligned(text, lang, [kept[0] for kept in spans], [kept[1] for kept in spans])
    if not renamed and not repeats:
        return record
    return with_spans(record, keys, spans)


def _plain_spans_misaligned(record: DocumentRecord, lang: str, label_map: Mapping[str, str] | None) -> int | None:
    """How many of the record's spans are off token boundaries, when every span is within the text, every label
    is a good name that `label_map` leaves as it is, and no two spans of one label repeat or overlap: the usual
    record, checked column by column instead of span by span. None for any other record (the careful path
    then says what is wrong, or renames and merges)."""
    spans = record.spans
    starts = [span.start for span in spans]
    ends = [span.end for span in spans]
    labels = [span.label for span in spans]
    try:
        names = set(labels)
    except TypeError:  # a label no reader should let through: the careful path words it
        return None
    if ({*map(type, starts), *map(type, ends)} != {int} or min(starts) < 0 or max(ends) > len(record.text)
            or not all(map(operator.lt, starts, ends))):
        return None
    if any(type(name) is not str or _name_problem(name) or (label_map and label_map.get(name, name) != name)
           for name in names):
        return None
    if len(names) < len(spans):
        # Sorted by label and start, spans of one label that neither repeat nor overlap each end before the
        # next one starts.
        ordered = sorted(zip(labels, starts, ends, strict=True))
        if any(a[0] == b[0] and a[2] > b[1] for a, b in itertools.pairwise(ordered)):
            return None
    return _misaligned(record.text, lang, starts, ends)


def _misaligned(text: str, lang: str, starts: list[int], ends: list[int]) -> int:
    """How many of the spans (`starts[i]`, `ends[i]`) do not fall on token boundaries of `text`."""
    # Whitespace-delimited spans always fall on token boundaries; only the others need the tokenizer.
    space = str.isspace
    length = len(text)
    doubtful = [(s, e) for s, e in zip(starts, ends, strict=True)
                if not ((s == 0 or space(text[s - 1])) and (e == length or space(text[e]))
                        and not space(text[s]) and not space(text[e - 1]))]
    if not doubtful:
        return 0
    from annotator.nlp.tokens import misaligned

    # With no tokenizer for the project's language there is nothing to count against.
    with contextlib.suppress(UsageError):
        return len(misaligned(text, lang, doubtful))
    return 0


@lru_cache(maxsize=1024)
def _name_problem(name: str) -> str:
    return name_problem(name)


def _repeats_or_overlaps(spans: list[Span]) -> bool:
    """Whether two spans of one label overlap or repeat; dedupe and find_conflicts then say which."""
    furthest = -1
    label = None
    for span in sorted(spans, key=_BY_LABEL):
        if span.label != label:
            label, furthest = span.label, span.end
        elif span.start < furthest:
            return True
        else:
            furthest = max(furthest, span.end)
    return False


_BY_LABEL = operator.itemgetter(2, 0, 1)
