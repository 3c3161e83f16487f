"""What screening and the separation monitor find."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Conflict", "Rule", "SeparationFinding", "SeparationLevel", "Severity", "Verdict"]


class Rule(StrEnum):
    """Screening rule ids, as DESIGN.md defines them."""

    UNIT = "R-UNIT"
    SITE = "R-SITE"
    ZONE = "R-ZONE"
    LINE = "R-LINE"
    NOTICE = "R-NOTICE"
    SEPARATION = "SEP"


class Severity(StrEnum):
    CRITICAL = "critical"
    WARN = "warn"


SeparationLevel = Severity


class Verdict(StrEnum):
    CLEAR = "clear"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class Conflict:
    """One finding of a notice against a target: ``distance_m`` is ``d`` (before buffers, radii)."""

    rule: Rule
    target: str
    party: str
    distance_m: float
    severity: Severity | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "rule": self.rule.value,
            "target": self.target,
            "party": self.party,
            "distance_m": round(self.distance_m, 1),
        }
        if self.severity is not None:
            out["severity"] = self.severity.value
        return out


@dataclass(frozen=True, slots=True)
class SeparationFinding:
    """Two units of non-partner parties too close: ``distance_m`` is the edge distance."""

    a: str
    b: str
    distance_m: float
    level: Severity

    def to_dict(self) -> dict[str, object]:
        return {"a": self.a, "b": self.b, "distance_m": round(self.distance_m, 1),
                "level": self.level.value}
