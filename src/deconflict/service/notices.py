"""Notices of planned operations: filed, screened blind, answered by the parties they touch."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from deconflict.engine.disclosure import told_conflicts, visible_filing
from deconflict.engine.geodesy import GEOD
from deconflict.errors import (
    ConflictingStateError,
    NotFoundError,
    RateLimitedError,
    ValidationError,
)
from deconflict.interop.documents import notice_from_document, notice_to_document
from deconflict.model import (
    Alert,
    AlertKind,
    Answer,
    AnswerKind,
    Conflict,
    Credential,
    Filing,
    Notice,
    NoticeState,
    Rule,
    Scenario,
)
from deconflict.service import ledger
from deconflict.service.alerts import alert, raise_alerts
from deconflict.service.hub import Hub, require_actor

__all__ = [
    "adopt_loaded_notices",
    "answer_notice",
    "file_notice",
    "footprint_extent_m",
    "notice_view",
    "set_notice_state",
    "visible_filings",
]

_NEXT_STATES = {
    NoticeState.CLEARED: (NoticeState.SCREENED, NoticeState.ACKNOWLEDGED, NoticeState.OBJECTED),
    NoticeState.CANCELLED: (NoticeState.SCREENED, NoticeState.ACKNOWLEDGED, NoticeState.OBJECTED,
                            NoticeState.CLEARED),
    NoticeState.COMPLETED: (NoticeState.ACKNOWLEDGED, NoticeState.CLEARED),
}


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def file_notice(hub: Hub, actor: Credential, body: object) -> tuple[Filing, dict[str, Any]]:
    """Validate, guard, screen and store a notice; alert the parties it touches."""
    with hub.lock:
        now = hub.now()
        require_actor(actor, now)
        notice = notice_from_document(body, actor.party, new_id(actor.party), hub.party_ids())
        _check_own_id(actor, notice)
        _guard(hub, actor, notice)
        conflicts = tuple(hub.screen(notice))
        checkpoint = ledger.cite_checkpoint(hub)
        with hub.store.atomic():
            filing = Filing(notice, _first_state(conflicts), now, checkpoint, conflicts)
            hub.store.add_notice(notice)
            hub.store.save_filing(filing)
            reply = notice_view(hub, filing, actor.party)
            _record_filing(hub, filing, actor.party, "notice", reply)
            raise_alerts(hub, _touched_alerts(hub, filing) + _probing_alerts(hub, filing))
        hub.add_notice(notice)
        hub.filed(filing)
        return filing, reply


def _record_filing(hub: Hub, filing: Filing, actor: str, kind: str,
                   reply: dict[str, Any]) -> None:
    """The notice as filed (seen by its parties), then the screening's reply as the notifier
    got it (seen by the notifier alone: it tells of others)."""
    notice = filing.notice
    ledger.record(hub, actor, kind, notice.id,
                  {"notice": notice_to_document(notice), "party": notice.party,
                   "filed": filing.filed, "checkpoint": filing.checkpoint},
                  audience={notice.party, *filing.touched})
    ledger.record(hub, ledger.HUB, "notice.screened", notice.id, reply,
                  audience=[notice.party])


def _first_state(conflicts: Sequence[Conflict]) -> NoticeState:
    touched = {c.party for c in conflicts}
    return NoticeState.SCREENED if touched else NoticeState.CLEARED


def _check_own_id(actor: Credential, notice: Notice) -> None:
    # A chosen id must carry the caller's prefix, so that a clash can only be with its own
    # objects: a clash with a hidden object's id would reveal that the object exists.
    if not notice.id.startswith(f"{actor.party}-"):
        raise ValidationError(f"a notice id you choose must start with '{actor.party}-'",
                              field="id")


def _guard(hub: Hub, actor: Credential, notice: Notice) -> None:
    limits = hub.limits
    reach = notice.buffer_m + notice.shape.radius_m
    if footprint_extent_m(notice) > limits.max_notice_extent_m:
        raise ValidationError(
            f"a notice's buffered footprint may span at most {limits.max_notice_extent_m:g} m; "
            "split a larger operation into several notices", field="geometry")
    if notice.shape.is_point and reach < limits.min_notice_reach_m:
        raise ValidationError(
            f"a point notice needs buffer_m + radius_m of at least {limits.min_notice_reach_m:g} m",
            field="buffer_m")
    if notice.window.seconds < limits.min_notice_window_s:
        raise ValidationError(
            f"a notice window must last at least {limits.min_notice_window_s:g} s", field="window")
    since = hub.now() - timedelta(hours=1)
    recent = [f for f in hub.filings.values()
              if f.notice.party == actor.party and f.filed > since
              and f.notice.id not in hub.loaded]
    if len(recent) >= limits.notices_per_hour:
        raise RateLimitedError(f"at most {limits.notices_per_hour} notices per hour per party")


def footprint_extent_m(notice: Notice) -> float:
    """The widest span of the buffered footprint: its geometry's box diagonal plus the buffer."""
    west, south, east, north = notice.shape.geometry.bounds
    diagonal = float(GEOD.inv(west, south, east, north)[2])
    return diagonal + 2 * (notice.buffer_m + notice.shape.radius_m)


