"""Suggestions in the window: the model layers of the open document as the person's suggestions, kept fresh by
the worker, decided by keys as undoable steps.

A model layer is shown less what the person rejected and less what they already have (annotator.domain.
suggestions.visible): filtered at once when a document opens (one small read), then replaced by the worker's
answer, which runs every source switched on in the Suggest menu (annotator.services.live_suggestions): the
built-in ones first (`rules` when its layer is empty, `occurrences` every time: the strings people tagged change
as they work), then `trained` (the project's latest model) and the pipelines a layer was filled from. Running a
source and tokenizing a long article take seconds, so none of it runs on the GUI thread. The worker gives way while
a document opens, and a run for a document the person has left ends at its next pause point, writing nothing more
(ADR 0016); a source that fails is named in the status bar and switched off for the session. A decision is one step
on the document's undo stack (a SpanCommand, so the session saves it before the stack moves, as it does every key
press).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence

from annotator.domain.documents import Changes
from annotator.domain.history import DecideStep, Step
from annotator.domain.layers import Owner, OwnerKind
from annotator.domain.span_index import SpanIndex, neighbour_across
from annotator.domain.spans import Span
from annotator.domain.suggestions import Decided, Suggestion, visible
from annotator.errors import AnnotatorError
from annotator.gui.commands import Show, SpanCommand
from annotator.gui.session import DocumentSession
from annotator.gui.tasks import AFTER_FIRST_PAINT_MS, Task, TaskRunner
from annotator.services.deciding import Suggestions
from annotator.services.live_suggestions import BUILT_IN, LiveRun, LiveSources, runnable
from annotator.services.trained_models import TRAINED
from annotator.services.workspace import Workspace

if TYPE_CHECKING:
    from annotator.gui.widgets.article_view import ArticleView

OFF_KEY = "suggest/sources_off"  # the sources the person switched off (JSON list)
FAILED_MS = 15_000  # a failed source's message stays long enough to be read
Act = Callable[[], tuple[Decided, Changes]]
Key = tuple[int, int, str]


class Decide(SpanCommand):
    """One decision on suggestions (accept, reject, accept all) as an undo step: the service does it the first
    time and replays it exactly after (annotator.services.deciding)."""

    def __init__(self, desk: SuggestionDesk, document_id: int, text: str, act: Act, labels: frozenset[str]) -> None:
        super().__init__(desk.session, text)
        self.desk = desk
        self.document_id = document_id
        self.act = act
        self.labels = labels
        self.decided: Decided | None = None
        self.removed: list[tuple[Owner, Span]] = []  # the ghosts it took away, for undo to put back
        self.rebuilt = False  # made from the change journal: it knows no ghosts, so its undo asks for them again

    def names(self) -> frozenset[str]:
        return self.labels

    def _write_redo(self) -> Show:
        if self.decided is None:
            self.decided, changes = self.act()
        else:
            changes = self.desk.service.redo(self.decided)
        decided = self.decided

        def show() -> None:
            self.removed = self.desk.shown_decided(decided, changes)

        return show

    def _write_undo(self) -> Show:
        decided = self.decided
        assert decided is not None
        changes = self.desk.service.undo(decided)

        def show() -> None:
            self.desk.shown_undone(decided, changes, self.removed)
            if self.rebuilt:
                self.desk.show_for(decided.document_id)

        return show


class SuggestionDesk(QObject):
    suggestions_changed = Signal()  # the shown suggestions changed: the article and the span panel redraw them

    def __init__(self, ws: Workspace, session: DocumentSession, runner: TaskRunner, settings: QSettings,
                 project: str, notice: Callable[..., None], parent: QObject | None = None) -> None:
        """`ws`: the window's workspace (short waits), for the worker too: a pooled connection then keeps one
        busy timeout, and a key press after the worker's turn sends no PRAGMA (ADR 0006)."""
        super().__init__(parent)
        annotations = session.annotations
        self.session = session
        self.service = Suggestions(ws, annotations.project_id, annotations.annotator)
        self._runner = runner
        self._settings = settings
        self._notice = notice
        self._generation = 0  # a worker's answer for a document left since is dropped
        self.waiting_for_paint = False  # the first run of the sources waits until the window has been painted
        self._failed: set[str] = set()  # sources that failed: off until the window closes or they are switched on
        self.live = LiveSources(ws, project)  # used on the worker only (tagged_changed excepted)
        session.step_makers.append(self._decision_step)

    # -- sources ---------------------------------------------------------------------------------
    def known_sources(self) -> list[str]:
        """The built-in sources, `trained` once the project has a model, then every layer a source filled."""
        try:
            stored = self.service.layer_names()
        except AnnotatorError:
            stored = []
        first = list(BUILT_IN) + ([TRAINED] if self.live.trained_folder() is not None else [])
        return first + sorted(set(stored) - set(first))

    def switched_off(self) -> frozenset[str]:
        """The sources switched off: by the person (remembered), or for this session after they failed."""
        try:
            names = json.loads(str(self._settings.value(OFF_KEY, "[]")))
        except ValueError:
            names = []
        chosen = frozenset(n for n in names if isinstance(n, str)) if isinstance(names, list) else frozenset()
        return chosen | self._failed

    def set_source(self, name: str, on: bool) -> None:
        self._failed.discard(name)  # switched on again by hand: it may work now (a package installed since)
        off = self.switched_off() - {name} if on else self.switched_off() | {name}
        self._settings.setValue(OFF_KEY, json.dumps(sorted(off - self._failed)))
        self._settings.sync()
        self.refresh()

    def enabled(self) -> list[str]:
        off = self.switched_off()
        return [name for name in self.known_sources() if name not in off]

    def refresh(self) -> None:
        """Show the open document's suggestions again (a source switched, a new model trained)."""
        if self.session.document_id is not None:
            self.show_for(self.session.document_id)

    def on_changes(self, changes: Changes) -> None:
        """Spans tagged or untagged (keys, undo, an import) change the strings `occurrences` looks for."""
        if changes.spans_added or changes.spans_removed:
            self.live.tagged_changed(changes.spans_added, changes.spans_removed)
        elif changes.documents_added or changes.labels:  # an import may bring spans: read them all again
            self.live.tagged_changed()

    def close(self) -> None:
        """The project closes: its trained model is let go (after the worker stopped)."""
        self.live.close()

    # -- loading ---------------------------------------------------------------------------------
    def show_for(self, document_id: int) -> None:
        """Show the stored suggestions of the document now (less the rejected ones), and ask the worker for fresh
        ones. Called as the document opens, before anything draws it."""
        sources = self.enabled()
        if not sources:  # every source switched off: no ghost to show, and no worker reading the article for nothing
            self._generation += 1  # an answer still coming for the document shown before is dropped
            self._set([])
            return
        try:
            rejected = self.service.decided(document_id)
        except AnnotatorError as e:
            self._notice(f"suggestions not shown: {e}")
            rejected = None
        layers = {owner.name: list(index) for owner, index in self.session.layers.items()
                  if owner.kind is OwnerKind.MODEL}
        self._set(visible(layers, rejected, self.session.index, sources) if rejected is not None else [])
        self._generation += 1
        generation = self._generation
        # The built-in sources first, on their own: their ghosts never wait for a model to load or run.
        quick = [name for name in sources if name in BUILT_IN]
        models = [name for name in sources if name not in BUILT_IN and runnable(name)]

        def refresh() -> None:
            self.waiting_for_paint = False
            if generation != self._generation:
                return  # another document opened meanwhile
            if quick or not models:
                self._refresh(document_id, quick, sources)
            if models:
                self._refresh(document_id, models, sources)

        if "spacy" in sys.modules or self.waiting_for_paint:
            refresh()
        else:  # the sources' first run imports spaCy (~0.7 s of the GIL): not while the window first paints
            self.waiting_for_paint = True
            QTimer.singleShot(AFTER_FIRST_PAINT_MS, refresh)

    def _refresh(self, document_id: int, run: list[str], shown: list[str]) -> None:
        generation = self._generation

        def current() -> bool:  # read on the worker: an int and a reference, no widget
            return generation == self._generation and self.session.document_id == document_id

        def work(_task: Task) -> tuple[LiveRun, list[Suggestion]] | None:
            if not current():
                return None  # left before its turn came: nothing to run for it
            gate = self.session.gate  # held while a document opens: the worker waits at each pause point
            done = self.live.run(document_id, run, current, pause=gate.wait)
            if done.left:
                return done, []
            gate.wait()
            return done, self.service.for_document(document_id, shown) if current() else []

        def finished(result: tuple[LiveRun, list[Suggestion]] | None) -> None:
            if result is None:
                return
            done, found = result
            for name, message in done.failed.items():
                self._failed.add(name)
                self._notice(f"Suggestions from {name} are off for this session: {message}", FAILED_MS)
            if current():
                if done.failed:  # what the failed source had stored before is not shown either
                    found = [s for s in found if s.source not in done.failed]
                self._set(found)
                for note in done.notes:
                    self._notice(note, FAILED_MS)

        self._runner.submit("suggest", work, on_done=finished,
                            on_error=lambda e: self._notice(f"suggestions not refreshed: {e}"))

    def _set(self, found: Sequence[Suggestion]) -> None:
        """Make `found` the open document's model layers (the other read-only layers stay as they are)."""
        layers = {owner: index for owner, index in self.session.layers.items() if owner.kind is not OwnerKind.MODEL}
        by_source: dict[str, list[Span]] = {}
        for s in found:
            by_source.setdefault(s.source, []).append(Span(s.start, s.end, s.label, s.id, s.source))
        for source, spans in by_source.items():
            layers[Owner.model(source)] = SpanIndex(spans)
        self.session.layers = layers
        self.suggestions_changed.emit()

    # -- reading what is shown --------------------------------------------------------------------
    def shown(self) -> list[Suggestion]:
        """The shown suggestions in reading order (outer before inner)."""
        found = [Suggestion(s.start, s.end, s.label, owner.name, s.id)
                 for owner, index in self.session.shown_layers().items() if owner.kind is OwnerKind.MODEL
                 for s in index]
        return sorted(found, key=lambda s: (s.start, -s.end, s.label))

    def at(self, start: int, end: int) -> Suggestion | None:
        """The suggestion the selection is (exactly), else the innermost one holding the caret or selection."""
        found = [Suggestion(s.start, s.end, s.label, owner.name, s.id)
                 for owner, s in self.session.read_only_over(start, end) if owner.kind is OwnerKind.MODEL]
        exact = [s for s in found if (s.start, s.end) == (start, end)]
        return (exact or found)[0] if found else None

    def neighbour(self, start: int, end: int, *, forward: bool) -> Suggestion | None:
        """The suggestion after (or before) the selection in reading order."""
        # One bisection a layer, not a sorted list of every shown suggestion: a 1 MB article shows 10,000s of them,
        # and this runs after every accept.
        models = {owner: index for owner, index in self.session.shown_layers().items() if owner.kind is OwnerKind.MODEL}
        found = neighbour_across(models, start, end, forward=forward)
        if found is None:
            return None
        owner, s = found
        return Suggestion(s.start, s.end, s.label, owner.name, s.id)

    # -- deciding (each an undo step) -------------------------------------------------------------
    def accept(self, suggestion: Suggestion, label: str | None = None, *, at: tuple[int, int] | None = None) -> bool:
        """Accept `suggestion` (under `label`; at the offsets `at` when an edge key moved it) as one undo step."""
        doc = self.session.document_id
        if doc is None:
            return False
        chosen = label or suggestion.label
        text = f"accept {chosen}" if chosen == suggestion.label else f"accept {suggestion.label} as {chosen}"
        return self._push(Decide(self, doc, text if at is None else f"{text}, moved",
                                 lambda: self.service.accept(doc, suggestion, label, at=at),
                                 frozenset({suggestion.label, chosen})))

    def reject(self, suggestion: Suggestion) -> bool:
        doc = self.session.document_id
        if doc is None:
            return False
        return self._push(Decide(self, doc, f"reject {suggestion.label}",
                                 lambda: self.service.reject(doc, suggestion), frozenset({suggestion.label})))

    def accept_all(self) -> int:
        doc = self.session.document_id
        if doc is None or not self.shown():
            return 0
        sources = [owner.name for owner in self.session.shown_layers() if owner.kind is OwnerKind.MODEL]
        command = Decide(self, doc, "accept every suggestion", lambda: self.service.accept_all(doc, sources),
                         frozenset(s.label for s in self.shown()))
        if not self._push(command) or command.decided is None:
            return 0
        return len(command.decided.added)

    def _decision_step(self, document_id: int, step: Step) -> Decide | None:
        """A decision of the change journal as the step it was (a history rebuilt after a restart, ADR 0015)."""
        if not isinstance(step, DecideStep):
            return None
        decided = step.decided
        command = Decide(self, document_id, step.text,
                         lambda: (decided, Changes(documents=frozenset({document_id}))), step.labels)
        command.decided, command.rebuilt = decided, True
        return command

    def _push(self, command: Decide) -> bool:
        before = self.session.undo_stack.count(), self.session.undo_stack.index()
        self.session.push(command)
        return (self.session.undo_stack.count(), self.session.undo_stack.index()) != before

    # -- told by the steps, after the database changed --------------------------------------------
    def shown_decided(self, decided: Decided, changes: Changes) -> list[tuple[Owner, Span]]:
        """Show the spans the decision added and take away the ghosts it settled (the same span and label,
        accepted or rejected); returns those ghosts."""
        removed: list[tuple[Owner, Span]] = []
        if decided.document_id == self.session.document_id:
            for added in decided.added:
                self.session.index.add(added.span)
            settled = {(c.start, c.end, c.label) for c in decided.decisions}
            for owner, index in self.session.layers.items():
                if owner.kind is OwnerKind.MODEL:  # looked up by offsets: a long article has 10,000s of ghosts
                    places = {(start, end) for start, end, _ in settled}
                    found = {s.id: s for start, end in places for s in index.over(start, end) if s.key() in settled}
                    for span in found.values():
                        if span.id is not None:
                            index.remove(span.id)
                            removed.append((owner, span))
        self.session.changes_made.emit(changes)
        self.suggestions_changed.emit()
        return removed

    def shown_undone(self, decided: Decided, changes: Changes, removed: list[tuple[Owner, Span]]) -> None:
        if decided.document_id == self.session.document_id:
            for span_id in decided.span_ids:
                self.session.index.remove(span_id)
            for owner, span in removed:
                index = self.session.layers.setdefault(owner, SpanIndex())
                if not any(s.key() == span.key() for s in index.over(span.start, span.end)):
                    index.add(span)
        self.session.changes_made.emit(changes)
        self.suggestions_changed.emit()


