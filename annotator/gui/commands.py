"""Undo commands. Each one changes the database through the services, in redo() and in undo().

A command whose service call fails (the span was changed elsewhere, the database is locked) reports
the error and marks itself obsolete, so the stack drops it instead of holding a step that lies. Each
step hands the service the span as it knows it (document, label, offsets, owner): the service refuses
to remove or relabel a row that is no longer that span, and the window then re-reads what is stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from annotator.domain.spans import Span
from annotator.errors import AnnotatorError, SpanChangedError

if TYPE_CHECKING:
    from annotator.gui.session import DocumentSession


class _SpanCommand(QUndoCommand):
    def __init__(self, session: DocumentSession, text: str) -> None:
        super().__init__(text)
        self.session = session

    def _fail(self, error: AnnotatorError) -> None:
        self.setObsolete(True)
        if isinstance(error, SpanChangedError):
            self.session.reload_spans()  # show what the database holds, not the span that is gone
        self.session.report(error)


class AddSpan(_SpanCommand):
    def __init__(self, session: DocumentSession, document_id: int, label: str, start: int, end: int) -> None:
        super().__init__(session, f"tag {label}")
        self.document_id = document_id
        self.label = label
        self.start = start
        self.end = end
        self.span_id: int | None = None  # kept after the first redo: a redo re-creates the same span

    def redo(self) -> None:
        try:
            span, changes = self.session.annotations.add_span(self.document_id, self.label, self.start, self.end,
                                                              span_id=self.span_id)
        except AnnotatorError as e:
            self._fail(e)
            return
        self.span_id = span.id
        self.session.span_added(self.document_id, span, changes)

    def undo(self) -> None:
        assert self.span_id is not None
        mine = Span(self.start, self.end, self.label, self.span_id, self.session.annotations.annotator)
        try:
            _span, document_id, changes = self.session.annotations.remove_span(self.span_id, expected=mine,
                                                                                document_id=self.document_id)
        except AnnotatorError as e:
            self._fail(e)
            return
        self.session.span_removed(document_id, self.span_id, changes)


class RemoveSpan(_SpanCommand):
    def __init__(self, session: DocumentSession, document_id: int, span: Span) -> None:
        super().__init__(session, f"remove {span.label}")
        assert span.id is not None
        self.document_id = document_id
        self.span = span

    def redo(self) -> None:
        assert self.span.id is not None
        try:
            self.span, document_id, changes = self.session.annotations.remove_span(
                self.span.id, expected=self.span, document_id=self.document_id)
        except AnnotatorError as e:
            self._fail(e)
            return
        self.session.span_removed(document_id, self.span.id, changes)

    def undo(self) -> None:
        try:
            span, changes = self.session.annotations.add_span(self.document_id, self.span.label, self.span.start,
                                                              self.span.end, span_id=self.span.id)
        except AnnotatorError as e:
            self._fail(e)
            return
        self.session.span_added(self.document_id, span, changes)


class Relabel(_SpanCommand):
    def __init__(self, session: DocumentSession, document_id: int, span: Span, label: str) -> None:
        super().__init__(session, f"relabel as {label}")
        assert span.id is not None
        self.document_id = document_id
        self.span = span  # as it was before the first redo: its label is the one undo gives back
        self.label = label

    def _set(self, label: str, from_label: str) -> None:
        assert self.span.id is not None
        now = Span(self.span.start, self.span.end, from_label, self.span.id, self.span.annotator)
        try:
            _old, changes = self.session.annotations.relabel(self.span.id, label, expected=now,
                                                             document_id=self.document_id)
        except AnnotatorError as e:
            self._fail(e)
            return
        self.session.span_relabelled(self.document_id, self.span.id, label, changes)

    def redo(self) -> None:
        self._set(self.label, self.span.label)

    def undo(self) -> None:
        self._set(self.span.label, self.label)
