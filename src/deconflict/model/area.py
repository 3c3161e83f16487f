"""Areas of control or operation held by a party."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from deconflict.model.shape import Shape

__all__ = ["Area", "AreaKind"]


class AreaKind(StrEnum):
    CONTROL = "control"
    OPERATING = "operating"


@dataclass(frozen=True, slots=True)
class Area:
    id: str
    holder: str
    kind: AreaKind
    shape: Shape
    name: str = ""
