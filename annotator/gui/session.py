"""The document being annotated: its text, offset map, spans and undo history; no widgets.

Views read from it and hear about it through signals; changes go through undo commands, which call
the services and then tell the session what the database now holds. Each document keeps its own undo stack
(in one QUndoGroup whose active stack is the shown document's), so that going to another document and back
keeps what Ctrl+Z can take back, and an undo never reaches a document that is not shown.
"""

from __future__ import annotations

import functools
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoGroup, QUndoStack

from annotator import collector
from annotator.domain.documents import Changes, Document, Status
from annotator.domain.labels import LabelSet
from annotator.domain.layers import Layer, Owner
from annotator.domain.span_index import SpanIndex
from annotator.domain.spans import Span
from annotator.errors import AnnotatorError, DatabaseLockedError, SpanChangedError
from annotator.gui.commands import (
    AddSpan,
    MoveSpan,
    Relabel,
    RemoveSpan,
    SpanCommand,
    Unlink,
    parts_of,
    push_saved,
    write_step,
)
from annotator.gui.gate import ForegroundGate
from annotator.gui.history import StepMaker, command_for, rebuild
from annotator.gui.link_state import LinkState
from annotator.gui.offsets import OffsetMap
from annotator.services.annotation import Annotations
from annotator.services.relations import RemovedSpan

MAX_SECONDS_PER_VISIT = 3600.0  # a window left open overnight does not count as a night of work
# Memory stays bounded: the undo histories of the last UNDO_DOCUMENTS documents opened are kept (the oldest is
# dropped first), each holding at most UNDO_STEPS steps (its oldest steps go first).
UNDO_DOCUMENTS = 50
UNDO_STEPS = 1000
PAINT_FALLBACK_MS = 300  # the worker waits this long after an open for the article's paint, in case none comes


