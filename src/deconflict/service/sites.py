"""Protected sites and humanitarian movements, notified by any party to every party."""

from __future__ import annotations

from typing import Any

from deconflict.engine.geodesy import buffer_footprint
from deconflict.errors import ValidationError
from deconflict.interop.documents import site_from_document, site_to_document
from deconflict.model import AlertKind, Credential, Site, rfc3339
from deconflict.service import ledger
from deconflict.service.alerts import alert, raise_alerts
from deconflict.service.hub import Hub, require_actor
from deconflict.service.notices import new_id

__all__ = ["notify_site", "site_view"]

#: A site wider than the Earth is a typing error (and its footprint's arithmetic overflows).
_MAX_REACH_M = 1e8


def site_view(site: Site) -> dict[str, Any]:
    window = None
    if site.window is not None:
        window = [rfc3339(site.window.start), rfc3339(site.window.end)]
    return {"id": site.id, "party": site.party, "kind": site.kind.value, "name": site.name,
            "buffer_m": site.buffer_m, "window": window}


def notify_site(hub: Hub, actor: Credential, body: object) -> Site:
    """Notification is not permission: every party is told, none is asked to agree."""
    with hub.lock:
        now = hub.now()
        require_actor(actor, now)
        site = site_from_document(body, actor.party, new_id(actor.party), hub.party_ids())
        if not site.id.startswith(f"{actor.party}-"):
            raise ValidationError(f"a site id you choose must start with '{actor.party}-'",
                                  field="id")
        _check_footprint(site)
        view = site_view(site)
        alerts = [alert(hub, p, AlertKind.SITE, **view) for p in hub.party_ids()
                  if p != actor.party]
        with hub.store.atomic():
            hub.store.add_site(site)
            ledger.record(hub, actor.party, "site", site.id,
                          {**site_to_document(site), "party": site.party},
                          audience=[ledger.ALL])
            raise_alerts(hub, alerts)
        hub.apply(sites=(*hub.scenario().sites, site))
        return site


def _check_footprint(site: Site) -> None:
    """Refuse what no footprint can be drawn for, early and as the caller's error."""
    if site.buffer_m + site.shape.radius_m > _MAX_REACH_M:
        raise ValidationError(f"buffer_m + radius_m must be at most {_MAX_REACH_M:g} m",
                              field="buffer_m")
    try:
        buffer_footprint(site.shape, max(site.buffer_m, 1.0))
    except ValueError as exc:
        raise ValidationError(str(exc), field="geometry") from None