def adopt_loaded_notices(hub: Hub) -> list[Filing]:
    """Notices that came with a loaded scenario get a filing, screened now, so that their owners
    and the parties they touch see, answer and close them like any other. A scenario describes a
    state already known to its parties, so no alert is raised, and they do not count against
    the notifier's hourly budget."""
    with hub.lock:
        loose = [n for n in hub.scenario().notices if n.id not in hub.filings]
        adopted = []
        for notice in loose:
            conflicts = tuple(hub.screen(notice))
            checkpoint = ledger.cite_checkpoint(hub)
            with hub.store.atomic():
                filing = Filing(notice, _first_state(conflicts), hub.now(), checkpoint,
                                conflicts)
                hub.store.save_filing(filing)
                _record_filing(hub, filing, ledger.HUB, "notice.loaded",
                               notice_view(hub, filing, notice.party))
            hub.filed(filing)
            hub.loaded.add(notice.id)
            adopted.append(filing)
        return adopted


def _touched_alerts(hub: Hub, filing: Filing) -> list[Alert]:
    scenario = hub.scenario()  # once, not once per party: it holds every unit
    return [alert(hub, party, AlertKind.NOTICE_CONFLICT,
                  **notice_view(hub, filing, party, scenario))
            for party in sorted(filing.touched)]


def _probing_alerts(hub: Hub, filing: Filing) -> list[Alert]:
    """Many small notices from one party around another's forces within an hour."""
    limits, notice = hub.limits, filing.notice
    if not _small(notice, limits.probing_small_m):
        return []
    since = hub.now() - timedelta(hours=1)
    recent = [f for f in hub.filings.values() if f.notice.party == notice.party
              and f.filed > since and _small(f.notice, limits.probing_small_m)
              and f.notice.id not in hub.loaded]
    recent.append(filing)
    # Whose forces each notice touches, found once per notice rather than once per party.
    forces = [_forces_touched(f) for f in recent]
    out = []
    for party in sorted(filing.touched & forces[-1]):
        around = sum(party in touched for touched in forces)
        if around >= limits.probing_count:
            out.append(alert(hub, party, AlertKind.PROBING, by=notice.party, count=around,
                             window_hours=1))
    return out


def _small(notice: Notice, limit_m: float) -> bool:
    return notice.shape.is_point and notice.buffer_m + notice.shape.radius_m < limit_m


def _forces_touched(filing: Filing) -> frozenset[str]:
    return frozenset(c.party for c in filing.conflicts if c.rule is Rule.UNIT)


def visible_filings(hub: Hub, actor: Credential) -> list[Filing]:
    return [f for f in hub.filings.values() if visible_filing(f, actor.party)]


