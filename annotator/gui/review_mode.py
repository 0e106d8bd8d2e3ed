"""Review mode (Ctrl+R): the lead settles the annotators' spans of each document into gold, from the keyboard.

Gold becomes the edited layer of the session (drawn as one's own spans are, edited by the label keys, Delete and
the context menu), and the people's layers are drawn as candidates (widgets/review_painter.py). Enter accepts the
candidate at the caret, Backspace or X rejects it, Shift+Enter accepts every agreed one, N and Shift+N move
between the open ones. Each step is saved at once by the review service and pushed on the document's review
history (apart from its history of one's own spans), so Ctrl+Z and Ctrl+Shift+Z take it back and forth.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction

from annotator.domain.documents import Changes, Document
from annotator.domain.layers import Owner, OwnerKind
from annotator.errors import AnnotatorError, ReviewNotAllowedError, SpanChangedError
from annotator.gui.commands import Show, SpanCommand
from annotator.services.team import may_write_gold

if TYPE_CHECKING:  # review's own code (its service, gold store, rules and painter) loads when review mode is entered
    from PySide6.QtWidgets import QPlainTextEdit

    from annotator.domain.review import Candidate, DocumentReview, GoldStep
    from annotator.domain.span_index import SpanIndex
    from annotator.gui.session import DocumentSession
    from annotator.gui.widgets.article_view import ArticleView
    from annotator.gui.widgets.review_painter import ReviewPainter
    from annotator.services.review import Review
    from annotator.services.workspace import Workspace

REVIEW_KEYS = ("Review mode: Enter accepts the candidate at the caret into gold, Backspace or X rejects it, "
               "Shift+Enter accepts every agreed one, N / Shift+N go to the next / previous open one; label keys "
               "and Delete edit gold; Ctrl+Z undoes. Ctrl+R leaves.")
GOLD = Owner.gold()


class GoldCommand(SpanCommand):
    """One review step on the undo stack: already saved when pushed; undo and redo replay it exactly."""

    def __init__(self, mode: ReviewMode, step: GoldStep) -> None:
        super().__init__(mode.session, step.what)
        self.mode = mode
        self.step = step

    def names(self) -> frozenset[str]:
        step = self.step
        return frozenset([s.label for s in (*step.added, *step.removed)] + [v.label for v in step.verdicts]
                         + [n for r in step.relabelled for n in (r.before, r.after)])

    def _write_redo(self) -> Show:
        self.step = step = self.mode.review.redo(self.step)
        return lambda: self.mode.show_step(step)

    def _write_undo(self) -> Show:
        self.mode.review.undo(self.step)
        inverse = self.step.inverse()
        return lambda: self.mode.show_step(inverse)


class ReviewMode(QObject):
    toggled = Signal(bool)

    def __init__(self, session: DocumentSession, article: ArticleView, ws: Workspace, project_id: int,
                 reviewer: str, notice: Callable[[str], None], report: Callable[[AnnotatorError], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.article = article
        self.ws = ws
        self.project_id = project_id
        self.reviewer = reviewer
        self.notice = notice
        self.report = report
        self._review: Review | None = None
        self.state: DocumentReview | None = None  # the open document's candidates, while in review mode
        self._current: Candidate | None = None  # the candidate the keys last went to
        self.painter: ReviewPainter | None = None  # made when review mode is first entered
        self.actions: dict[str, QAction] = {}
        session.document_opened.connect(self._on_session_document_opened)
        session.changes_made.connect(self._on_session_changes_made)

    @property
    def active(self) -> bool:
        return self.session.editing == GOLD

    @property
    def review(self) -> Review:
        assert self._review is not None, "review mode is on"
        return self._review

    def handlers(self) -> dict[str, Callable[[], object]]:
        return {"team.review": self.toggle, "review.accept": self.accept, "review.reject": self.reject,
                "review.accept_agreed": self.accept_agreed, "review.next": lambda: self.go(forward=True),
                "review.previous": lambda: self.go(forward=False)}

    def bind(self, made: Mapping[str, QAction]) -> None:
        """Take the mode's actions: the toggle is checkable, the keys work only in review mode."""
        self.actions = {i: a for i, a in made.items() if i.startswith("review.") or i == "team.review"}
        self.actions["team.review"].setCheckable(True)
        self._enable(False)

    def _enable(self, on: bool) -> None:
        for action_id, action in self.actions.items():
            if action_id == "team.review":
                action.setChecked(on)
            else:
                action.setEnabled(on)

    # -- entering and leaving ---------------------------------------------------------------------
    def toggle(self) -> None:
        if self.active:
            self.leave()
        else:
            self.enter()

    def enter(self) -> None:
        from annotator.gui.widgets.review_painter import ReviewPainter
        from annotator.services.review import Review

        try:
            if not may_write_gold(self.ws):
                raise ReviewNotAllowedError(f"{self.reviewer} may not write gold on this database",
                                            hint="the lead reviews; ask them, or connect as the lead's role")
            self._review = self._review or Review(self.ws, self.project_id, self.reviewer)
        except AnnotatorError as e:
            self._enable(False)
            self.report(e)
            return
        self.painter = self.painter or ReviewPainter()
        self.session.set_editing(GOLD, self)
        self.article.overlay = self._paint
        self._enable(True)
        self._refresh()
        self.toggled.emit(True)
        self.notice(REVIEW_KEYS)

    def leave(self) -> None:
        self.session.set_editing(None)
        self.article.overlay = None
        self.state = self._current = None
        self._enable(False)
        self._shown()
        self.toggled.emit(False)
        self.notice("Review mode left: the keys tag your own spans again.")

    def _paint(self, view: QPlainTextEdit, layers: Mapping[Owner, SpanIndex]) -> dict[Owner, SpanIndex]:
        """The candidates, over gold; the people's lines give way to them, models' ghosts stay."""
        if self.state is not None and self.painter is not None:
            self.painter.set_labels(self.session.labels)
            self.painter.set_paper(self.article.paper())
            self.painter.paint(view, self.state, self.session.offsets)
        return {owner: index for owner, index in layers.items() if owner.kind is OwnerKind.MODEL}

    def _refresh(self) -> None:
        doc = self.session.document
        if not self.active or doc is None:
            return
        try:
            self.state = self.review.document(doc.id)
        except AnnotatorError as e:
            self.state = None
            self.report(e)
        self.article.viewport().update()

    def _shown(self) -> None:
        """The views follow what the session's index now holds (the label bar's counts, the caret's spans)."""
        doc = self.session.document
        if doc is not None:
            self.session.changes_made.emit(Changes(documents=frozenset({doc.id})))
        self.article.viewport().update()

    def _on_session_document_opened(self, _document: Document) -> None:
        self._current = None
        if not self.active:
            return
        self._refresh()
        if self.state is not None:
            agreed = sum(1 for c in self.state.open if c.agreed)
            self.notice(f"{len(self.state.open)} open candidate(s), {agreed} agreed: N goes to the next one")

    def _on_session_changes_made(self, changes: Changes) -> None:
        if self.active and self.session.document_id in changes.documents:
            self._refresh()

    # -- the keys ---------------------------------------------------------------------------------
    def _target(self) -> Candidate | None:
        """The candidate the keys act on: the one last gone to while it is still selected, else the one holding
        the selection exactly, else the one under the caret."""
        if self.state is None:
            return None
        start, end = self.article.selection()
        current = self._current
        if current is not None and (current.start, current.end) == (start, end):
            found = self.state.find(current.label, current.start, current.end)
            if found is not None:
                return found
        exact = [c for c in self.state.candidates if (c.start, c.end) == (start, end)]
        if exact:
            return min(exact, key=lambda c: not c.is_open)
        return self.state.at(start)

    def accept(self) -> None:
        self._settle(lambda c: self.review.accept(self._doc(), c.label, c.start, c.end), "already in gold")

    def reject(self) -> None:
        self._settle(lambda c: self.review.reject(self._doc(), c.label, c.start, c.end), "already rejected")

    def _settle(self, act: Callable[[Candidate], GoldStep], unchanged: str) -> None:
        candidate = self._target()
        if candidate is None:
            self.notice("no candidate at the caret: N goes to the next open one")
            return
        if self._run(lambda: act(candidate), unchanged) and self.state is not None:
            following = self.state.neighbour_open(candidate.start, candidate.key())
            if following is not None:
                self._select(following)
            else:
                self.notice("every candidate of this document is settled")

    def accept_agreed(self) -> None:
        self._run(lambda: self.review.accept_agreed(self._doc()), "no agreed candidate is open")

    def go(self, *, forward: bool) -> None:
        if self.state is None:
            return
        start, end = self.article.selection()
        current = self._target() if start != end else None  # a selected candidate; from a caret, what follows it
        found = self.state.neighbour_open(start, current.key() if current else None, forward=forward)
        if found is None:
            self.notice("every candidate of this document is settled")
            return
        self._select(found)

    def _select(self, c: Candidate) -> None:
        self._current = c
        self.article.select_range(c.start, c.end)
        text = self.session.document.text if self.session.document else ""
        snippet = " ".join(text[c.start:c.end].split())
        snippet = snippet if len(snippet) <= 50 else snippet[:49] + "…"
        who = (f"agreed by {', '.join(c.made_by)}" if c.agreed
               else f"disputed: made by {', '.join(c.made_by)}, not by {', '.join(c.missed_by)}")
        left = len(self.state.open) if self.state else 0
        self.notice(f"{c.label} “{snippet}”: {who} ({left} open)")

    def _doc(self) -> int:
        doc = self.session.document_id
        assert doc is not None, "review keys act on an open document"
        return doc

    # -- editing gold directly (the session hands these over in review mode) -----------------------
    def toggle_label(self, label: str, start: int, end: int) -> tuple[int, int] | None:
        doc = self.session.document
        if doc is None:
            return None
        if start == end:
            inside = [s for s in self.session.spans_at(start) if s.label == label]
            if inside:
                self.remove(inside[0].id or 0)
                return inside[0].start, inside[0].end
        try:
            snapped = self.session.annotations.snapped(doc, start, end,
                                                       snap_to_tokens=self.session.snap_to_tokens or start == end)
        except AnnotatorError as e:
            self.report(e)
            return None
        if snapped is None:
            self.notice("nothing to tag here: the selection holds only spaces")
            return None
        existing = next((s for s in self.session.spans_over(*snapped) if (s.start, s.end, s.label) == (*snapped, label)),
                        None)
        if existing is not None and existing.id is not None:
            self.remove(existing.id)
        else:
            self._run(lambda: self.review.add_gold(doc.id, label, *snapped), "")
        return snapped

    def remove(self, span_id: int) -> None:
        from annotator.domain.review import GoldSpan

        span = self.session.span(span_id)
        if span is not None:
            self._run(lambda: self.review.remove_gold(self._doc(), GoldSpan(span.start, span.end, span.label,
                                                                             span.id)), "")

    def relabel(self, span_id: int, label: str) -> None:
        from annotator.domain.review import GoldSpan

        span = self.session.span(span_id)
        if span is not None and span.label != label:
            self._run(lambda: self.review.relabel_gold(self._doc(), GoldSpan(span.start, span.end, span.label,
                                                                              span.id), label), "")

    # -- steps --------------------------------------------------------------------------------------
    def _run(self, act: Callable[[], GoldStep], unchanged: str) -> bool:
        """Save the step, then push it on the document's review history, already done; False when nothing
        changed (`unchanged` says why) or it was refused (reported, and the document read again)."""
        try:
            step = act()
        except AnnotatorError as e:
            if isinstance(e, SpanChangedError):
                self.session.reload_spans()
            self.report(e)
            return False
        if step.empty:
            if unchanged:
                self.notice(unchanged)
            return False
        command = GoldCommand(self, step)
        command._written = lambda: self.show_step(step)
        self.session.undo_stack.push(command)
        return True

    def show_step(self, step: GoldStep) -> None:
        """Put what the database now holds into the session's gold index; the views follow it."""
        index = self.session.index
        if step.document_id == self.session.document_id and self.active:
            for span in step.removed:
                if span.id is not None:
                    index.remove(span.id)
            for r in step.relabelled:
                old = index.get(r.id)
                if old is not None:
                    index.replace(old._replace(label=r.after))
            for span in step.added:
                index.add(span.as_span())
        self.session.changes_made.emit(step.changes)
        self.article.viewport().update()
