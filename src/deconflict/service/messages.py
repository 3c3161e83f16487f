"""Lines of communication: air, ground and command, with acknowledgement deadlines.

A message not acknowledged in time escalates to the next level and both sides are alerted; a
party silent at ``command`` is marked unresponsive, and its open notices then occupy their volumes
at all times in screening, until it acknowledges a message again.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from deconflict.errors import ConflictingStateError, NotFoundError, ValidationError
from deconflict.model import Alert, AlertKind, Credential, Level, Message, rfc3339
from deconflict.service import ledger
from deconflict.service.alerts import alert, raise_alerts
from deconflict.service.hub import Hub, require_actor

__all__ = ["acknowledge_message", "escalate_overdue", "message_view", "messages_for",
           "send_message"]


def message_view(message: Message) -> dict[str, Any]:
    return {
        "id": message.id, "from": message.sender, "to": message.recipient,
        "level": message.level.value, "text": message.text, "sent": rfc3339(message.sent),
        "deadline": rfc3339(message.deadline),
        "acknowledged": rfc3339(message.acknowledged) if message.acknowledged else None,
        "escalated": rfc3339(message.escalated) if message.escalated else None,
        "escalated_from": message.escalated_from,
    }


def send_message(hub: Hub, actor: Credential, to: str, level: Level, text: str,
                 ack_within_s: float) -> Message:
    with hub.lock:
        now = hub.now()
        require_actor(actor, now)
        if to not in hub.party_ids() or to == actor.party:
            raise ValidationError("the recipient must be another party of the hub", field="to")
        if not 0 < ack_within_s <= hub.limits.max_ack_within_s:
            raise ValidationError(
                f"ack_within_s must be in (0, {hub.limits.max_ack_within_s:g}]",
                field="ack_within_s")
        if not text.strip():
            raise ValidationError("a message needs text", field="text")
        message = Message(f"msg-{secrets.token_hex(6)}", actor.party, to, level, text, now,
                          now + timedelta(seconds=ack_within_s))
        _save(hub, message, [alert(hub, to, AlertKind.MESSAGE, **message_view(message))],
              actor.party, "message")
        return message


def _save(hub: Hub, message: Message, alerts: list[Alert], actor: str, kind: str) -> None:
    with hub.store.atomic():
        hub.store.save_message(message)
        ledger.record(hub, actor, kind, message.id, message_view(message),
                      audience=[message.sender, message.recipient])
        raise_alerts(hub, alerts)


def messages_for(hub: Hub, actor: Credential) -> list[Message]:
    return hub.store.messages(actor.party)


def _own(hub: Hub, actor: Credential, message_id: str) -> Message:
    try:
        message = hub.store.message(message_id)
    except NotFoundError:
        message = None
    if message is None or actor.party not in (message.sender, message.recipient):
        raise NotFoundError(f"no message {message_id!r}", field="id")
    return message


def acknowledge_message(hub: Hub, actor: Credential, message_id: str) -> Message:
    """The recipient acknowledges; a silent party that answers is responsive again."""
    with hub.lock:
        now = hub.now()
        require_actor(actor, now)
        message = _own(hub, actor, message_id)
        if message.recipient != actor.party:
            raise ConflictingStateError("only the recipient acknowledges a message", field="id")
        if message.acknowledged is not None:
            return message
        message = replace(message, acknowledged=now)
        notice = [alert(hub, message.sender, AlertKind.MESSAGE_ACKNOWLEDGED, id=message.id,
                        by=actor.party, level=message.level.value)]
        with hub.store.atomic():
            _save(hub, message, notice, actor.party, "message.acknowledge")
            for later in _open_follow_ups(hub, message):
                hub.store.save_message(replace(later, acknowledged=now))
            if actor.party in hub.store.unresponsive():
                hub.store.set_unresponsive(actor.party, None)
                hub.changed()
        return message


def _open_follow_ups(hub: Hub, message: Message) -> list[Message]:
    """Open escalations of ``message``: a late answer to the first message answers the chain,
    so it must not go on escalating to a party that has already replied."""
    later = {m.escalated_from: m for m in hub.store.messages(message.recipient)
             if m.escalated_from is not None}
    found, current = [], later.get(message.id)
    while current is not None:
        if current.open:
            found.append(current)
        current = later.get(current.id)
    return found


def escalate_overdue(hub: Hub) -> list[Alert]:
    """Escalate every open message past its deadline; returns the alerts raised."""
    with hub.lock:
        now = hub.now()
        raised: list[Alert] = []
        for message in hub.store.messages(open_only=True):
            if message.overdue_at(now):
                raised += _escalate(hub, message, now)
        return raised


def _escalate(hub: Hub, message: Message, now: datetime) -> list[Alert]:
    closed = replace(message, escalated=now)
    step = message.level.next
    with hub.store.atomic():
        hub.store.save_message(closed)
        if step is None:
            return _silent(hub, message, now)
        follow = replace(message, id=f"msg-{secrets.token_hex(6)}", level=step, sent=now,
                         deadline=now + (message.deadline - message.sent),
                         escalated_from=message.id)
        payload = {"message": message.id, "escalated_to": follow.id, "level": step.value,
                   "from": message.sender, "to": message.recipient}
        alerts = [alert(hub, p, AlertKind.ESCALATION, **payload)
                  for p in (message.sender, message.recipient)]
        alerts.append(alert(hub, message.recipient, AlertKind.MESSAGE, **message_view(follow)))
        hub.store.save_message(follow)
        ledger.record(hub, ledger.HUB, "message.escalate", message.id,
                      {**payload, "follow_up": message_view(follow)},
                      audience=[message.sender, message.recipient])
        return raise_alerts(hub, alerts)


def _silent(hub: Hub, message: Message, now: datetime) -> list[Alert]:
    hub.store.set_unresponsive(message.recipient, now)
    payload = {"party": message.recipient, "message": message.id, "since": rfc3339(now)}
    ledger.record(hub, ledger.HUB, "party.unresponsive", message.recipient, payload,
                  audience=[message.sender, message.recipient])
    hub.changed()
    return raise_alerts(hub, [alert(hub, p, AlertKind.UNRESPONSIVE, **payload)
                              for p in (message.sender, message.recipient)])
