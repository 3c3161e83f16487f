"""Lines of communication between parties: air, ground and command, with escalation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["Level", "Message"]


class Level(StrEnum):
    AIR = "air"
    GROUND = "ground"
    COMMAND = "command"

    @property
    def next(self) -> Level | None:
        """Where an unanswered message goes next; ``None`` past ``command``."""
        order = list(Level)
        i = order.index(self)
        return order[i + 1] if i + 1 < len(order) else None


@dataclass(frozen=True, slots=True)
class Message:
    """A message that must be acknowledged by ``deadline``; ``escalated_from`` links the chain."""

    id: str
    sender: str
    recipient: str
    level: Level
    text: str
    sent: datetime
    deadline: datetime
    acknowledged: datetime | None = None
    escalated: datetime | None = None
    escalated_from: str | None = None

    @property
    def open(self) -> bool:
        return self.acknowledged is None and self.escalated is None

    def overdue_at(self, moment: datetime) -> bool:
        return self.open and moment > self.deadline
