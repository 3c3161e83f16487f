"""The whole state of a hub at one moment: what a scenario file describes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from deconflict.model.area import Area
from deconflict.model.notice import Notice
from deconflict.model.party import (
    DisclosureLevel,
    DisclosureRule,
    Party,
    Relation,
    Relations,
    SeparationPolicy,
)
from deconflict.model.sensor import Border, Sensor
from deconflict.model.site import Site
from deconflict.model.unit import Unit
from deconflict.model.zone import Zone

__all__ = ["FORMAT_VERSION", "Scenario"]

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Scenario:
    time: datetime
    name: str = ""
    parties: tuple[Party, ...] = ()
    relations: tuple[Relation, ...] = ()
    separation: SeparationPolicy = field(default_factory=SeparationPolicy)
    disclosure: tuple[DisclosureRule, ...] = ()
    units: tuple[Unit, ...] = ()
    areas: tuple[Area, ...] = ()
    zones: tuple[Zone, ...] = ()
    sites: tuple[Site, ...] = ()
    notices: tuple[Notice, ...] = ()
    sensors: tuple[Sensor, ...] = ()
    borders: tuple[Border, ...] = ()
    version: int = FORMAT_VERSION

    @property
    def relation_index(self) -> Relations:
        return Relations.of(self.relations)

    def disclosure_level(self, source: str, recipient: str) -> DisclosureLevel:
        """What ``source`` releases to ``recipient``: itself sees all, others default to none."""
        if source == recipient:
            return DisclosureLevel.EXACT
        for rule in self.disclosure:
            if rule.source == source and rule.recipient == recipient:
                return rule.level
        return DisclosureLevel.NONE

    def notice(self, notice_id: str) -> Notice:
        for notice in self.notices:
            if notice.id == notice_id:
                return notice
        raise KeyError(notice_id)

    def at(self, moment: datetime) -> Scenario:
        """The same scenario with its "now" moved to ``moment``."""
        return replace(self, time=moment)
