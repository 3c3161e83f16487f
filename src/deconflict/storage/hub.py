"""The hub's running state: credentials and sessions, filings, zone versions, messages, alerts
and separation levels (the ledger is :mod:`deconflict.storage.ledger`).

:class:`HubState` is mixed into :class:`~deconflict.storage.sql.SqlStore` and uses only its
statement and transaction helpers, so every backend gets these nouns without overriding anything.
Values are checked (times carry a zone, payloads are plain JSON) before the write lock is taken.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from deconflict.errors import ConflictingStateError, NotFoundError, ValidationError
from deconflict.model import Alert, Credential, Filing, Message, NoticeState, Severity, ZoneVersion
from deconflict.storage import hub_rows as h
from deconflict.storage import rows as r
from deconflict.storage.mixin import StorePart

__all__ = ["HubState", "marks"]

Group = dict[tuple[Any, ...], list[tuple[Any, ...]]]


def marks(count: int) -> str:
    """``?, ?, ?``: placeholders for a list of values (the values themselves stay parameters)."""
    return ", ".join("?" * count)


_CREDENTIALS = "SELECT id, party, role, name, created, revoked FROM credentials"
_SESSION = ("SELECT c.id, c.party, c.role, c.name, c.created, c.revoked FROM sessions AS s "
            "JOIN credentials AS c ON c.id = s.credential_id WHERE s.session_hash = ? "
            "AND s.expires > ? AND (c.revoked IS NULL OR c.revoked > ?)")
_NOTICE = f"SELECT {', '.join(r.NOTICES.columns)} FROM notices WHERE id = ?"
_FILINGS = ("SELECT f.notice_id, f.state, f.filed, f.checkpoint, "
            + ", ".join(f"n.{name}" for name in r.NOTICES.columns)
            + " FROM filings AS f JOIN notices AS n ON n.id = f.notice_id")
_FILING_CONFLICTS = ("SELECT c.notice_id, c.rule, c.target, c.party, c.distance_m, c.severity "
                     "FROM filing_conflicts AS c JOIN filings AS f ON f.notice_id = c.notice_id")
_FILING_ANSWERS = ("SELECT a.notice_id, a.party, a.kind, a.answered, a.comment "
                   "FROM filing_answers AS a JOIN filings AS f ON f.notice_id = a.notice_id")
_SAVE_FILING = ("INSERT INTO filings (notice_id, state, filed, checkpoint) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (notice_id) DO UPDATE SET state = excluded.state, "
                "filed = excluded.filed, checkpoint = excluded.checkpoint")
_ZONE_VERSIONS = ("SELECT zone_id, version, kind, geometry, radius_m, owner, name, proposer, "
                  "proposed FROM zone_versions")
_MESSAGES = f"SELECT {', '.join(h.MESSAGE_COLUMNS)} FROM messages"
_SAVE_MESSAGE = (f"INSERT INTO messages ({', '.join(h.MESSAGE_COLUMNS)}) "
                 f"VALUES ({marks(len(h.MESSAGE_COLUMNS))}) ON CONFLICT (id) DO UPDATE SET "
                 + ", ".join(f"{name} = excluded.{name}" for name in h.MESSAGE_COLUMNS[1:]))
_LEVELS = frozenset(s.value for s in Severity)


class HubState(StorePart):
    """Store methods for the hub's running state (mixed into the generic SQL store)."""

    # -- access ---------------------------------------------------------------------------------

    def add_credential(self, credential: Credential, secret_hash: str) -> None:
        row = h.credential_row(credential, secret_hash)
        with self._write():
            clash = self._one("SELECT id FROM credentials WHERE id = ? OR secret_hash = ?",
                              (credential.id, secret_hash))
            if clash is not None:
                what = (f"credential {credential.id!r} exists" if clash[0] == credential.id
                        else "another credential has the same secret")
                raise ConflictingStateError(what, field="credential")
            self._execute(f"INSERT INTO credentials ({', '.join(h.CREDENTIAL_COLUMNS)}) "
                          f"VALUES ({marks(len(row))})", row)

    def credential_by_hash(self, secret_hash: str) -> Credential | None:
        with self._read():
            found = self._one(f"{_CREDENTIALS} WHERE secret_hash = ?", (secret_hash,))
        return None if found is None else h.credential_of(found)

    def credentials(self, party: str | None = None) -> list[Credential]:
        where, params = ("", ()) if party is None else (" WHERE party = ?", (party,))
        with self._read():
            found = self._rows(f"{_CREDENTIALS}{where} ORDER BY created, id", params)
        return [h.credential_of(row) for row in found]

    def revoke_credential(self, credential_id: str, at: datetime) -> Credential:
        moment = r.time_text(at)
        with self._write():
            self._require_credential(credential_id)
            # A second revocation may only bring the end forward, never lift or postpone it.
            self._execute("UPDATE credentials SET revoked = ? WHERE id = ? "
                          "AND (revoked IS NULL OR revoked > ?)", (moment, credential_id, moment))
            found = self._one(f"{_CREDENTIALS} WHERE id = ?", (credential_id,))
        return h.credential_of(found)

    def add_session(self, session_hash: str, credential_id: str, expires: datetime) -> None:
        until = r.time_text(expires)
        with self._write():
            self._require_credential(credential_id)
            if self._one("SELECT 1 FROM sessions WHERE session_hash = ?",
                         (session_hash,)) is not None:
                raise ConflictingStateError("the session exists already", field="session")
            self._execute("INSERT INTO sessions (session_hash, credential_id, expires) "
                          "VALUES (?, ?, ?)", (session_hash, credential_id, until))

    def end_session(self, session_hash: str) -> None:
        """Forget a session (signing out); unknown sessions are ignored."""
        with self._write():
            self._execute("DELETE FROM sessions WHERE session_hash = ?", (session_hash,))

    def session_credential(self, session_hash: str, at: datetime) -> Credential | None:
        moment = r.time_text(at)
        with self._read():
            found = self._one(_SESSION, (session_hash, moment, moment))
        return None if found is None else h.credential_of(found)

    def _require_credential(self, credential_id: str) -> None:
        if self._one("SELECT 1 FROM credentials WHERE id = ?", (credential_id,)) is None:
            raise NotFoundError(f"no credential {credential_id!r}", field="credential")

    # -- filings --------------------------------------------------------------------------------

    def save_filing(self, filing: Filing) -> None:
        notice = r.NOTICES.dump(filing.notice)
        head = h.filing_row(filing)
        conflicts, answers = h.conflict_rows(filing), h.answer_rows(filing)
        with self._write():
            self._require_notice(notice)
            self._execute(_SAVE_FILING, head)
            self._execute("DELETE FROM filing_conflicts WHERE notice_id = ?", (head[0],))
            self._execute("DELETE FROM filing_answers WHERE notice_id = ?", (head[0],))
            self._many("INSERT INTO filing_conflicts (notice_id, seq, rule, target, party, "
                       "distance_m, severity) VALUES (?, ?, ?, ?, ?, ?, ?)", conflicts)
            self._many("INSERT INTO filing_answers (notice_id, seq, party, kind, answered, "
                       "comment) VALUES (?, ?, ?, ?, ?, ?)", answers)

    def filing(self, notice_id: str) -> Filing:
        found = self._filings(" WHERE f.notice_id = ?", (notice_id,))
        if not found:
            raise NotFoundError(f"no filing for notice {notice_id!r}", field="notice")
        return found[0]

    def filings(self, states: Collection[NoticeState] | None = None) -> list[Filing]:
        if states is None:
            return self._filings("", ())
        wanted = sorted({NoticeState(s).value for s in states})
        if not wanted:
            return []
        return self._filings(f" WHERE f.state IN ({marks(len(wanted))})", wanted)

    def _require_notice(self, notice: tuple[Any, ...]) -> None:
        """The filed notice must be stored, and be the same (a filing reads it back from there)."""
        stored = self._one(_NOTICE, (notice[0],))
        if stored is None:
            raise NotFoundError(f"no notice {notice[0]!r}", field="notice")
        if tuple(stored) != notice:
            raise ConflictingStateError(f"notice {notice[0]!r} differs from the stored one",
                                        field="notice")

    def _filings(self, where: str, params: Sequence[Any]) -> list[Filing]:
        """Filings matching ``where`` (a fixed condition on ``f``), by time filed, then id."""
        with self._read():
            heads = self._rows(f"{_FILINGS}{where} ORDER BY f.filed, f.notice_id", params)
            conflicts = _group(self._rows(f"{_FILING_CONFLICTS}{where} ORDER BY c.notice_id, "
                                          "c.seq", params), 1)
            answers = _group(self._rows(f"{_FILING_ANSWERS}{where} ORDER BY a.notice_id, a.seq",
                                        params), 1)
        return [h.filing_of(row[1:4], r.NOTICES.load(row[4:]), conflicts.get((row[0],), []),
                            answers.get((row[0],), [])) for row in heads]

    # -- zone versions --------------------------------------------------------------------------

    def save_zone_version(self, version: ZoneVersion) -> None:
        head = h.zone_version_row(version)
        signatories, sides = h.signatory_rows(version), h.side_rows(version)
        signatures = h.signature_rows(version)
        with self._write():
            # The children go with the row (ON DELETE CASCADE), then all are written afresh.
            self._execute("DELETE FROM zone_versions WHERE zone_id = ? AND version = ?",
                          head[:2])
            self._execute(f"INSERT INTO zone_versions (zone_id, version, kind, geometry, "
                          f"radius_m, owner, name, proposer, proposed) VALUES ({marks(9)})", head)
            self._many("INSERT INTO zone_version_signatories (zone_id, version, seq, party) "
                       "VALUES (?, ?, ?, ?)", signatories)
            self._many("INSERT INTO zone_version_sides (zone_id, version, seq, side, party) "
                       "VALUES (?, ?, ?, ?, ?)", sides)
            self._many("INSERT INTO zone_version_signatures (zone_id, version, seq, party, "
                       "signed) VALUES (?, ?, ?, ?, ?)", signatures)

    def zone_versions(self, zone_id: str | None = None) -> list[ZoneVersion]:
        where, params = ("", ()) if zone_id is None else (" WHERE zone_id = ?", (zone_id,))
        order = " ORDER BY zone_id, version, seq"
        with self._read():
            heads = self._rows(f"{_ZONE_VERSIONS}{where} ORDER BY zone_id, version", params)
            signatories = _group(self._rows("SELECT zone_id, version, party FROM "
                                            f"zone_version_signatories{where}{order}", params), 2)
            sides = _group(self._rows("SELECT zone_id, version, side, party FROM "
                                      f"zone_version_sides{where}{order}", params), 2)
            signatures = _group(self._rows("SELECT zone_id, version, party, signed FROM "
                                           f"zone_version_signatures{where}{order}", params), 2)
        return [_zone_version(row, signatories, sides, signatures) for row in heads]

    # -- lines of communication -----------------------------------------------------------------

    def save_message(self, message: Message) -> None:
        row = h.message_row(message)
        with self._write():
            self._execute(_SAVE_MESSAGE, row)

    def message(self, message_id: str) -> Message:
        with self._read():
            found = self._one(f"{_MESSAGES} WHERE id = ?", (message_id,))
        if found is None:
            raise NotFoundError(f"no message {message_id!r}", field="message")
        return h.message_of(found)

    def messages(self, party: str | None = None, open_only: bool = False) -> list[Message]:
        conditions: list[str] = []
        params: list[Any] = []
        if party is not None:
            conditions.append("(sender = ? OR recipient = ?)")
            params += [party, party]
        if open_only:
            conditions.append("acknowledged IS NULL AND escalated IS NULL")
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        with self._read():
            found = self._rows(f"{_MESSAGES}{where} ORDER BY sent, id", params)
        return [h.message_of(row) for row in found]

    def set_unresponsive(self, party: str, since: datetime | None) -> None:
        moment = None if since is None else r.time_text(since)
        with self._write():
            if moment is None:
                self._execute("DELETE FROM unresponsive WHERE party = ?", (party,))
            else:
                self._execute("INSERT INTO unresponsive (party, since) VALUES (?, ?) "
                              "ON CONFLICT (party) DO UPDATE SET since = excluded.since",
                              (party, moment))

    def unresponsive(self) -> dict[str, datetime]:
        with self._read():
            found = self._rows("SELECT party, since FROM unresponsive ORDER BY party")
        return {party: r.text_time(since) for party, since in found}

    # -- alerts ---------------------------------------------------------------------------------

    def add_alerts(self, alerts: Sequence[Alert]) -> list[Alert]:
        rows = [h.alert_row(alert) for alert in alerts]
        if not rows:
            return []
        with self._write():
            first = self._next("alerts", "id", 1)
            self._many("INSERT INTO alerts (id, audience, kind, raised, payload) "
                       "VALUES (?, ?, ?, ?, ?)", [(first + n, *row) for n, row in enumerate(rows)])
        return [replace(alert, id=first + n) for n, alert in enumerate(alerts)]

    def alerts_after(self, audience: str, after_id: int = 0, limit: int = 1000) -> list[Alert]:
        if limit < 0:
            raise ValidationError("limit must not be negative", field="limit")
        with self._read():
            found = self._rows("SELECT id, audience, kind, raised, payload FROM alerts "
                               "WHERE audience = ? AND id > ? ORDER BY id LIMIT ?",
                               (audience, after_id, limit))
        return [h.alert_of(row) for row in found]

    def last_alert_id(self) -> int:
        with self._read():
            return self._next("alerts", "id", 1) - 1

    # -- separation alert state -----------------------------------------------------------------

    def separation_levels(self) -> dict[tuple[str, str], str]:
        with self._read():
            found = self._rows("SELECT a, b, level FROM separation_levels ORDER BY a, b")
        return {(a, b): level for a, b, level in found}

    def set_separation_levels(self, changes: Mapping[tuple[str, str], str | None]) -> None:
        upserts, deletes = _level_rows(changes)
        with self._write():
            self._many("DELETE FROM separation_levels WHERE a = ? AND b = ?", deletes)
            self._many("INSERT INTO separation_levels (a, b, level) VALUES (?, ?, ?) "
                       "ON CONFLICT (a, b) DO UPDATE SET level = excluded.level", upserts)


