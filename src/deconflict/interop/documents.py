"""Single objects in the scenario format, as the API receives them.

A party files a notice, a site or a zone version with the same keys the scenario format uses, less
the party (the hub sets it from the caller's credential). Errors are the scenario format's, with the
path inside the request body as ``field``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from deconflict.errors import ScenarioError
from deconflict.interop import scenario_read as sr
from deconflict.interop import scenario_write as sw
from deconflict.interop.scenario_values import Record
from deconflict.model import Notice, Site, Zone

__all__ = [
    "notice_from_document",
    "notice_to_document",
    "site_from_document",
    "site_to_document",
    "zone_from_document",
    "zone_to_document",
]

T = TypeVar("T")


def _read(doc: object, party: str | None, ident: str, parties: Collection[str],
          spec: Mapping[str, Any], reader: Callable[[Record, Any], T]) -> T:
    if not isinstance(doc, Mapping):
        raise ScenarioError("expected a JSON object", source="request body")
    body = dict(doc)
    if party is not None:
        if "party" in body:
            raise ScenarioError("set by the hub from your credential", field="party",
                                source="request body")
        body["party"] = party
    body.setdefault("id", ident)
    registry = sr._Registry(parties={p: "parties" for p in parties})
    try:
        return reader(Record(body, "", **spec), registry)
    except ScenarioError as exc:
        raise ScenarioError(exc.message, field=exc.field, source="request body") from None


def notice_from_document(doc: object, party: str, ident: str, parties: Collection[str]) -> Notice:
    """A notice of ``party``; ``ident`` is used when the body gives no ``id``."""
    return _read(doc, party, ident, parties, sr._NOTICE, sr._notice)


def site_from_document(doc: object, party: str, ident: str, parties: Collection[str]) -> Site:
    return _read(doc, party, ident, parties, sr._SITE, sr._site)


def zone_from_document(doc: object, ident: str, parties: Collection[str]) -> Zone:
    return _read(doc, None, ident, parties, sr._ZONE, sr._zone)


def notice_to_document(notice: Notice) -> dict[str, Any]:
    """The body a party posts to file ``notice`` (the scenario format, less ``party``)."""
    body = dict(sw._notice(notice))
    body.pop("party", None)
    return body


def zone_to_document(zone: Zone) -> dict[str, Any]:
    """A zone or line version in the scenario format (as the ledger records it)."""
    return dict(sw._zone(zone))


def site_to_document(site: Site) -> dict[str, Any]:
    body = dict(sw._site(site))
    body.pop("party", None)
    return body
