"""The Store contract: what the service, CLI, demo and benchmarks may ask of any backend.

Every backend (SQLite now, PostgreSQL + PostGIS later) honours the same promises:

* a write is acknowledged only once it is durable, and is all or nothing;
* writes inside :meth:`Store.atomic` join one transaction: durable together at the end of the
  block, or not at all if an exception leaves it; a write that fails inside the block leaves no
  trace of itself (the block may catch the error and go on);
* times are timezone-aware; naive datetimes are refused with :class:`ValidationError`;
* unknown objects raise :class:`NotFoundError`; duplicate ids :class:`ConflictingStateError`;
  a database the backend cannot serve raises :class:`StoreError`;
* what is read back equals what was written (``==`` on the model's frozen dataclasses).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol, runtime_checkable

from deconflict.model import (
    Alert,
    Credential,
    DisclosureRule,
    Filing,
    Fix,
    Message,
    Notice,
    NoticeState,
    Party,
    Scenario,
    Site,
    Unit,
    Zone,
    ZoneVersion,
)
from deconflict.model.detection import Crossing, Detection, Track
from deconflict.model.incident import Incident
from deconflict.storage.ledger import CheckpointRow, KeyRow, LedgerRow

__all__ = ["Store"]


@runtime_checkable
class Store(Protocol):
    """The hub's persistent state."""

    #: The newest schema migration applied to the database.
    schema_version: int

    def replace_scenario(self, scenario: Scenario) -> None:
        """Replace the whole state with ``scenario``, atomically, in one transaction."""
        ...

    def scenario(self, at: datetime | None = None, *, tail: int | None = None) -> Scenario:
        """Rebuild the state; units carry their full track, or the fixes up to ``at``.

        The scenario's time is ``at`` or the stored "now". Units with no fix up to ``at`` are left
        out (a unit needs a position). With ``tail``, each unit carries only its latest ``tail``
        fixes (up to ``at``): what a live picture needs, without reading the whole history.
        Raises :class:`NotFoundError` when nothing was stored yet.
        """
        ...

    def add_fixes(self, reports: Sequence[tuple[str, Fix]]) -> None:
        """Append position reports ``(unit id, fix)``: all or nothing, durable on return.

        An unknown unit id raises :class:`NotFoundError` and writes none of the batch.
        """
        ...

    def track(self, unit_id: str, since: datetime | None = None,
              until: datetime | None = None) -> tuple[Fix, ...]:
        """The unit's fixes with ``since ≤ time ≤ until``, oldest first."""
        ...

    def units_near(self, lon: float, lat: float, distance_m: float, at: datetime) -> list[str]:
        """Ids of units whose latest fix at ``at`` lies within ``distance_m + radius_m`` of the
        point (geodesic, WGS84), nearest first. Staleness is not filtered: the fix's ``stale``
        time is for the caller to judge."""
        ...

    def candidates_near(self, lon: float, lat: float, distance_m: float) -> list[tuple[str, str]]:
        """``(kind, id)`` of areas, zones, sites, notices, sensors and borders that *may* lie
        within ``distance_m`` of the point: a spatial prefilter that never drops a true one;
        the caller refines exactly. Kinds: ``area zone site notice sensor border``."""
        ...

    def set_time(self, now: datetime) -> None:
        """Move the stored "now"."""
        ...

    def atomic(self) -> AbstractContextManager[None]:
        """A block whose writes form one transaction (see the module's promises); nested blocks
        join the outer one; reads inside see the block's writes. Other users of the store wait
        for the block to end, so keep it short and do no slow work (geodesy, I/O) inside."""
        ...

    # -- access ---------------------------------------------------------------------------------

    def add_credential(self, credential: Credential, secret_hash: str) -> None:
        """Store a credential; a taken id or secret hash raises :class:`ConflictingStateError`."""
        ...

    def credential_by_hash(self, secret_hash: str) -> Credential | None:
        """The credential whose secret has this hash (revoked or not), or ``None``."""
        ...

    def credentials(self, party: str | None = None) -> list[Credential]:
        """All credentials, or one party's, by creation time then id."""
        ...

    def revoke_credential(self, credential_id: str, at: datetime) -> Credential:
        """Revoke from ``at`` on (an earlier revocation stands); the credential as now stored."""
        ...

    def add_session(self, session_hash: str, credential_id: str, expires: datetime) -> None:
        """Open a session for a stored credential (:class:`NotFoundError` otherwise); a taken
        session hash raises :class:`ConflictingStateError`."""
        ...

    def end_session(self, session_hash: str) -> None:
        """Forget a session (signing out); unknown sessions are ignored."""
        ...

    def session_credential(self, session_hash: str, at: datetime) -> Credential | None:
        """The session's credential, or ``None`` when the session is unknown, expired
        (``at ≥ expires``) or its credential revoked at or before ``at``."""
        ...

    # -- parties and disclosure -----------------------------------------------------------------

    def parties(self) -> list[Party]:
        """The parties, in the order they were stored."""
        ...

    def add_party(self, party: Party) -> None:
        """Append a party; a taken id raises :class:`ConflictingStateError`."""
        ...

    def set_disclosure(self, rule: DisclosureRule) -> None:
        """Set what ``source`` releases to ``recipient`` (replacing the earlier level)."""
        ...

    # -- objects filed while the hub runs (they appear in scenario() from then on) ------------

    def add_notice(self, notice: Notice) -> None:
        """Append a notice. Units, areas, zones, sites, notices, sensors and borders share one
        namespace: a taken id raises :class:`ConflictingStateError`."""
        ...

    def add_site(self, site: Site) -> None:
        """Append a protected site (ids as for :meth:`add_notice`)."""
        ...

    def put_zone(self, zone: Zone) -> None:
        """Make ``zone`` the zone or line in effect under its id, in place of the one before
        (keeping its place in the list); an id taken by another kind of object is refused."""
        ...

    def add_unit(self, unit: Unit) -> None:
        """Append a unit with its track (ids as for :meth:`add_notice`)."""
        ...

    # -- filings --------------------------------------------------------------------------------

    def save_filing(self, filing: Filing) -> None:
        """Store or replace the filing of ``filing.notice``: state, time filed, checkpoint,
        conflicts and answers (in their order). The notice must be stored and equal
        (:class:`NotFoundError`, :class:`ConflictingStateError`). Replacing the scenario's
        notices drops their filings."""
        ...

    def filing(self, notice_id: str) -> Filing:
        """The filing of a notice, or :class:`NotFoundError`."""
        ...

    def filings(self, states: Collection[NoticeState] | None = None) -> list[Filing]:
        """Filings (in any of ``states``), by time filed, then notice id."""
        ...

    # -- zone versions --------------------------------------------------------------------------

    def save_zone_version(self, version: ZoneVersion) -> None:
        """Store or replace the version ``(zone.id, zone.version)``, signatures in order."""
        ...

    def zone_versions(self, zone_id: str | None = None) -> list[ZoneVersion]:
        """Versions (of one zone), by zone id, then version."""
        ...

    # -- lines of communication -----------------------------------------------------------------

    def save_message(self, message: Message) -> None:
        """Store or replace a message by id."""
        ...

    def message(self, message_id: str) -> Message:
        """A message, or :class:`NotFoundError`."""
        ...

    def messages(self, party: str | None = None, open_only: bool = False) -> list[Message]:
        """Messages (sent or received by ``party``; only open ones: neither acknowledged nor
        escalated), by time sent, then id."""
        ...

    def set_unresponsive(self, party: str, since: datetime | None) -> None:
        """Mark a party silent since a moment; ``None`` clears the mark."""
        ...

    def unresponsive(self) -> dict[str, datetime]:
        """Silent parties and since when, by party id."""
        ...

    # -- alerts ---------------------------------------------------------------------------------

    def add_alerts(self, alerts: Sequence[Alert]) -> list[Alert]:
        """Append alerts in one transaction; copies with their ids, which only ever grow. A
        payload must be plain JSON that reads back equal (no tuples, NaN or non-text keys):
        :class:`ValidationError` otherwise."""
        ...

    def alerts_after(self, audience: str, after_id: int = 0, limit: int = 1000) -> list[Alert]:
        """Up to ``limit`` alerts for ``audience`` with ``id > after_id``, oldest first."""
        ...

    def last_alert_id(self) -> int:
        """The newest alert id (0 when none)."""
        ...

    # -- separation alert state -----------------------------------------------------------------

    def separation_levels(self) -> dict[tuple[str, str], str]:
        """The level last alerted for each close pair of units ``(a, b)``, ``a < b``:
        ``warn`` or ``critical``."""
        ...

    def set_separation_levels(self, changes: Mapping[tuple[str, str], str | None]) -> None:
        """Set (or with ``None`` forget) pairs' levels; an unordered pair or an unknown level
        raises :class:`ValidationError`."""
        ...

    # -- ledger ---------------------------------------------------------------------------------

    def ledger_size(self) -> int:
        """How many entries the log holds (the next entry's index; 0 when none)."""
        ...

    def append_entry(self, row: LedgerRow, subjects: Sequence[str] = ()) -> None:
        """Append the next entry (``row.index`` must be the log's size, else
        :class:`ConflictingStateError`); ``subjects``: further ids it is about."""
        ...

    def ledger_entry(self, index: int) -> LedgerRow:
        """The entry at ``index``, or :class:`NotFoundError`."""
        ...

    def ledger_entries(self, start: int = 0, stop: int | None = None) -> list[LedgerRow]:
        """Entries with ``start <= index < stop``, in order."""
        ...

    def ledger_entries_about(self, ref: str) -> list[LedgerRow]:
        """Entries whose ``ref`` or subjects name ``ref``, in order."""
        ...

    def ledger_entries_between(self, ref: str, since: datetime, until: datetime, *,
                               kind: str | None = None,
                               containing: str | None = None) -> list[LedgerRow]:
        """Entries with ``ref`` (and ``kind``) timed within ``[since, until]`` whose body text
        holds ``containing``, in order."""
        ...

    def leaf_hashes(self, start: int = 0) -> list[bytes]:
        """Leaf hashes from index ``start`` on, in order."""
        ...

    def add_key(self, key: KeyRow) -> None:
        """Store a signing key; a taken key id raises :class:`ConflictingStateError`."""
        ...

    def retire_key(self, key_id: str, at: datetime) -> None:
        """The key signs nothing from ``at`` on (it still verifies what it signed)."""
        ...

    def ledger_keys(self, name: str | None = None) -> list[KeyRow]:
        """Every key (or one name's), by registration time, then key id."""
        ...

    def save_checkpoint(self, checkpoint: CheckpointRow) -> None:
        """Store a checkpoint or a note with more signatures; another root for a published size
        raises :class:`ConflictingStateError`."""
        ...

    def ledger_checkpoint(self, size: int | None = None) -> CheckpointRow:
        """The checkpoint of ``size`` (default: the latest), or :class:`NotFoundError`."""
        ...

    def ledger_checkpoint_at_most(self, size: int) -> CheckpointRow | None:
        """The largest checkpoint of at most ``size`` leaves, if any."""
        ...

    def ledger_checkpoints(self) -> list[CheckpointRow]:
        """Every published checkpoint, by size."""
        ...

    def ledger_origin(self, proposed: str) -> str:
        """The log's origin: the one chosen before, or ``proposed`` from now on."""
        ...

    # -- incidents ------------------------------------------------------------------------------

    def add_incident(self, incident: Incident) -> None:
        """Store an incident with its correlated items (in order); a taken id raises
        :class:`ConflictingStateError`."""
        ...

    def incident(self, incident_id: str) -> Incident:
        """An incident, or :class:`NotFoundError`."""
        ...

    def incidents(self, party: str | None = None) -> list[Incident]:
        """Incidents (reported by ``party``), in the order they were filed."""
        ...

    # -- detections and tracks ------------------------------------------------------------------

    def add_detections(self, detections: Sequence[Detection], tracks: Sequence[Track],
                       crossings: Sequence[Crossing] = ()) -> None:
        """Append new detections, store the tracks that hold them (new ones, or existing ones
        with their new head and state; closed ones too) and append new crossings, in one
        transaction. Each detection must be held by exactly one of ``tracks``
        (:class:`ValidationError`); a taken detection id raises
        :class:`ConflictingStateError`."""
        ...

    def detections(self, parties: Collection[str] | None = None,
                   since: datetime | None = None) -> list[Detection]:
        """Detections (of ``parties``; observed at or after ``since``), by time, then arrival."""
        ...

    def tracks(self, parties: Collection[str] | None = None, *,
               ids: Collection[str] | None = None, open_only: bool = False,
               heads_only: bool = False, since: datetime | None = None) -> list[Track]:
        """Tracks (of ``parties``, among ``ids``, not closed, last seen at or after ``since``),
        in the order they were made, each with all its detections or only its head."""
        ...

    def crossings(self, track_ids: Collection[str] | None = None) -> list[Crossing]:
        """Crossings and touches (of the tracks ``track_ids``), by time, then track."""
        ...

    def detection_counts(self, party: str) -> tuple[int, int]:
        """How many detections and tracks of ``party`` are stored."""
        ...

    def close(self) -> None:
        """Release the database; further calls raise :class:`StoreError`. Idempotent."""
        ...