def notice_view(hub: Hub, filing: Filing, viewer: str,
                scenario: Scenario | None = None) -> dict[str, Any]:
    """A filing as ``viewer`` may see it: findings about others are told, not shown.
    ``scenario`` is the hub's picture, when the caller already holds it."""
    scenario = hub.scenario() if scenario is None else scenario
    own = viewer == filing.notice.party
    conflicts = [c for c in filing.conflicts if own or c.party == viewer]
    visible = _visible_notice_ids(hub, viewer, conflicts)
    return {
        "id": filing.notice.id,
        "party": filing.notice.party,
        "state": filing.state.value,
        "verdict": "conflict" if filing.conflicts else "clear",
        "checkpoint": filing.checkpoint,
        "conflicts": told_conflicts(conflicts, viewer, scenario, visible),
        "awaiting": sorted(filing.awaiting) if own else [],
        "answers": [{"party": a.party, "answer": a.kind.value, "comment": a.comment}
                    for a in filing.answers if own or a.party == viewer],
    }


def _visible_notice_ids(hub: Hub, viewer: str, conflicts: Sequence[Conflict]) -> frozenset[str]:
    """The notices these findings name that ``viewer`` may see: only they are looked up, not
    every filing of the hub (which made each view cost in proportion to all filings)."""
    named = {c.target for c in conflicts if c.rule is Rule.NOTICE}
    return frozenset(i for i in named
                     if (f := hub.filings.get(i)) is not None and visible_filing(f, viewer))


def _visible_or_404(hub: Hub, actor: Credential, notice_id: str) -> Filing:
    filing = hub.filings.get(notice_id)
    if filing is None or not visible_filing(filing, actor.party):
        raise NotFoundError(f"no notice {notice_id!r}", field="id")
    return filing


def answer_notice(hub: Hub, actor: Credential, notice_id: str, kind: AnswerKind,
                  comment: str = "") -> dict[str, Any]:
    """A touched party acknowledges or objects; the notifier is told."""
    with hub.lock:
        now = hub.now()
        require_actor(actor, now)
        filing = _visible_or_404(hub, actor, notice_id)
        if actor.party not in filing.touched:
            raise ConflictingStateError("only a party the notice touches answers it",
                                        field="answer")
        if not filing.state.is_open or filing.state is NoticeState.CLEARED:
            raise ConflictingStateError(f"the notice is {filing.state.value}", field="answer")
        filing = filing.answered(Answer(actor.party, kind, now, comment))
        with hub.store.atomic():
            hub.store.save_filing(filing)
            ledger.record(hub, actor.party, f"notice.{kind.value}", notice_id,
                          {"notice": notice_id, "answer": kind.value, "comment": comment,
                           "state": filing.state.value},
                          audience=[filing.notice.party])
            raise_alerts(hub, [alert(hub, filing.notice.party, AlertKind.NOTICE_ANSWERED,
                                     notice=notice_id, party=actor.party, answer=kind.value,
                                     comment=comment, state=filing.state.value)])
        hub.filed(filing)
        return notice_view(hub, filing, actor.party)


def set_notice_state(hub: Hub, actor: Credential, notice_id: str, state: NoticeState
                     ) -> dict[str, Any]:
    """The notifier clears, cancels or completes its notice; touched parties are told."""
    with hub.lock:
        now = hub.now()
        require_actor(actor, now)
        filing = _visible_or_404(hub, actor, notice_id)
        if filing.notice.party != actor.party:
            raise ConflictingStateError("only the notifying party changes a notice's state",
                                        field="state")
        allowed = _NEXT_STATES.get(state, ())
        if filing.state not in allowed:
            raise ConflictingStateError(
                f"a {filing.state.value} notice cannot become {state.value}", field="state")
        filing = replace(filing, state=state)
        with hub.store.atomic():
            hub.store.save_filing(filing)
            ledger.record(hub, actor.party, f"notice.{state.value}", notice_id,
                          {"notice": notice_id, "state": state.value}, audience=filing.touched)
            raise_alerts(hub, [alert(hub, p, AlertKind.NOTICE_STATE, notice=notice_id,
                                     state=state.value) for p in sorted(filing.touched)])
        hub.filed(filing)
        return notice_view(hub, filing, actor.party)
