"""The running hub: the store, the clock, the limits, and an in-memory picture for screening.

The store is the truth and is written first; the picture is a cache of it that use cases update
after each durable write, so screening never waits on the database.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from deconflict.engine import Screener
from deconflict.errors import ForbiddenError, NotFoundError
from deconflict.model import (
    Conflict,
    Credential,
    Filing,
    Fix,
    Notice,
    Role,
    Rule,
    Scenario,
    Unit,
    Window,
)
from deconflict.service.clock import Clock
from deconflict.storage.base import Store

__all__ = ["Hub", "Limits"]

#: Fixes kept per unit in memory; the store keeps the whole history.
_TRACK_TAIL = 4
_RULES = list(Rule)
_ALWAYS = Window(datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))


@dataclass(frozen=True, slots=True)
class Limits:
    """Guards against probing and floods; every one is a setting of ``deconflict serve``."""

    min_notice_reach_m: float = 250.0  # buffer + radius of a notice's footprint, at least
    min_notice_window_s: float = 300.0
    max_notice_extent_m: float = 150_000.0  # widest span of a buffered footprint
    notices_per_hour: int = 60
    probing_count: int = 5  # small notices touching one party within an hour
    probing_small_m: float = 2000.0  # a notice is small when its reach is below this
    session_hours: float = 12.0
    max_ack_within_s: float = 7 * 24 * 3600.0
    max_batch: int = 5000
    watch_void_m: float = 2000.0  # an outage opening a gap this long raises a watch void


class Hub:
    """One hub: thread-safe; every use case holds ``lock`` while it reads and writes."""

    def __init__(self, store: Store, clock: Clock, limits: Limits | None = None) -> None:
        self.store = store
        self.clock = clock
        self.limits = limits or Limits()
        self.lock = threading.RLock()
        #: One separation pass at a time (see positions.check_separation); taken before
        #: ``lock``, never while holding it.
        self.separation_lock = threading.Lock()
        self._base = store.scenario(tail=_TRACK_TAIL)
        self._units = {u.id: _tail(u) for u in self._base.units}
        self.filings = {f.notice.id: f for f in store.filings()}
        self._closed_notices = {i for i, f in self.filings.items() if not f.state.is_open}
        self._screener: Screener | None = None
        self._screened_at: datetime | None = None
        # Notices filed since the screener was built, and their own small index (see screen).
        self._fresh: tuple[Notice, ...] = ()
        self._fresh_screener: Screener | None = None
        self.pending_separation: set[str] = set()
        self.last_alert_id = store.last_alert_id()
        #: Notices adopted from a loaded scenario in this run (not counted against budgets).
        self.loaded: set[str] = set()

    # -- the picture -----------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock.now()

    def scenario(self) -> Scenario:
        """The whole truth at the hub's "now" (only notices still open count)."""
        notices = tuple(n for n in self._base.notices if n.id not in self._closed_notices)
        return replace(self._base, time=self.now(), units=tuple(self._units.values()),
                       notices=notices)

    def screener(self) -> Screener:
        """Indexes of the current picture, rebuilt after changes or when a minute old."""
        now = self.now()
        stale = self._screened_at is None or abs((now - self._screened_at).total_seconds()) > 60
        if self._screener is None or stale:
            self._screener = Screener(self._conservative(self.scenario()))
            self._screened_at = now
            self._fresh, self._fresh_screener = (), None
        return self._screener

    def screen(self, notice: Notice) -> list[Conflict]:
        """All conflicts of ``notice`` with the current picture, ordered as the engine orders
        them. Filing a notice changes only the notices: rather than rebuilding every index
        (about a second with 100,000 units), the notices filed since the last build are
        screened apart, in an index of their own that holds nothing else."""
        found = self.screener().screen(notice)
        if not self._fresh:
            return found
        if self._fresh_screener is None:
            only = replace(self._base, time=self.now(), units=(), sites=(), zones=(),
                           notices=self._fresh)
            self._fresh_screener = Screener(self._conservative(only))
        return sorted(found + self._fresh_screener.screen(notice), key=_engine_order)

    def _conservative(self, scenario: Scenario) -> Scenario:
        """A silent party's open notices occupy their volumes at all times."""
        silent = set(self.store.unresponsive())
        if not silent:
            return scenario
        notices = tuple(replace(n, window=_ALWAYS) if n.party in silent else n
                        for n in scenario.notices)
        return replace(scenario, notices=notices)

    def changed(self) -> None:
        self._screener = None
        self._fresh, self._fresh_screener = (), None

    # -- updates after durable writes ------------------------------------------------------
    def apply_fixes(self, reports: Iterable[tuple[str, Fix]]) -> None:
        for unit_id, fix in reports:
            self._units[unit_id] = _tail(self._units[unit_id].with_fix(fix))
            self.pending_separation.add(unit_id)
        self.changed()

    def apply(self, **changes: object) -> None:
        """Replace sections of the base picture (notices, sites, zones, disclosure, parties)."""
        self._base = replace(self._base, **changes)  # type: ignore[arg-type]
        self.changed()

    def add_notice(self, notice: Notice) -> None:
        """A new notice joins the picture; the indexes of units, sites and zones stay valid."""
        self._base = replace(self._base, notices=(*self._base.notices, notice))
        if self._screener is not None:
            self._fresh, self._fresh_screener = (*self._fresh, notice), None

    def filed(self, filing: Filing) -> None:
        """Remember a filing once it is durable; a closed notice leaves the screening picture."""
        self.filings[filing.notice.id] = filing
        if not filing.state.is_open:
            self._closed_notices.add(filing.notice.id)
            self.changed()

    # -- lookups that never leak ------------------------------------------------------------
    def own_unit(self, actor: Credential, unit_id: str, field: str) -> Unit:
        """The caller's unit; another party's unit is as unknown as a made-up id."""
        unit = self._units.get(unit_id)
        if unit is None or unit.party != actor.party:
            raise NotFoundError(f"no unit {unit_id!r} of {actor.party}", field=field)
        return unit

    def party_ids(self) -> list[str]:
        return [p.id for p in self._base.parties]

    def notice(self, notice_id: str) -> Notice | None:
        return next((n for n in self._base.notices if n.id == notice_id), None)


def _engine_order(conflict: Conflict) -> tuple[int, float, str, str]:
    # The order of Screener.screen: rule (as Rule lists them), distance, target, party.
    return (_RULES.index(conflict.rule), conflict.distance_m, conflict.target, conflict.party)


def _tail(unit: Unit) -> Unit:
    if len(unit.track) <= _TRACK_TAIL:
        return unit
    return replace(unit, track=unit.track[-_TRACK_TAIL:])


def require_actor(actor: Credential, moment: datetime) -> None:
    """Liaison and admin act for their party; a viewer only reads."""
    if not actor.active_at(moment):
        raise ForbiddenError("this credential was revoked")
    if actor.role is Role.VIEWER:
        raise ForbiddenError("a viewer may read but not act; use a liaison token")
