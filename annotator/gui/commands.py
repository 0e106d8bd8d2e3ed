"""Undo commands. Each one changes the database through the services, in redo() and in undo().

A step whose service call fails (the span was changed elsewhere) is reported and marked obsolete, so the
stack drops it instead of holding a step that lies. Each step hands the service the span
as it knows it (document, label, offsets, owner): the service refuses to remove or relabel a row that is no
longer that span, and the window then re-reads what is stored. A locked database is different: the step is
still right, only not possible now. So the session writes an undo or redo first (`write_step`) and moves the
stack only once that is saved; when the database is busy the stack stays where it was, to be pressed again.

An edit that changes several spans is one compound step: a parent QUndoCommand with the span commands as its
children (Orange canvas's form), made by the stack's beginMacro()/push()/endMacro() so that one Ctrl+Z takes the
whole edit back. Not QUndoCommand(text, parent): PySide6 (6.11) leaves such a child owned by Python, and when
the stack deletes the parent the child is freed twice (a segfault at the next garbage collection); a command
pushed on the stack is handed to Qt. `write_step` saves the parts of a step in order (an undo in reverse) in one
transaction: when one is refused or the database is busy, none is saved, and the step is taken whole or not at
all, after a restart too (the change journal groups its rows by transaction).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand, QUndoStack

from annotator.domain.relations import Relation
from annotator.domain.spans import Span
from annotator.errors import AnnotatorError, SpanChangedError

if TYPE_CHECKING:
    from annotator.gui.session import DocumentSession
    from annotator.services.relations import RemovedSpan

Show = Callable[[], None]  # tells the session what the database now holds
Attrs = dict[str, Any]  # a span's attributes (a figure's reading)


class SpanCommand(QUndoCommand):
    def __init__(self, session: DocumentSession, text: str) -> None:
        super().__init__(text)
        self.session = session
        self._written: Show | None = None  # a change already saved by write_step(), for the next undo()/redo() to show

    def names(self) -> frozenset[str]:
        """The labels this step names: a label renamed or deleted since makes the step a lie."""
        raise NotImplementedError

    def redo(self) -> None:
        self._run(self._write_redo)

    def undo(self) -> None:
        self._run(self._write_undo)

    def _run(self, write: Callable[[], Show]) -> None:
        show, self._written = self._written, None
        if show is None:  # not saved by write_step first (the stack's own undo()): save now
            try:
                show = write()
            except AnnotatorError as e:
                self._fail(e)
                return
        show()

    def _write_redo(self) -> Show:
        raise NotImplementedError

    def _write_undo(self) -> Show:
        raise NotImplementedError

    def _fail(self, error: AnnotatorError) -> None:
        self.setObsolete(True)
        if isinstance(error, SpanChangedError):
            self.session.reload_spans()  # show what the database holds, not the span that is gone
        self.session.report(error)


class AddSpan(SpanCommand):
    def __init__(self, session: DocumentSession, document_id: int, label: str, start: int, end: int) -> None:
        super().__init__(session, f"tag {label}")
        self.document_id = document_id
        self.label = label
        self.start = start
        self.end = end
        self.span_id: int | None = None  # kept after the first redo: a redo re-creates the same span

    def names(self) -> frozenset[str]:
        return frozenset({self.label})

    def _write_redo(self) -> Show:
        span, changes = self.session.links.add_span(self.document_id, self.label, self.start, self.end,
                                                    span_id=self.span_id)
        self.span_id = span.id
        return lambda: self.session.span_added(self.document_id, span, changes)

    def _write_undo(self) -> Show:
        span_id = self.span_id
        assert span_id is not None
        mine = Span(self.start, self.end, self.label, span_id, self.session.annotations.annotator)
        _span, document_id, changes = self.session.annotations.remove_span(span_id, expected=mine,
                                                                            document_id=self.document_id)
        return lambda: self.session.span_removed(document_id, span_id, changes)


class RemoveSpan(SpanCommand):
    """Removes a span; one with links or attributes goes with them, and its undo brings all of it back."""

    def __init__(self, session: DocumentSession, document_id: int, span: Span) -> None:
        super().__init__(session, f"remove {span.label}")
        assert span.id is not None
        self.document_id = document_id
        self.span = span
        self.removed: RemovedSpan | None = None  # what the removal took along (links, attributes), to restore

    def names(self) -> frozenset[str]:
        return frozenset({self.span.label})

    def _write_redo(self) -> Show:
        span_id = self.span.id
        assert span_id is not None
        links = self.session.links
        if links.carries(span_id):
            removed, changes = links.frames.remove_span(span_id, expected=self.span, document_id=self.document_id)
            self.removed, self.span = removed, removed.span
            return lambda: self.session.span_removed(removed.document_id, span_id, changes)
        # A span with no links and no attributes takes the one-statement path of a key press (docs/adr/0006).
        self.removed = None
        self.span, document_id, changes = self.session.annotations.remove_span(
            span_id, expected=self.span, document_id=self.document_id)
        return lambda: self.session.span_removed(document_id, span_id, changes)

    def _write_undo(self) -> Show:
        removed = self.removed
        if removed is not None:
            changes = self.session.links.frames.restore(removed)
            return lambda: self.session.span_restored(removed, changes)
        span, changes = self.session.annotations.add_span(self.document_id, self.span.label, self.span.start,
                                                          self.span.end, span_id=self.span.id)
        return lambda: self.session.span_added(self.document_id, span, changes)


class Relabel(SpanCommand):
    def __init__(self, session: DocumentSession, document_id: int, span: Span, label: str) -> None:
        super().__init__(session, f"relabel as {label}")
        assert span.id is not None
        self.document_id = document_id
        self.span = span  # as it was before the first redo: its label is the one undo gives back
        self.label = label

    def names(self) -> frozenset[str]:
        return frozenset({self.span.label, self.label})

    def _set(self, label: str, from_label: str) -> Show:
        span_id = self.span.id
        assert span_id is not None
        now = Span(self.span.start, self.span.end, from_label, span_id, self.span.annotator)
        _old, changes = self.session.annotations.relabel(span_id, label, expected=now, document_id=self.document_id)
        return lambda: self.session.span_relabelled(self.document_id, span_id, label, changes)

    def _write_redo(self) -> Show:
        return self._set(self.label, self.span.label)

    def _write_undo(self) -> Show:
        return self._set(self.span.label, self.label)


class MoveSpan(SpanCommand):
    """Moves a span's edges to [start, end) (an edge key); undo moves them back. The same row, so its links stay
    with it; a figure's reading made from its text (`readings`: before, after) follows the text."""

    def __init__(self, session: DocumentSession, document_id: int, span: Span, start: int, end: int,
                 readings: tuple[Attrs, Attrs] | None = None) -> None:
        super().__init__(session, f"move {span.label}")
        assert span.id is not None
        self.document_id = document_id
        self.span = span  # as it was before the first redo: undo gives its offsets back
        self.start = start
        self.end = end
        self.readings = readings

    def names(self) -> frozenset[str]:
        return frozenset({self.span.label})

    def _move(self, now: Span, start: int, end: int, attrs: Attrs | None) -> Show:
        span_id = now.id
        assert span_id is not None
        span, changes = self.session.annotations.move_span(span_id, start, end, expected=now,
                                                           document_id=self.document_id, attrs=attrs)
        return lambda: self.session.span_moved(self.document_id, span, changes, attrs)

    def _write_redo(self) -> Show:
        return self._move(self.span, self.start, self.end, self.readings[1] if self.readings else None)

    def _write_undo(self) -> Show:
        return self._move(self.span._replace(start=self.start, end=self.end), self.span.start, self.span.end,
                          self.readings[0] if self.readings else None)


