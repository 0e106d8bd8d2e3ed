"""The edge keys: grow or shrink the span at the caret by one token, at its end or its start (issue 9).

Alt+Shift+Right and Alt+Shift+Left grow the span the arrow's way (its end, its start); with Ctrl as well they
shrink it the arrow's way (the start moves right, the end moves left). They act on the person's own span at the
caret (the one selected whole, else the innermost holding the caret or the selection), or on a suggestion: one selected whole (as N
and the decision keys leave it), else one at the caret where no span of one's own is. On a suggestion the first
press accepts it with that edge moved (one undo step, as Enter is), and the next presses move the span made of it:
a near miss costs one key per word instead of a rejection and a span made by hand. Each press is one undo step,
saved at once (a move is one UPDATE and the document's status); a move that would leave an empty span or overlap a
span of the same label is refused with a line in the status bar and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal

from annotator.domain.edges import EdgeMove, moved
from annotator.domain.spans import Span, refuse_clash
from annotator.domain.suggestions import Suggestion
from annotator.errors import SpanRuleError
from annotator.gui.session import DocumentSession
from annotator.gui.suggestion_desk import SuggestionDesk, SuggestionKeys

if TYPE_CHECKING:
    from annotator.gui.widgets.article_view import ArticleView

ACTION_PREFIX = "span."
NOTICE_MS = 6000


def action_id(move: EdgeMove) -> str:
    return f"{ACTION_PREFIX}{move.value}"


class SpanEdges(QObject):
    span_selected = Signal(int)  # the span moved and selected: the span panel marks its row

    def __init__(self, session: DocumentSession, desk: SuggestionDesk, keys: SuggestionKeys, article: ArticleView,
                 notice: Callable[..., None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.desk = desk
        self.keys = keys
        self.article = article
        self.notice = notice

    def handlers(self) -> dict[str, Callable[[], object]]:
        return {action_id(move): partial(self.move, move) for move in EdgeMove}

    def move(self, move: EdgeMove) -> None:
        session, doc = self.session, self.session.document
        if doc is None:
            return
        if session.editor is not None:
            self.notice("the edge keys move your own spans: leave review mode (Ctrl+R) first", NOTICE_MS)
            return
        start, end = self.article.selection()
        ghost = self.desk.at(start, end) if self.keys.enabled else None
        own = self._own_at(start, end)
        if ghost is not None and ((ghost.start, ghost.end) == (start, end) or own is None):
            self._move_suggestion(ghost, move)
        elif own is not None:
            self._move_span(own, move)
        else:
            self.notice("put the caret in a span or a suggestion to move its edges", NOTICE_MS)

    def _own_at(self, start: int, end: int) -> Span | None:
        """The span selected whole, else the innermost holding the selection (or the caret), else the innermost
        the selection overlaps (a selection left wider than its span by Ctrl+Z)."""
        under = self.session.spans_over(start, end)
        exact = [s for s in under if (s.start, s.end) == (start, end)]
        if exact or under:
            return (exact or under)[0]
        touched = self.session.overlapping(start, end) if start != end else []
        return min(touched, key=lambda s: s.end - s.start) if touched else None

    def _placed(self, start: int, end: int, label: str, move: EdgeMove, own_id: int | None) -> tuple[int, int] | None:
        """Where the edge goes, or None after saying in the status bar why it cannot."""
        doc = self.session.document
        assert doc is not None
        try:
            placed = moved(doc.text, start, end, move, self.session.annotations.token_bounds(doc), label)
            refuse_clash(Span(*placed, label), [s for s in self.session.overlapping(*placed) if s.id != own_id])
        except SpanRuleError as e:
            self.notice(f"not moved: {e}", NOTICE_MS)
            return None
        return placed

    def _move_span(self, span: Span, move: EdgeMove) -> None:
        placed = self._placed(span.start, span.end, span.label, move, span.id)
        if placed is None or span.id is None:
            return
        if self.session.move(span.id, *placed):
            self._show(span.id, span.label, placed, "", "moves it back")

    def _move_suggestion(self, suggestion: Suggestion, move: EdgeMove) -> None:
        placed = self._placed(suggestion.start, suggestion.end, suggestion.label, move, None)
        if placed is None or not self.desk.accept(suggestion, at=placed):
            return
        made = next((s for s in self.session.spans_over(*placed) if (s.start, s.end, s.label) ==
                     (*placed, suggestion.label)), None)
        if made is not None and made.id is not None:
            self._show(made.id, made.label, placed, f" accepted from {suggestion.source}", "takes it back")

    def _show(self, span_id: int, label: str, placed: tuple[int, int], how: str, undo: str) -> None:
        doc = self.session.document
        assert doc is not None
        self.article.select_range(*placed, centre=False)
        self.span_selected.emit(span_id)
        # A moved span changes rows in the span panel, whose table takes the focus when its selection changes.
        self.article.setFocus(Qt.FocusReason.OtherFocusReason)
        text = " ".join(doc.text[placed[0]:placed[1]].split())
        shown = text if len(text) <= 60 else f"{text[:28]}…{text[-28:]}"
        self.notice(f"{label}{how}: “{shown}”; Ctrl+Z {undo}", NOTICE_MS)
