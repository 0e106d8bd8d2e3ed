"""A document's undo stack rebuilt from the change journal when the window opens it for the first time (after a
restart, or once its history was dropped past the bound): each step the journal holds becomes the command the
window would have pushed, already saved, so that Ctrl+Z takes it back as it would have (ADR 0015); a compound
step (one transaction of several changes) becomes a compound command again.

A rebuilt step knows the span as the journal recorded it; when another window or program has changed that span
since, its undo is refused ([A091]) and dropped as any other step's would be (annotator.gui.commands).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoStack

from annotator.domain.history import AddStep, CompoundStep, LinkStep, MoveStep, RelabelStep, RemoveStep, Step
from annotator.errors import AnnotatorError
from annotator.gui.commands import (
    AddSpan,
    Link,
    MoveSpan,
    Relabel,
    RemoveSpan,
    SpanCommand,
    Unlink,
    push_saved,
)
from annotator.services.relations import RemovedSpan

if TYPE_CHECKING:
    from annotator.gui.session import DocumentSession

StepMaker = Callable[[int, Step], SpanCommand | None]  # (document id, step) -> its command, None: not here


def command_for(session: DocumentSession, document_id: int, step: Step) -> SpanCommand | None:
    """The command of a span or link step; None for a step another part of the window makes (a decision)."""
    if isinstance(step, AddStep):
        added = AddSpan(session, document_id, step.span.label, step.span.start, step.span.end)
        added.span_id = step.span.id
        return added
    if isinstance(step, RemoveStep):
        removal = RemoveSpan(session, document_id, step.span)
        if step.relations or step.attrs is not None:
            removal.removed = RemovedSpan(document_id, step.span, step.relations, step.attrs)
        return removal
    if isinstance(step, RelabelStep):
        return Relabel(session, document_id, step.span, step.label)
    if isinstance(step, MoveStep):  # a figure's reading stays as the database holds it
        return MoveSpan(session, document_id, step.span, step.start, step.end)
    if isinstance(step, LinkStep):
        if step.removed:
            return Unlink(session, document_id, step.relation)
        return Link(session, document_id, step.relation, origin=step.origin)
    return None


def rebuild(session: DocumentSession, document_id: int, stack: QUndoStack, makers: list[StepMaker]) -> None:
    """Push the journal's steps for the document on its new, empty stack, oldest first; a step no maker knows
    ends the history there (the steps before it are dropped: they could not be undone past it)."""
    try:
        steps = session.annotations.history(document_id)
    except AnnotatorError as e:
        session.notice_posted.emit(f"undo history not restored: {e}")
        return
    for step in steps:
        parts = step.parts if isinstance(step, CompoundStep) else (step,)
        commands = [next((c for c in (make(document_id, part) for make in makers) if c is not None), None)
                    for part in parts]
        known = [c for c in commands if c is not None]
        if len(known) < len(commands):
            stack.clear()
            continue
        for command in known:
            command._written = _saved_already  # its redo() only shows what the database already holds: nothing
        push_saved(stack, known, step.text if isinstance(step, CompoundStep) else "")


def _saved_already() -> None:
    return None
