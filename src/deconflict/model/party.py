"""Parties, the relations between them, their agreed separations and their disclosure choices."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "DisclosureLevel",
    "DisclosureRule",
    "Party",
    "PartyKind",
    "Relation",
    "RelationKind",
    "Relations",
    "SeparationPolicy",
    "SeparationRule",
]


class PartyKind(StrEnum):
    STATE = "state"
    NON_STATE = "non_state"
    HUMANITARIAN = "humanitarian"
    OBSERVER = "observer"


class RelationKind(StrEnum):
    PARTNER = "partner"
    NEUTRAL = "neutral"
    HOSTILE = "hostile"


class DisclosureLevel(StrEnum):
    EXACT = "exact"
    AREA = "area"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Party:
    id: str
    name: str
    kind: PartyKind
    sponsor: str | None = None


@dataclass(frozen=True, slots=True)
class Relation:
    a: str
    b: str
    kind: RelationKind

    @property
    def pair(self) -> frozenset[str]:
        return frozenset((self.a, self.b))


@dataclass(frozen=True, slots=True)
class Relations:
    """Lookup of the relation between two parties; pairs not listed are neutral.

    >>> r = Relations.of([Relation("coalition", "sdf", RelationKind.PARTNER)])
    >>> r.kind("sdf", "coalition"), r.kind("sdf", "russia")
    (<RelationKind.PARTNER: 'partner'>, <RelationKind.NEUTRAL: 'neutral'>)
    """

    by_pair: Mapping[frozenset[str], RelationKind] = field(default_factory=dict)

    @classmethod
    def of(cls, relations: Iterable[Relation]) -> Relations:
        return cls({r.pair: r.kind for r in relations})

    def kind(self, a: str, b: str) -> RelationKind:
        return self.by_pair.get(frozenset((a, b)), RelationKind.NEUTRAL)

    def partners_of(self, party: str) -> frozenset[str]:
        """The parties in a ``partner`` relation with ``party`` (not including itself)."""
        found: set[str] = set()
        for pair, kind in self.by_pair.items():
            if kind is RelationKind.PARTNER and party in pair:
                found.update(pair - {party})
        return frozenset(found)

    def friendly(self, party: str) -> frozenset[str]:
        """``party`` and its partners: the parties whose forces a notice may not conflict with."""
        return self.partners_of(party) | {party}


@dataclass(frozen=True, slots=True)
class SeparationRule:
    """Agreed distances between two parties' forces; ``critical_m`` is at most ``warn_m``."""

    warn_m: float
    critical_m: float

    def __post_init__(self) -> None:
        if self.warn_m < 0 or self.critical_m < 0:
            raise ValueError("separation distances must not be negative")
        if self.critical_m > self.warn_m:
            raise ValueError("critical_m must not exceed warn_m")


@dataclass(frozen=True, slots=True)
class SeparationPolicy:
    default: SeparationRule = SeparationRule(5000.0, 1000.0)
    pairs: Mapping[frozenset[str], SeparationRule] = field(default_factory=dict)

    def rule(self, a: str, b: str) -> SeparationRule:
        return self.pairs.get(frozenset((a, b)), self.default)

    @property
    def widest_warn_m(self) -> float:
        return max([self.default.warn_m, *(r.warn_m for r in self.pairs.values())])


@dataclass(frozen=True, slots=True)
class DisclosureRule:
    """What ``source`` releases of its units to ``recipient``."""

    source: str
    recipient: str
    level: DisclosureLevel