class Link(SpanCommand):
    """Links a claim to a span (or, as `Unlink`, takes a link away); the relation's type comes with it."""

    def __init__(self, session: DocumentSession, document_id: int, relation: Relation, *,
                 origin: str = "manual") -> None:
        super().__init__(session, f"link {relation.type}")
        self.document_id = document_id
        self.relation = relation  # with its id once stored: an undo removes that row, a redo brings that id back
        self.origin = origin

    def names(self) -> frozenset[str]:
        return frozenset({self.relation.head.label, self.relation.child.label})

    def _link(self) -> Show:
        head, child = self.relation.head, self.relation.child
        assert head.id is not None and child.id is not None
        relation, changes = self.session.links.frames.link(head.id, child.id, self.relation.type,
                                                           relation_id=self.relation.id, origin=self.origin)
        self.relation = relation
        return lambda: self.session.links.relation_added(self.document_id, relation, changes)

    def _unlink(self) -> Show:
        relation = self.relation
        changes = self.session.links.frames.unlink(relation)
        return lambda: self.session.links.relation_removed(self.document_id, relation, changes)

    def _write_redo(self) -> Show:
        return self._link()

    def _write_undo(self) -> Show:
        return self._unlink()


class Unlink(Link):
    def __init__(self, session: DocumentSession, document_id: int, relation: Relation) -> None:
        super().__init__(session, document_id, relation)
        self.setText(f"unlink {relation.type}")

    def _write_redo(self) -> Show:
        return self._unlink()

    def _write_undo(self) -> Show:
        return self._link()


def parts_of(command: QUndoCommand) -> list[SpanCommand]:
    """The span changes a step makes: the command itself, or the children of a compound step."""
    if isinstance(command, SpanCommand):
        return [command]
    children = (command.child(i) for i in range(command.childCount()))
    return [child for child in children if isinstance(child, SpanCommand)]


def write_step(parts: Sequence[SpanCommand], *, undo: bool) -> None:
    """Save a step's redo (or undo) now, all of its parts or none; the stack's redo()/undo() then only shows it.

    Parts are saved in order and undone in reverse, all in ONE transaction (`Workspace.together`): a refusal or
    a busy database rolls back the parts already written, so the stack can stay where it was (busy) or drop the
    step (refused), and the change journal holds the step as one, to come back whole after a restart (ADR 0015).
    A step of one part is its service call's own transaction (a key press: docs/adr/0006).
    """
    order = list(reversed(parts)) if undo else list(parts)

    def write() -> list[Show]:
        return [part._write_undo() if undo else part._write_redo() for part in order]

    shows = write() if len(order) == 1 else order[0].session.annotations.ws.together(write)
    for part, show in zip(order, shows, strict=True):
        part._written = show


def push_saved(stack: QUndoStack, parts: Sequence[SpanCommand], text: str) -> None:
    """Push a step whose parts are saved already (each holds what to show); several go on as one compound step."""
    if len(parts) == 1:
        stack.push(parts[0])
        return
    stack.beginMacro(text)
    for part in parts:
        stack.push(part)  # shows what was saved
    stack.endMacro()