class LayerEditor(Protocol):
    """Edits a layer other than the annotator's own (gold, in review mode): the session hands it the edits."""

    def toggle_label(self, label: str, start: int, end: int) -> tuple[int, int] | None: ...

    def remove(self, span_id: int) -> None: ...

    def relabel(self, span_id: int, label: str) -> None: ...


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
        self.index = SpanIndex()  # the annotator's own layer of the open document: the one that is edited
        self.layers: dict[Owner, SpanIndex] = {}  # its read-only layers (gold, other people, models)
        self.hidden: frozenset[Owner] = frozenset()  # read-only layers the annotator chose not to see
        # The layer `index` holds when it is not the annotator's own (gold in review mode), and what edits it.
        self.editing: Owner | None = None
        self.editor: LayerEditor | None = None
        self.offsets = OffsetMap("")
        self.undo_group = QUndoGroup(self)  # its active stack is the shown document's; the Edit menu follows it
        # by (document id, edited layer), least recently opened first: review steps never mix with one's own
        self._histories: OrderedDict[tuple[int, Owner | None], QUndoStack] = OrderedDict()
        self._no_history = QUndoStack(self)  # stands in while no document is open; nothing is ever pushed on it
        self._opened_at = time.monotonic()
        self._unsaved_seconds: dict[int, float] = {}  # time spent that a busy database could not take yet
        self.links = LinkState(self)  # the open document's links, figure readings and proposed links
        # What turns a step of the change journal into a command, for a history rebuilt after a restart; the
        # suggestion desk adds the one for decisions.
        self.step_makers: list[StepMaker] = [functools.partial(command_for, self)]
        # Held by an open until the article is painted: the window's worker waits at its pause points (ADR 0016).
        self.gate = ForegroundGate()
        self._painting: int | None = None  # the hold that the article's next paint releases

    # -- reading ----------------------------------------------------------------------------------
    @property
    def document_id(self) -> int | None:
        return None if self.document is None else self.document.id

    @property
    def undo_stack(self) -> QUndoStack:
        """The shown document's undo history: the only one that undo and redo act on."""
        return self.undo_group.activeStack() or self._no_history

    def histories(self) -> dict[int, QUndoStack]:
        """Every kept undo history by document id, least recently opened first."""
        return {document_id: stack for (document_id, editing), stack in self._histories.items() if editing is None}

    @property
    def spans(self) -> list[Span]:
        """The annotator's own spans in reading order (a copy; the index is the one kept)."""
        return list(self.index)

    def spans_at(self, index: int) -> list[Span]:
        """The annotator's spans covering `index`, innermost first."""
        return self.index.at(index)

    def spans_over(self, start: int, end: int) -> list[Span]:
        """The annotator's spans holding the whole selection [start, end), or the caret; innermost first."""
        return self.index.over(start, end)

    def overlapping(self, start: int, end: int) -> list[Span]:
        """The annotator's spans sharing at least one character with [start, end), in reading order."""
        return self.index.overlapping(start, end)

    def span(self, span_id: int) -> Span | None:
        return self.index.get(span_id)

    def counts(self) -> dict[str, int]:
        counts = self.index.counts()
        return {name: counts.get(name, 0) for name in self.labels.names()}

    def neighbour_span(self, start: int, end: int, *, forward: bool) -> Span | None:
        """The annotator's span after (or before) the selection [start, end) in reading order."""
        return self.index.neighbour(start, end, forward=forward)

    # -- read-only layers -------------------------------------------------------------------------
    def shown_layers(self) -> dict[Owner, SpanIndex]:
        """The read-only layers of the open document that are not hidden, gold first, then people, then models."""
        return {owner: index for owner, index in self.layers.items() if owner not in self.hidden}

    def set_hidden(self, hidden: Iterable[Owner]) -> None:
        self.hidden = frozenset(hidden)

    def read_only_over(self, start: int, end: int) -> list[tuple[Owner, Span]]:
        """The shown read-only spans holding the selection (or the caret), innermost first: what a key that
        accepts a suggestion or takes a span into gold would act on."""
        found = [(owner, s) for owner, index in self.shown_layers().items() for s in index.over(start, end)]
        return sorted(found, key=lambda pair: (pair[1].end - pair[1].start, pair[1].start))

    def reload_labels(self) -> None:
        """Read the label set again, and every layer's spans, which a renamed or deleted label changes too."""
        with self._reporting():
            labels = self.annotations.labels()
            layers = self.annotations.layers(self.document.id) if self.document is not None else {}
            gone = set(self.labels.names()) - set(labels.names())
            if gone:
                self._forget_steps_naming(gone)
            self.labels = labels
            own, self.layers = _split(layers, self.editing)
            self.index.reset(own, ordered=True)  # in place: the views that show it follow
            self.links.load(self.document_id)

    def reload_spans(self) -> None:
        """Read this document's spans again: an undo step found its span changed by someone else."""
        if self.document is None:
            return
        with self._reporting():
            before = {s.id: s for s in self.index}
            own = (self.annotations.spans(self.document.id) if self.editing is None
                   else _split(self.annotations.layers(self.document.id), self.editing)[0])
            self.index.reset(own, ordered=True)
            self.links.load(self.document.id)
            after = {s.id: s for s in self.index}
            gone = tuple(i for i, span in before.items() if i is not None and after.get(i) != span)
            new = tuple(i for i, span in after.items() if i is not None and before.get(i) != span)
            self.changes_made.emit(Changes(documents=frozenset({self.document.id}), spans_added=new,
                                           spans_removed=gone))

    # -- opening and moving -----------------------------------------------------------------------
    def open_document(self, document_id: int) -> bool:
        """Open the document; the window's worker gives way (the foreground gate) until the article is painted."""
        hold = self.gate.hold()
        opened = False
        try:
            with collector.paused():  # a long article's spans are tens of thousands of tuples, and no cycle
                opened = self._open(document_id)
            return opened
        finally:
            if opened:  # released by the article's next paint, else by the timer (a window minimised, not shown)
                self._painting = hold
                QTimer.singleShot(PAINT_FALLBACK_MS, self, functools.partial(self.gate.release, hold))
            else:
                self.gate.release(hold)

    def painted(self) -> None:
        """The article was painted (told by its view): a worker held back by the open goes on."""
        if self._painting is not None:
            self.gate.release(self._painting)
            self._painting = None

    def _open(self, document_id: int) -> bool:
        try:
            doc, layers = self.annotations.opened(document_id)
            self.leave()
        except AnnotatorError as e:
            self.report(e)
            return False
        self.document = doc
        # New indexes, not the old ones refilled: the views take them with the new text (document_opened).
        own, self.layers = _split(layers, self.editing)
        self.index = SpanIndex(own, ordered=True)
        self.offsets = OffsetMap(doc.text)
        with self._reporting():
            self.links.load(doc.id)
        self._show_history(doc.id)
        self._opened_at = time.monotonic()
        self.document_opened.emit(doc)
        return True

    def set_editing(self, owner: Owner | None, editor: LayerEditor | None = None) -> None:
        """Edit `owner`'s layer through `editor` (gold in review mode), or one's own again (None): the open
        document's layers are split anew, in place, and its history for that layer becomes the active one."""
        self.editing, self.editor = owner, editor
        if self.document is not None:
            with self._reporting():
                own, self.layers = _split(self.annotations.layers(self.document.id), owner)
                self.index.reset(own, ordered=True)
            self._show_history(self.document.id)

    def _show_history(self, document_id: int) -> None:
        """Make `document_id`'s undo stack the active one (a new one the first time); drop the oldest past the bound."""
        key = (document_id, self.editing)
        stack = self._histories.pop(key, None)
        if stack is None:
            stack = QUndoStack(self)
            stack.setUndoLimit(UNDO_STEPS)
            self.undo_group.addStack(stack)
            if self.editing is None:  # one's own layer: what the journal held before this window (ADR 0015)
                rebuild(self, document_id, stack, self.step_makers)
        self._histories[key] = stack
        self.undo_group.setActiveStack(stack)
        while len(self._histories) > UNDO_DOCUMENTS:
            _id, oldest = self._histories.popitem(last=False)
            self.undo_group.removeStack(oldest)
            oldest.deleteLater()  # with its commands

    def _forget_steps_naming(self, gone: set[str]) -> None:
        """Clear every kept history that holds a step naming a label that was renamed or deleted; others stay."""
        for stack in self._histories.values():
            if any(part.names() & gone for i in range(stack.count()) for part in parts_of(stack.command(i))):
                stack.clear()

    def leave(self) -> None:
        """Add the time spent to the document's status (called when moving on and on closing)."""
        if self.document is None:
            return
        seconds = min(time.monotonic() - self._opened_at, MAX_SECONDS_PER_VISIT)
        self._opened_at = time.monotonic()
        document_id = self.document.id
        seconds += self._unsaved_seconds.pop(document_id, 0.0)
        try:
            self.changes_made.emit(self.annotations.add_time(document_id, seconds))
        except DatabaseLockedError:
            # The time spent is a record, not the annotator's work: another program's write lock must not keep
            # them from reading the next article. It is added the next time this document is left.
            self._unsaved_seconds[document_id] = seconds
            self.notice_posted.emit("database busy: the time spent on that document is noted for later")

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
        if self.editor is not None:
            return self.editor.toggle_label(label, start, end)
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
        if self.editor is not None:
            self.editor.remove(span_id)
            return
        span = self.span(span_id)
        if span is not None and self.document is not None:
            self._push(RemoveSpan(self, self.document.id, span))

    def relabel(self, span_id: int, label: str) -> None:
        if self.editor is not None:
            self.editor.relabel(span_id, label)
            return
        span = self.span(span_id)
        if span is not None and self.document is not None and span.label != label:
            unlinks, relabel = self._relabel_parts(self.document.id, span, label)
            if self._push(*unlinks, relabel, text=f"relabel as {label}"):
                self._say_unlinked(len(unlinks))

    def move(self, span_id: int, start: int, end: int) -> bool:
        """Move one of the annotator's spans to [start, end) as one undo step (an edge key); True when it moved."""
        span = self.span(span_id)
        if span is None or self.document is None or self.editor is not None or (span.start, span.end) == (start, end):
            return False
        self._push(MoveSpan(self, self.document.id, span, start, end, self.links.readings_moved(span, start, end)))
        moved = self.span(span_id)
        return moved is not None and (moved.start, moved.end) == (start, end)

    def change_spans(self, text: str, *, remove: Iterable[int] = (), relabel: Mapping[int, str] | None = None,
                     add: Iterable[tuple[str, int, int]] = ()) -> None:
        """Several changes to this document's spans as ONE undo step called `text`, taken or refused whole.

        Removals are written first, then relabels, then additions (exact offsets, as given), so that a span can
        take the place of one of the same label that it overlaps. Span ids not in this document are left out.
        """
        doc = self.document
        if doc is None or self.editor is not None:  # one's own spans only, never the layer under review
            return
        parts: list[SpanCommand] = [RemoveSpan(self, doc.id, span) for span in map(self.span, remove) if span]
        unlinked = 0
        for span_id, label in (relabel or {}).items():
            span = self.span(span_id)
            if span is not None and span.label != label:
                unlinks, relabelled = self._relabel_parts(doc.id, span, label)
                parts.extend([*unlinks, relabelled])
                unlinked += len(unlinks)
        parts.extend(AddSpan(self, doc.id, label, start, end) for label, start, end in add)
        if parts and self._push(*parts, text=text):
            self._say_unlinked(unlinked)

    def _relabel_parts(self, document_id: int, span: Span, label: str) -> tuple[list[SpanCommand], Relabel]:
        """A relabel and, before it, the removal of the span's links that its new label no longer fits (a
        SOURCE linked as said_by, relabelled LOCATION, is no one's source): pushed as one step, whose undo
        gives the label back first and then the links."""
        unlinks: list[SpanCommand] = [Unlink(self, document_id, r) for r in self.links.misfits(span, label)]
        return unlinks, Relabel(self, document_id, span, label)

    def _say_unlinked(self, count: int) -> None:
        if count:
            self.notice_posted.emit(f"{count} link{'s' if count != 1 else ''} removed: the new label does not "
                                    f"fit {'their' if count != 1 else 'its'} relation type (Ctrl+Z brings "
                                    f"{'them' if count != 1 else 'it'} back)")

    def push(self, *parts: SpanCommand, text: str = "") -> bool:
        """One step made outside the session (a link, a decision on suggestions) on the open document's undo
        stack, saved first as a key press is (see _push); False when it was not saved."""
        return self._push(*parts, text=text)

    def reporting(self) -> _Reporting:
        """A block whose AnnotatorError is reported (a message), not raised."""
        return self._reporting()

    def _push(self, *parts: SpanCommand, text: str = "") -> bool:
        """Save the change, then push it; several parts go on as one compound step (a macro) called `text`.

        A busy database or a refusal leaves the stack (and its redo steps) as it was, and returns False.
        """
        try:
            write_step(parts, undo=False)
        except AnnotatorError as e:
            self._refused(e, compound=len(parts) > 1)
            return False
        push_saved(self.undo_stack, parts, text)
        return True

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
        parts = parts_of(command)
        refused: AnnotatorError | None = None
        try:
            write_step(parts, undo=undo)
        except DatabaseLockedError as e:
            self._refused(e, compound=len(parts) > 1)
            return
        except AnnotatorError as e:
            refused = e
            command.setObsolete(True)  # the stack drops a step that would lie, without running it
        if undo:
            stack.undo()
        else:
            stack.redo()
        if refused is not None:
            self._refused(refused, compound=len(parts) > 1)

    def _refused(self, error: AnnotatorError, *, compound: bool) -> None:
        if isinstance(error, SpanChangedError) or compound:
            self.reload_spans()  # show what the database holds (a link or span changed elsewhere may have refused it)
        self.report(error)

    # -- told by the commands, after the database changed -----------------------------------------
    def span_added(self, document_id: int, span: Span, changes: Changes) -> None:
        if document_id == self.document_id and span.id is not None:
            self.index.add(span)
            self.links.span_added(span)
        self.changes_made.emit(changes)

    def span_restored(self, removed: RemovedSpan, changes: Changes) -> None:
        """A removed span is back with its links and attributes (the undo of a removal)."""
        if removed.document_id == self.document_id:
            self.index.add(removed.span)
            self.links.span_restored(removed)
        self.changes_made.emit(changes)

    def span_removed(self, document_id: int, span_id: int, changes: Changes) -> None:
        if document_id == self.document_id:
            self.index.remove(span_id)
            self.links.span_removed(span_id)
        self.changes_made.emit(changes)

    def span_relabelled(self, document_id: int, span_id: int, label: str, changes: Changes) -> None:
        old = self.index.get(span_id) if document_id == self.document_id else None
        if old is not None:
            self.index.replace(old._replace(label=label))
            self.links.span_relabelled(span_id, label)
        self.changes_made.emit(changes)

    def span_moved(self, document_id: int, span: Span, changes: Changes, attrs: dict[str, Any] | None = None) -> None:
        """A span's edges moved (its figure reading now `attrs`, when that changed too)."""
        if document_id == self.document_id and span.id is not None and self.index.replace(span) is not None:
            self.links.span_moved(span, attrs)
        self.changes_made.emit(changes)

    def _reporting(self) -> _Reporting:
        return _Reporting(self.report)


def _split(layers: Mapping[Layer, list[Span]], editing: Owner | None = None) -> tuple[list[Span], dict[Owner, SpanIndex]]:
    """The edited layer's spans (the editable one, or `editing`'s), and an index for each of the others; the
    layers' spans come in reading order (Annotations.layers)."""
    def edited(layer: Layer) -> bool:
        return layer.editable if editing is None else layer.owner == editing

    own = next((spans for layer, spans in layers.items() if edited(layer)), [])
    return own, {layer.owner: SpanIndex(spans, ordered=True) for layer, spans in layers.items() if not edited(layer)}


class _Reporting:
    def __init__(self, report: Callable[[AnnotatorError], None]) -> None:
        self._report = report

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 _tb: TracebackType | None) -> bool:
        if isinstance(error, AnnotatorError):
            self._report(error)
            return True
        return False
