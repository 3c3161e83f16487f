"""A notice as filed with the hub: its screening, the parties it touches and their answers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from deconflict.model.conflict import Conflict
from deconflict.model.notice import Notice

__all__ = ["Answer", "AnswerKind", "Filing", "NoticeState"]


class NoticeState(StrEnum):
    """screened → acknowledged | objected → cleared, cancelled, completed."""

    SCREENED = "screened"
    ACKNOWLEDGED = "acknowledged"
    OBJECTED = "objected"
    CLEARED = "cleared"
    CANCELLED = "cancelled"
    COMPLETED = "completed"

    @property
    def is_open(self) -> bool:
        return self not in (NoticeState.CANCELLED, NoticeState.COMPLETED)


class AnswerKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    OBJECT = "object"


@dataclass(frozen=True, slots=True)
class Answer:
    party: str
    kind: AnswerKind
    time: datetime
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Filing:
    """``checkpoint`` is the tree size of the signed ledger checkpoint the notice cites: the
    latest one published when it was screened."""

    notice: Notice
    state: NoticeState
    filed: datetime
    checkpoint: int
    conflicts: tuple[Conflict, ...] = ()
    answers: tuple[Answer, ...] = ()

    @property
    def touched(self) -> frozenset[str]:
        """Parties a conflict of this notice concerns (they must answer it)."""
        return frozenset(c.party for c in self.conflicts) - {self.notice.party}

    @property
    def awaiting(self) -> frozenset[str]:
        return self.touched - {a.party for a in self.answers}

    def answered(self, answer: Answer) -> Filing:
        """The filing after ``answer``: any objection makes it objected; all acks, acknowledged."""
        answers = (*(a for a in self.answers if a.party != answer.party), answer)
        filing = replace(self, answers=answers)
        if any(a.kind is AnswerKind.OBJECT for a in answers):
            return replace(filing, state=NoticeState.OBJECTED)
        if not filing.awaiting:
            return replace(filing, state=NoticeState.ACKNOWLEDGED)
        return filing
