"""Position reports from a party's own units, and the separation alerts they raise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from deconflict.engine.disclosure import told_separation
from deconflict.engine.separation import separation_involving
from deconflict.errors import ValidationError
from deconflict.model import Alert, AlertKind, Credential, Fix, Scenario, SeparationFinding
from deconflict.service import ledger
from deconflict.service.alerts import alert, raise_alerts
from deconflict.service.hub import Hub, require_actor

__all__ = ["PositionReport", "check_separation", "report_positions"]


@dataclass(frozen=True, slots=True)
class PositionReport:
    unit: str
    fix: Fix


def report_positions(hub: Hub, actor: Credential, reports: Sequence[PositionReport]) -> int:
    """Store a batch of the caller's units' positions, durably, all or nothing."""
    with hub.lock:
        require_actor(actor, hub.now())
        if len(reports) > hub.limits.max_batch:
            raise ValidationError(f"at most {hub.limits.max_batch} reports per batch",
                                  field="reports")
        for i, report in enumerate(reports):
            hub.own_unit(actor, report.unit, f"reports[{i}].unit")
        pairs = [(r.unit, r.fix) for r in reports]
        with hub.store.atomic():
            hub.store.add_fixes(pairs)
            # One entry per batch, committing to its content: the positions stay withheld
            # from parties the owner does not release them to (see service.ledger).
            ledger.record(hub, actor.party, ledger.POSITIONS, actor.party,
                          ledger.positions_body(pairs), withheld=True)
        hub.apply_fixes(pairs)
        return len(pairs)


def check_separation(hub: Hub) -> list[Alert]:
    """Raise alerts for pairs whose separation level changed since the units last moved.

    The search runs on a snapshot, outside ``hub.lock``, so that reports and notices are not
    held up by it (it takes seconds with 100,000 units); ``hub.separation_lock`` keeps passes
    one at a time, so levels are read and written in order. Call it without holding
    ``hub.lock``. Units that move meanwhile are pending for the next pass."""
    with hub.separation_lock:
        with hub.lock:
            moved, hub.pending_separation = hub.pending_separation, set()
            if not moved:
                return []
            snapshot = hub.scenario()
        findings = separation_involving(snapshot, moved)
        with hub.lock:
            return _raise_changes(hub, moved, findings)


def _raise_changes(hub: Hub, moved: set[str], findings: Sequence[SeparationFinding]
                   ) -> list[Alert]:
    # Told with the disclosure choices in force now, not those of the snapshot.
    scenario = hub.scenario()
    changes = _level_changes(hub, moved, findings)
    parties = {u.id: u.party for u in scenario.units}
    alerts = [a for f in findings if (f.a, f.b) in changes
              for a in _separation_alerts(hub, scenario, f, parties)]
    with hub.store.atomic():
        hub.store.set_separation_levels(changes)
        return raise_alerts(hub, alerts)


def _level_changes(hub: Hub, moved: set[str], findings: Sequence[SeparationFinding]
                   ) -> dict[tuple[str, str], str | None]:
    before = hub.store.separation_levels()
    now = {(f.a, f.b): f.level.value for f in findings}
    changes: dict[tuple[str, str], str | None] = {
        pair: level for pair, level in now.items() if before.get(pair) != level}
    for pair in before:
        if pair not in now and (pair[0] in moved or pair[1] in moved):
            changes[pair] = None  # apart again: forget it so a new approach alerts afresh
    return changes


def _separation_alerts(hub: Hub, scenario: Scenario, finding: SeparationFinding,
                       parties: dict[str, str]) -> list[Alert]:
    out = []
    for party in sorted({parties[finding.a], parties[finding.b]}):
        told = told_separation(finding, party, scenario, parties)
        if told is not None:
            out.append(alert(hub, party, AlertKind.SEPARATION, **told))
    return out
