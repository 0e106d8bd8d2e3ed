"""The document being annotated: its text, offset map, spans and undo stack; no widgets.

Views read from it and hear about it through signals; changes go through undo commands, which call
the services and then tell the session what the database now holds.
"""

from __future__ import annotations

import bisect
import time
from collections import Counter
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from annotator.domain.documents import Changes, Document, Status
from annotator.domain.labels import LabelSet
from annotator.domain.spans import Span
from annotator.errors import AnnotatorError
from annotator.gui.commands import AddSpan, Relabel, RemoveSpan, SpanCommand
from annotator.gui.offsets import OffsetMap
from annotator.services.annotation import Annotations

MAX_SECONDS_PER_VISIT = 3600.0  # a window left open overnight does not count as a night of work


def _order(span: Span) -> tuple[int, int, int]:
    return (span.start, -span.end, span.id or 0)


class DocumentSession(QObject):
    document_opened = Signal(object)  # Document
    changes_made = Signal(object)  # Changes
    notice_posted = Signal(str)  # a short line for the status bar

    def __init__(self, annotations: Annotations, report: Callable[[AnnotatorError], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.annotations = annotations
        self.report = report
        self.labels: LabelSet = annotations.labels()
        self.snap_to_tokens = True  # off: a selection is tagged as it is, only trimmed of spaces
        self.document: Document | None = None
        self.spans: list[Span] = []  # in reading order (start, longest first); see _order
        self._starts: list[int] = []  # span starts, parallel to self.spans, for bisection
        self._by_id: dict[int, Span] = {}
        self._counts: Counter[str] = Counter()
        self._longest = 0  # an upper bound on span length: spans covering i start after i - _longest
        self.offsets = OffsetMap("")
        self.undo_stack = QUndoStack(self)
        self._opened_at = time.monotonic()

    # -- reading ----------------------------------------------------------------------------------
    @property
    def document_id(self) -> int | None:
        return None if self.document is None else self.document.id

    def spans_at(self, index: int) -> list[Span]:
        """The spans covering `index`, innermost first."""
        return self._innermost_first(s for s in self._starting_between(index - self._longest, index)
                                     if s.covers(index))

    def spans_over(self, start: int, end: int) -> list[Span]:
        """The spans holding the whole selection [start, end), or the caret when it is empty; innermost first."""
        if start == end:
            return self.spans_at(start)
        return self._innermost_first(s for s in self._starting_between(end - self._longest, start) if s.end >= end)

    def overlapping(self, start: int, end: int) -> list[Span]:
        """The spans sharing at least one character with [start, end), in reading order."""
        return [s for s in self._starting_between(start - self._longest, end - 1) if s.end > start]

    def span(self, span_id: int) -> Span | None:
        return self._by_id.get(span_id)

    def counts(self) -> dict[str, int]:
        return {name: self._counts.get(name, 0) for name in self.labels.names()}

    def neighbour_span(self, start: int, end: int, *, forward: bool) -> Span | None:
        """The span after (or before) the selection [start, end) in reading order; nested ones included."""
        selected = [i for i in range(bisect.bisect_left(self._starts, start), bisect.bisect_right(self._starts, start))
                    if self.spans[i].end == end]
        if forward:
            i = selected[-1] + 1 if selected else bisect.bisect_left(self._starts, start)
            return self.spans[i] if i < len(self.spans) else None
        i = selected[0] - 1 if selected else bisect.bisect_left(self._starts, start) - 1
        return self.spans[i] if i >= 0 else None

    def _starting_between(self, low: int, high: int) -> list[Span]:
        """Spans whose start lies in [low, high]."""
        return self.spans[bisect.bisect_left(self._starts, low) : bisect.bisect_right(self._starts, high)]

    @staticmethod
    def _innermost_first(spans: Iterable[Span]) -> list[Span]:
        return sorted(spans, key=lambda s: (s.end - s.start, s.start))

    def _set_spans(self, spans: list[Span]) -> None:
        self.spans = sorted(spans, key=_order)
        self._starts = [s.start for s in self.spans]
        self._by_id = {s.id: s for s in self.spans if s.id is not None}
        self._counts = Counter(s.label for s in self.spans)
        self._longest = max((s.end - s.start for s in self.spans), default=0)

    def reload_labels(self) -> None:
        """Read the label set again, and the spans, which a deleted label takes with it."""
        with self._reporting():
            labels = self.annotations.labels()
            spans = self.annotations.spans(self.document.id) if self.document is not None else []
            if not set(self.labels.names()) <= set(labels.names()):
                self.undo_stack.clear()  # its steps name labels that are gone or renamed
            self.labels = labels
            self._set_spans(spans)

    def reload_spans(self) -> None:
        """Read this document's spans again: an undo step found its span changed by someone else."""
        if self.document is None:
            return
        with self._reporting():
            before = dict(self._by_id)
            self._set_spans(self.annotations.spans(self.document.id))
            gone = tuple(i for i, span in before.items() if self._by_id.get(i) != span)
            new = tuple(i for i, span in self._by_id.items() if before.get(i) != span)
            self.changes_made.emit(Changes(documents=frozenset({self.document.id}), spans_added=new,
                                           spans_removed=gone))

    # -- opening and moving -----------------------------------------------------------------------
    def open_document(self, document_id: int) -> bool:
        try:
            doc = self.annotations.document(document_id)
            spans = self.annotations.spans(document_id)
            self.leave()
        except AnnotatorError as e:
            self.report(e)
            return False
        self.document = doc
        self._set_spans(spans)
        self.offsets = OffsetMap(doc.text)
        self.undo_stack.clear()  # undo stays with the document it was done in
        self._opened_at = time.monotonic()
        self.document_opened.emit(doc)
        return True

    def leave(self) -> None:
        """Add the time spent to the document's status (called when moving on and on closing)."""
        if self.document is None:
            return
        seconds = min(time.monotonic() - self._opened_at, MAX_SECONDS_PER_VISIT)
        self._opened_at = time.monotonic()
        status = self.annotations.status(self.document.id)
        self.changes_made.emit(self.annotations.set_status(self.document.id, status, seconds=seconds))

    def go(self, *, forward: bool) -> None:
        if self.document is None:
            return
        with self._reporting():
            found = self.annotations.neighbour(self.document.id, forward=forward)
            if found is None:
                self.notice_posted.emit("this is the last document" if forward else "this is the first document")
                return
            self.open_document(found)

    def finish(self, status: Status = Status.DONE) -> None:
        """Mark the document (done or skipped) and open the next one to do."""
        if self.document is None:
            return
        with self._reporting():
            seconds = min(time.monotonic() - self._opened_at, MAX_SECONDS_PER_VISIT)
            self._opened_at = time.monotonic()
            self.changes_made.emit(self.annotations.set_status(self.document.id, status, seconds=seconds))
            following = self.annotations.next_todo(self.document.id)
            if following is None:
                self.notice_posted.emit("every document is done or skipped")
                return
            self.open_document(following)

    # -- changing spans (through the undo stack) --------------------------------------------------
    def toggle_label(self, label: str, start: int, end: int) -> tuple[int, int] | None:
        """Tag [start, end) snapped to tokens, or the token at the caret; the same label again removes it.

        With snap_to_tokens off a selection is only trimmed of spaces; a caret still takes its token.

        Returns the range now meant (to select it), or None when there was nothing to tag.
        """
        doc = self.document
        if doc is None or label not in self.labels:
            return None
        if start == end:  # a caret inside a span of this label: the key takes it away again
            inside = [s for s in self.spans_at(start) if s.label == label]
            if inside:
                self._push(RemoveSpan(self, doc.id, inside[0]))
                return inside[0].start, inside[0].end
        with self._reporting():
            snapped = self.annotations.snapped(doc, start, end, snap_to_tokens=self.snap_to_tokens or start == end)
            if snapped is None:
                self.notice_posted.emit("nothing to tag here: the selection holds only spaces")
                return None
            existing = next((s for s in self.spans_over(*snapped) if (s.start, s.end, s.label) == (*snapped, label)),
                            None)
            if existing is not None:
                self._push(RemoveSpan(self, doc.id, existing))
            else:
                self._push(AddSpan(self, doc.id, label, *snapped))
            return snapped
        return None

    def remove(self, span_id: int) -> None:
        span = self.span(span_id)
        if span is not None and self.document is not None:
            self._push(RemoveSpan(self, self.document.id, span))

    def relabel(self, span_id: int, label: str) -> None:
        span = self.span(span_id)
        if span is not None and self.document is not None and span.label != label:
            self._push(Relabel(self, self.document.id, span, label))

    def _push(self, command: SpanCommand) -> None:
        """Save the change, then push it: a busy database leaves the stack (and its redo steps) as it was."""
        try:
            command.write(undo=False)
        except AnnotatorError as e:
            self.report(e)
            return
        self.undo_stack.push(command)

    def undo(self) -> None:
        self._step(undo=True)

    def redo(self) -> None:
        self._step(undo=False)

    def _step(self, *, undo: bool) -> None:
        """Save the step first and move the stack after: a busy database leaves both where they were."""
        stack = self.undo_stack
        if not (stack.canUndo() if undo else stack.canRedo()):
            return
        command = stack.command(stack.index() - 1 if undo else stack.index())
        if isinstance(command, SpanCommand):
            try:
                command.write(undo=undo)
            except AnnotatorError as e:
                self.report(e)
                return
        if undo:
            stack.undo()
        else:
            stack.redo()

    # -- told by the commands, after the database changed -----------------------------------------
    def span_added(self, document_id: int, span: Span, changes: Changes) -> None:
        if document_id == self.document_id and span.id is not None:
            i = bisect.bisect_left(self.spans, _order(span), key=_order)
            self.spans.insert(i, span)
            self._starts.insert(i, span.start)
            self._by_id[span.id] = span
            self._counts[span.label] += 1
            self._longest = max(self._longest, span.end - span.start)
        self.changes_made.emit(changes)

    def span_removed(self, document_id: int, span_id: int, changes: Changes) -> None:
        span = self._by_id.pop(span_id, None) if document_id == self.document_id else None
        if span is not None:
            i = bisect.bisect_left(self.spans, _order(span), key=_order)
            del self.spans[i]
            del self._starts[i]
            self._counts[span.label] -= 1
        self.changes_made.emit(changes)

    def span_relabelled(self, document_id: int, span_id: int, label: str, changes: Changes) -> None:
        old = self._by_id.get(span_id) if document_id == self.document_id else None
        if old is not None:
            new = Span(old.start, old.end, label, old.id, old.annotator)
            self.spans[bisect.bisect_left(self.spans, _order(old), key=_order)] = new
            self._by_id[span_id] = new
            self._counts[old.label] -= 1
            self._counts[label] += 1
        self.changes_made.emit(changes)

    def _reporting(self):  # type: ignore[no-untyped-def]
        return _Reporting(self.report)


class _Reporting:
    def __init__(self, report: Callable[[AnnotatorError], None]) -> None:
        self._report = report

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, _tb) -> bool:  # type: ignore[no-untyped-def]
        if isinstance(error, AnnotatorError):
            self._report(error)
            return True
        return False
