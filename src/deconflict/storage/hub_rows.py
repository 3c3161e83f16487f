"""Rows <-> model values for the hub's running state (credentials, filings, messages, alerts...).

Same conventions as :mod:`deconflict.storage.rows`: fixed-width UTC text for times, enum values
as their text, child lists as rows numbered by ``seq``. An alert's payload is JSON text, and only
payloads that come back equal are accepted, so what the store returns is what it was given.

>>> payload_text({"notice": "ru-strike-1", "parties": ["sdf"]})
'{"notice":"ru-strike-1","parties":["sdf"]}'
>>> payload_text({"band": (1, 2)})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
deconflict.errors.ValidationError: an alert payload must be plain JSON (...) so that it reads ...
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from deconflict.errors import ValidationError
from deconflict.model import (
    Alert,
    AlertKind,
    Answer,
    AnswerKind,
    Conflict,
    Credential,
    Filing,
    Level,
    Message,
    Notice,
    NoticeState,
    Role,
    Rule,
    Severity,
    ZoneVersion,
)
from deconflict.storage.rows import Row, text_time, time_text, zone_of, zone_row

__all__ = [
    "CREDENTIAL_COLUMNS",
    "MESSAGE_COLUMNS",
    "alert_of",
    "alert_row",
    "answer_rows",
    "conflict_rows",
    "credential_of",
    "credential_row",
    "filing_of",
    "filing_row",
    "message_of",
    "message_row",
    "payload_text",
    "side_rows",
    "signatory_rows",
    "signature_rows",
    "zone_version_of",
    "zone_version_row",
]

CREDENTIAL_COLUMNS = ("id", "secret_hash", "party", "role", "name", "created", "revoked")
MESSAGE_COLUMNS = ("id", "sender", "recipient", "level", "body", "sent", "deadline",
                   "acknowledged", "escalated", "escalated_from")

_PLAIN_JSON = ("an alert payload must be plain JSON (objects, lists, strings, finite numbers, "
               "booleans, null) so that it reads back unchanged")


def _opt_time_text(moment: datetime | None) -> str | None:
    return None if moment is None else time_text(moment)


def _opt_text_time(text: str | None) -> datetime | None:
    return None if text is None else text_time(text)


# -- access -------------------------------------------------------------------------------------

def credential_row(c: Credential, secret_hash: str) -> tuple[Any, ...]:
    """In the order of :data:`CREDENTIAL_COLUMNS`."""
    return (c.id, secret_hash, c.party, c.role.value, c.name, time_text(c.created),
            _opt_time_text(c.revoked))


def credential_of(r: Row) -> Credential:
    """From ``(id, party, role, name, created, revoked)`` (the secret's hash left out)."""
    return Credential(r[0], r[1], Role(r[2]), r[3], text_time(r[4]), _opt_text_time(r[5]))


# -- filings ------------------------------------------------------------------------------------

def filing_row(f: Filing) -> tuple[Any, ...]:
    """``(notice_id, state, filed, checkpoint)``."""
    return (f.notice.id, f.state.value, time_text(f.filed), f.checkpoint)


def conflict_rows(f: Filing) -> list[tuple[Any, ...]]:
    """``(notice_id, seq, rule, target, party, distance_m, severity)``, in the filing's order."""
    return [(f.notice.id, seq, c.rule.value, c.target, c.party, c.distance_m,
             None if c.severity is None else c.severity.value)
            for seq, c in enumerate(f.conflicts)]


def answer_rows(f: Filing) -> list[tuple[Any, ...]]:
    """``(notice_id, seq, party, kind, answered, comment)``, in the filing's order."""
    return [(f.notice.id, seq, a.party, a.kind.value, time_text(a.time), a.comment)
            for seq, a in enumerate(f.answers)]


def _conflict(r: Row) -> Conflict:
    """From ``(rule, target, party, distance_m, severity)``."""
    return Conflict(Rule(r[0]), r[1], r[2], r[3], None if r[4] is None else Severity(r[4]))


def _answer(r: Row) -> Answer:
    """From ``(party, kind, answered, comment)``."""
    return Answer(r[0], AnswerKind(r[1]), text_time(r[2]), r[3])


def filing_of(r: Row, notice: Notice, conflicts: Sequence[Row],
              answers: Sequence[Row]) -> Filing:
    """From ``(state, filed, checkpoint)`` and the child rows in ``seq`` order."""
    return Filing(notice, NoticeState(r[0]), text_time(r[1]), r[2],
                  tuple(_conflict(c) for c in conflicts), tuple(_answer(a) for a in answers))


# -- zone versions ------------------------------------------------------------------------------

def zone_version_row(v: ZoneVersion) -> tuple[Any, ...]:
    """``(zone_id, version, kind, geometry, radius_m, owner, name, proposer, proposed)``."""
    zone_id, kind, geometry, radius_m, owner, name, version = zone_row(v.zone)
    return (zone_id, version, kind, geometry, radius_m, owner, name, v.proposer,
            time_text(v.proposed))


def zone_version_of(r: Row, signatories: Sequence[str], sides: Sequence[tuple[str, str]],
                    signatures: Sequence[tuple[str, str]]) -> ZoneVersion:
    """From a :func:`zone_version_row` and the child rows (``signatures``: party, signed)."""
    zone = zone_of((r[0], r[2], r[3], r[4], r[5], r[6], r[1]), signatories, sides)
    signed = tuple((party, text_time(moment)) for party, moment in signatures)
    return ZoneVersion(zone, r[7], text_time(r[8]), signed)


def signatory_rows(v: ZoneVersion) -> list[tuple[Any, ...]]:
    """``(zone_id, version, seq, party)``."""
    return [(v.zone.id, v.zone.version, seq, party)
            for seq, party in enumerate(v.zone.signatories)]


def side_rows(v: ZoneVersion) -> list[tuple[Any, ...]]:
    """``(zone_id, version, seq, side, party)``."""
    return [(v.zone.id, v.zone.version, seq, side.value, party)
            for seq, (side, party) in enumerate(v.zone.sides)]


def signature_rows(v: ZoneVersion) -> list[tuple[Any, ...]]:
    """``(zone_id, version, seq, party, signed)``, in the order the signatures were given."""
    return [(v.zone.id, v.zone.version, seq, party, time_text(moment))
            for seq, (party, moment) in enumerate(v.signatures)]


# -- messages -----------------------------------------------------------------------------------

def message_row(m: Message) -> tuple[Any, ...]:
    """In the order of :data:`MESSAGE_COLUMNS`."""
    return (m.id, m.sender, m.recipient, m.level.value, m.text, time_text(m.sent),
            time_text(m.deadline), _opt_time_text(m.acknowledged), _opt_time_text(m.escalated),
            m.escalated_from)


def message_of(r: Row) -> Message:
    return Message(r[0], r[1], r[2], Level(r[3]), r[4], text_time(r[5]), text_time(r[6]),
                   _opt_text_time(r[7]), _opt_text_time(r[8]), r[9])


# -- alerts -------------------------------------------------------------------------------------

def payload_text(payload: dict[str, Any]) -> str:
    """Compact JSON text of a payload; refused unless it reads back equal (no tuples, NaN...)."""
    if not isinstance(payload, dict):
        raise ValidationError(_PLAIN_JSON, field="payload")
    try:
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_PLAIN_JSON, field="payload") from exc
    if json.loads(text) != payload:
        raise ValidationError(_PLAIN_JSON, field="payload")
    return text


def alert_row(a: Alert) -> tuple[Any, ...]:
    """``(audience, kind, raised, payload)``: the id is the store's to give."""
    return (a.audience, a.kind.value, time_text(a.time), payload_text(a.payload))


def alert_of(r: Row) -> Alert:
    """From ``(id, audience, kind, raised, payload)``."""
    return Alert(r[1], AlertKind(r[2]), text_time(r[3]), json.loads(r[4]), r[0])