# Enter and Shift+Enter are read from the article's own key presses, not as shortcuts: Qt gives a line edit no
# chance to claim Return before a shortcut (it does for letters and Backspace), so a Return shortcut could take
# the Enter of a text box in a dialog whose window has not become active yet.
BY_KEY_PRESS = {"suggest.accept": Qt.KeyboardModifier.NoModifier, "suggest.accept_all": Qt.KeyboardModifier.ShiftModifier}


class SuggestionKeys(QObject):
    """The keys of suggestions, on the article's selection: Enter, Backspace/X, N, Shift+N, Shift+Enter and a
    label key on a suggestion. After a decision the next suggestion is selected, so Enter, Enter, X ... walks the
    document."""

    def __init__(self, desk: SuggestionDesk, article: ArticleView, notice: Callable[..., None]) -> None:
        super().__init__(desk)
        self.desk = desk
        self.article = article
        self.notice = notice
        self.enabled = True  # off in review mode, whose keys are the same ones

    def install(self, made: dict[str, QAction]) -> None:
        """Take Enter and Shift+Enter from the article's key presses; their menu items show the key."""
        for action_id in BY_KEY_PRESS:
            action = made[action_id]
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setShortcuts([])
            action.setText(f"{action.text()}\t{keys}")
        self.article.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.enabled and watched is self.article and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
                if modifiers == BY_KEY_PRESS["suggest.accept"]:
                    self.accept()
                    return True
                if modifiers == BY_KEY_PRESS["suggest.accept_all"]:
                    self.accept_all()
                    return True
        return False

    def handlers(self) -> dict[str, Callable[[], object]]:
        return {"suggest.accept": self.accept, "suggest.reject": self.reject, "suggest.accept_all": self.accept_all,
                "suggest.next": lambda: self.jump(forward=True), "suggest.previous": lambda: self.jump(forward=False)}

    def _target(self) -> Suggestion | None:
        """The suggestion at the caret (or the selection), else the next one."""
        start, end = self.article.selection()
        found = self.desk.at(start, end) or self.desk.neighbour(start, end, forward=True)
        if found is None:
            self.notice("no suggestion here or after it" + ("" if self.desk.shown() else " (none in this document)"))
        return found

    def accept(self) -> None:
        target = self._target()
        if target is not None and self.desk.accept(target):
            self._select_after(target)

    def reject(self) -> None:
        target = self._target()
        if target is not None and self.desk.reject(target):
            self._select_after(target)

    def accept_all(self) -> None:
        count = self.desk.accept_all()
        self.notice(f"{count} suggestion(s) accepted" if count else "no suggestion to accept: each one overlaps a "
                    "span of yours, or there is none")

    def with_label(self, label: str) -> bool:
        """A label key on a suggestion (selected whole, or an entity's caret inside one of the key's kind) accepts
        it under that label; False: the key tags as usual. A span of yours with that label at the caret wins."""
        if not self.enabled:  # review mode: label keys edit gold
            return False
        start, end = self.article.selection()
        session = self.desk.session
        found = self.desk.at(start, end)
        if found is None or label not in session.labels:
            return False
        if (start, end) != (found.start, found.end):
            if start != end or any(s.label == label for s in session.spans_at(start)):
                return False
            statements = session.labels.statements()
            if (label in statements) != (found.label in statements):
                return False
        if self.desk.accept(found, label):
            self._select_after(found)
        return True

    def jump(self, *, forward: bool) -> None:
        start, end = self.article.selection()
        found = self.desk.neighbour(start, end, forward=forward)
        if found is None:
            self.notice("no more suggestions" if forward else "no suggestion before this one")
            return
        self._select(found)

    def _select_after(self, decided: Suggestion) -> None:
        following = self.desk.neighbour(decided.start, decided.end, forward=True)
        if following is None:
            self.article.select_range(decided.end, decided.end, centre=False)
            self.notice("that was the last suggestion of this document")
        else:
            self._select(following)

    def _select(self, suggestion: Suggestion) -> None:
        self.article.select_range(suggestion.start, suggestion.end)
        self.notice(f"suggestion: {suggestion.label} (from {suggestion.source}); Enter accepts, X rejects, "
                    "a label key accepts it as that label", 6000)