def _group(rows: Sequence[Sequence[Any]], width: int) -> Group:
    """Rows keyed by their first ``width`` columns, in the order given (the rest as values)."""
    grouped: defaultdict[tuple[Any, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        grouped[tuple(row[:width])].append(tuple(row[width:]))
    return grouped


def _zone_version(row: Sequence[Any], signatories: Group, sides: Group,
                  signatures: Group) -> ZoneVersion:
    key = (row[0], row[1])
    return h.zone_version_of(row, [party for (party,) in signatories.get(key, [])],
                             sides.get(key, []), signatures.get(key, []))


def _level_rows(changes: Mapping[tuple[str, str], str | None]
                ) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """``(a, b, level)`` to write and ``(a, b)`` to forget; keys must name ``a < b``."""
    upserts: list[tuple[str, str, str]] = []
    deletes: list[tuple[str, str]] = []
    for (a, b), level in changes.items():
        if not a < b:
            raise ValidationError(f"a pair must be ordered (a < b), got ({a!r}, {b!r})",
                                  field="changes")
        if level is None:
            deletes.append((a, b))
        elif level in _LEVELS:
            upserts.append((a, b, Severity(level).value))
        else:
            raise ValidationError(f"level must be warn or critical, got {level!r}",
                                  field="changes")
    return upserts, deletes
