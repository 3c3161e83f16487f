"""Agreed zones and lines: versions proposed by a signatory, in effect once all have signed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from deconflict.errors import (
    ConflictingStateError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from deconflict.interop import geojson
from deconflict.interop.documents import zone_from_document, zone_to_document
from deconflict.model import AlertKind, Credential, Zone, ZoneVersion, rfc3339
from deconflict.service import ledger
from deconflict.service.alerts import alert, raise_alerts
from deconflict.service.hub import Hub, require_actor

__all__ = ["propose_zone", "sign_zone", "version_view", "visible_versions"]


def version_view(version: ZoneVersion) -> dict[str, Any]:
    effective = version.effective
    return {"id": version.zone.id, "version": version.zone.version, "proposer": version.proposer,
            "proposed": rfc3339(version.proposed),
            "signatories": list(version.zone.signatories),
            "signed_by": sorted(version.signed_by), "awaiting": sorted(version.awaiting),
            "effective": rfc3339(effective) if effective else None,
            # The geometry lets a signatory see what it is asked to sign (drawn dashed).
            "geometry": geojson.zone_feature(version.zone)["geometry"]}


def _concerned(zone: Zone) -> set[str]:
    parties = set(zone.signatories) | {p for _, p in zone.sides}
    if zone.owner:
        parties.add(zone.owner)
    return parties


def visible_versions(hub: Hub, actor: Credential) -> list[ZoneVersion]:
    """Pending versions are shown to the parties they concern; versions in effect to all."""
    return [v for v in hub.store.zone_versions()
            if v.effective is not None or actor.party in _concerned(v.zone)]


def propose_zone(hub: Hub, actor: Credential, body: object) -> ZoneVersion:
    with hub.lock:
        now = hub.now()
        require_actor(actor, now)
        zone = zone_from_document(body, "", hub.party_ids())
        if actor.party not in zone.signatories:
            raise ValidationError("the proposing party must be one of the signatories",
                                  field="signatories")
        number = _next_version(hub, actor, zone)
        version = ZoneVersion(replace(zone, version=number), actor.party, now).signed(
            actor.party, now)
        return _store_version(hub, version, actor.party, "zone.propose")


def _next_version(hub: Hub, actor: Credential, zone: Zone) -> int:
    """Version number of a proposal; a revision keeps every earlier signatory."""
    versions = hub.store.zone_versions(zone.id)
    in_effect = next((z for z in hub.scenario().zones if z.id == zone.id), None)
    previous = versions[-1].zone if versions else in_effect
    if previous is None:
        if not zone.id.startswith(f"{actor.party}-"):
            # A new id with the caller's prefix cannot clash with another party's hidden object.
            raise ValidationError(f"a new zone id must start with '{actor.party}-'", field="id")
        return 1
    if actor.party not in _concerned(previous):
        raise ForbiddenError(f"{actor.party} is not a party to zone {zone.id!r}")
    missing = set(previous.signatories) - set(zone.signatories)
    if missing:
        raise ValidationError(f"a revision keeps the signatories {sorted(missing)}",
                              field="signatories")
    return previous.version + 1


def sign_zone(hub: Hub, actor: Credential, zone_id: str, number: int) -> ZoneVersion:
    with hub.lock:
        now = hub.now()
        require_actor(actor, now)
        version = next((v for v in hub.store.zone_versions(zone_id)
                        if v.zone.version == number), None)
        if version is None or actor.party not in _concerned(version.zone):
            raise NotFoundError(f"no version {number} of zone {zone_id!r}", field="version")
        if actor.party not in version.zone.signatories:
            raise ConflictingStateError("only a signatory signs", field="version")
        return _store_version(hub, version.signed(actor.party, now), actor.party, "zone.sign")


def _store_version(hub: Hub, version: ZoneVersion, actor: str, kind: str) -> ZoneVersion:
    effective = version.effective is not None
    view = version_view(version)
    alerts = [alert(hub, p, AlertKind.ZONE, **view) for p in sorted(_concerned(version.zone))]
    with hub.store.atomic():
        hub.store.save_zone_version(version)
        if effective:
            hub.store.put_zone(version.zone)
        # In effect, a version is every party's to know; pending, only its parties'.
        ledger.record(hub, actor, kind, version.zone.id,
                      {**view, "zone": zone_to_document(version.zone)},
                      audience=[ledger.ALL] if effective else _concerned(version.zone))
        raise_alerts(hub, alerts)
    if effective:
        zones = [z for z in hub.scenario().zones if z.id != version.zone.id]
        hub.apply(zones=(*zones, version.zone))
    return version
