"""The document being annotated: its text, offset map, spans and undo stack; no widgets.

Views read from it and hear about it through signals; changes go through undo commands, which call
the services and then tell the session what the database now holds.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from annotator.domain.documents import Changes, Document, Status
from annotator.domain.labels import LabelSet
from annotator.domain.spans import Span
from annotator.errors import AnnotatorError
from annotator.gui.commands import AddSpan, Relabel, RemoveSpan
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
        self.document: Document | None = None
        self.spans: list[Span] = []
        self.offsets = OffsetMap("")
        self.undo_stack = QUndoStack(self)
        self._opened_at = time.monotonic()

    # -- reading ----------------------------------------------------------------------------------
    @property
    def document_id(self) -> int | None:
        return None if self.document is None else self.document.id

    def spans_at(self, index: int) -> list[Span]:
        """The spans covering `index`, innermost first."""
        return sorted((s for s in self.spans if s.covers(index)), key=lambda s: (s.end - s.start, s.start))

    def spans_over(self, start: int, end: int) -> list[Span]:
        """The spans holding the whole selection [start, end), or the caret when it is empty; innermost first."""
        if start == end:
            return self.spans_at(start)
        return sorted((s for s in self.spans if s.start <= start and s.end >= end),
                      key=lambda s: (s.end - s.start, s.start))

    def span(self, span_id: int) -> Span | None:
        return next((s for s in self.spans if s.id == span_id), None)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.labels.names(), 0)
        for s in self.spans:
            counts[s.label] = counts.get(s.label, 0) + 1
        return counts

    def neighbour_span(self, start: int, end: int, *, forward: bool) -> Span | None:
        """The span after (or before) the selection [start, end) in reading order; nested ones included."""
        if not self.spans:
            return None
        keys = [_order(s) for s in self.spans]
        selected = [i for i, s in enumerate(self.spans) if s.start == start and s.end == end]
        if forward:
            i = selected[-1] + 1 if selected else bisect.bisect_left(keys, (start, -(10**12), 0))
            return self.spans[i] if i < len(self.spans) else None
        i = selected[0] - 1 if selected else bisect.bisect_left(keys, (start, -(10**12), 0)) - 1
        return self.spans[i] if i >= 0 else None

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
        self.spans = sorted(spans, key=_order)
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

        Returns the range now meant (to select it), or None when there was nothing to tag.
        """
        doc = self.document
        if doc is None or label not in self.labels:
            return None
        if start == end:  # a caret inside a span of this label: the key takes it away again
            inside = [s for s in self.spans_at(start) if s.label == label]
            if inside:
                self.undo_stack.push(RemoveSpan(self, doc.id, inside[0]))
                return inside[0].start, inside[0].end
        with self._reporting():
            snapped = self.annotations.snapped(doc, start, end)
            if snapped is None:
                self.notice_posted.emit("nothing to tag here: the selection holds only spaces")
                return None
            existing = next((s for s in self.spans if (s.start, s.end, s.label) == (*snapped, label)), None)
            if existing is not None:
                self.undo_stack.push(RemoveSpan(self, doc.id, existing))
            else:
                self.undo_stack.push(AddSpan(self, doc.id, label, *snapped))
            return snapped
        return None

    def remove(self, span_id: int) -> None:
        span = self.span(span_id)
        if span is not None and self.document is not None:
            self.undo_stack.push(RemoveSpan(self, self.document.id, span))

    def relabel(self, span_id: int, label: str) -> None:
        span = self.span(span_id)
        if span is not None and self.document is not None and span.label != label:
            self.undo_stack.push(Relabel(self, self.document.id, span_id, label))

    # -- told by the commands, after the database changed -----------------------------------------
    def span_added(self, document_id: int, span: Span, changes: Changes) -> None:
        if document_id == self.document_id:
            bisect.insort(self.spans, span, key=_order)
        self.changes_made.emit(changes)

    def span_removed(self, document_id: int, span_id: int, changes: Changes) -> None:
        if document_id == self.document_id:
            self.spans = [s for s in self.spans if s.id != span_id]
        self.changes_made.emit(changes)

    def span_relabelled(self, document_id: int, span_id: int, label: str, changes: Changes) -> None:
        if document_id == self.document_id:
            self.spans = [Span(s.start, s.end, label, s.id, s.annotator) if s.id == span_id else s
                          for s in self.spans]
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
