"""Protected sites and humanitarian movements."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from deconflict.model.measure import Window
from deconflict.model.shape import Shape

__all__ = ["Site", "SiteKind"]


class SiteKind(StrEnum):
    HOSPITAL = "hospital"
    SCHOOL = "school"
    CAMP = "camp"
    WAREHOUSE = "warehouse"
    OFFICE = "office"
    CROSSING = "crossing"
    CONVOY = "convoy"


@dataclass(frozen=True, slots=True)
class Site:
    """A protected place or movement; notification is not permission. No window means always."""

    id: str
    party: str
    kind: SiteKind
    shape: Shape
    buffer_m: float = 0.0
    window: Window | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.buffer_m < 0:
            raise ValueError("buffer_m must not be negative")
