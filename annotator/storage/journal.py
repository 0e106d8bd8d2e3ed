"""The SQL of the change journal (migration 0007, ADR 0015): a person's recent transactions on one document read
back, and the older ones pruned. Nothing here runs on a key press: triggers write the journal, the window reads
it when it opens a document whose history it does not hold."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, aliased

from annotator.domain.history import Entry
from annotator.storage.models import AnnotatorRow, ChangeJournalRow, LabelRow

J = ChangeJournalRow
_LABEL = aliased(LabelRow, name="new_label")
_OLD_LABEL = aliased(LabelRow, name="old_label")
_SOURCE = aliased(AnnotatorRow, name="source")
_OLD_SOURCE = aliased(AnnotatorRow, name="old_source")


class JournalStore:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _newest(self, document_id: int, owner_id: int, transactions: int) -> int | None:
        """The first journal id of the oldest of the owner's newest `transactions` transactions on the document."""
        firsts = (select(func.min(J.id).label("first")).where(J.document_id == document_id, J.owner_id == owner_id)
                  .group_by(J.txn).order_by(func.min(J.id).desc()).limit(transactions).subquery())
        first = self.s.scalar(select(func.min(firsts.c.first)))
        return None if first is None else int(first)

    def entries(self, document_id: int, owner_id: int, transactions: int) -> list[Entry]:
        """The rows of the owner's newest `transactions` transactions that touched the document, oldest first
        (all rows of each: a link removed with a span names the document only through the span)."""
        since = self._newest(document_id, owner_id, transactions)
        if since is None:
            return []
        txns = (select(J.txn).where(J.document_id == document_id, J.owner_id == owner_id, J.id >= since)
                .distinct().scalar_subquery())
        query = (
            select(J.txn, J.what, J.row_id, _LABEL.name, J.start, J.end, _OLD_LABEL.name, J.old_start, J.old_end,
                   J.origin, J.attrs, J.head_id, J.child_id, J.rel_type, J.decision, J.old_decision, _SOURCE.name,
                   _OLD_SOURCE.name)
            .outerjoin(_LABEL, _LABEL.id == J.label_id)
            .outerjoin(_OLD_LABEL, _OLD_LABEL.id == J.old_label_id)
            .outerjoin(_SOURCE, _SOURCE.id == J.source_id)
            .outerjoin(_OLD_SOURCE, _OLD_SOURCE.id == J.old_source_id)
            .where(J.owner_id == owner_id, J.id >= since, J.txn.in_(txns))
            .order_by(J.id)
        )
        return [Entry(*row) for row in self.s.execute(query)]

    def prune(self, document_id: int, owner_id: int, keep: int) -> int:
        """Remove the owner's rows on the document older than their newest `keep` transactions; how many went."""
        since = self._newest(document_id, owner_id, keep)
        if since is None:
            return 0
        gone = self.s.execute(delete(J).where(J.document_id == document_id, J.owner_id == owner_id, J.id < since))
        return int(getattr(gone, "rowcount", 0) or 0)
