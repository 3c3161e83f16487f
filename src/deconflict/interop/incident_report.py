"""An incident bundle as a file: JSON, and a readable HTML report that stands on its own.

The HTML has no script, loads nothing (its Content-Security-Policy forbids every fetch) and
escapes every value it shows, since names, descriptions and messages are written by parties.
Pure: dicts in, text out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from html import escape
from typing import Any

__all__ = ["CONTENT_SECURITY_POLICY", "bundle_json", "render_html", "report_of"]

#: No fetch of any kind; the only style is the inline sheet below.
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; "
                           "form-action 'none'; base-uri 'none'; frame-ancestors 'none'")

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:75em;padding:0 1em;color:#111}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #bbb;padding:.25em .45em;text-align:left;vertical-align:top}
th{background:#eee}td:last-child{min-width:14em}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.before{background:#fff6e0}.at{background:#ffd9d9;font-weight:bold}.after{color:#555}
.empty{color:#666;font-style:italic}code{font-size:.95em}dl{display:grid;
grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}
"""

Row = Mapping[str, Any]
Column = tuple[str, Callable[[Row], Any]]


class _Lines(tuple[str, ...]):
    """A cell shown as one line per value."""


def report_of(bundle: Mapping[str, Any]) -> Mapping[str, Any]:
    """The incident report inside a bundle (or the report itself)."""
    inner = bundle.get("incident")
    if isinstance(inner, Mapping) and "timeline" in inner:
        return inner
    return bundle


def bundle_json(bundle: Mapping[str, Any]) -> str:
    """The bundle as UTF-8 JSON text, one trailing newline."""
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"


def render_html(bundle: Mapping[str, Any]) -> str:
    """A self-contained HTML page for a bundle or a report."""
    report = report_of(bundle)
    incident = report.get("incident", {})
    title = f"Incident {incident.get('id') or 'query'} at {incident.get('time', '')}"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CONTENT_SECURITY_POLICY)}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>", _summary(report),
        *_sections(report), _evidence(bundle),
        f"<p class=\"empty\">Format {_e(report.get('format', ''))}. The JSON bundle beside this "
        "page is the record; this page is a reading of it.</p>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _e(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        value = f"{value:.1f}"
    elif isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    elif isinstance(value, Mapping):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return escape(str(value), quote=True)


def _summary(report: Mapping[str, Any]) -> str:
    incident = report.get("incident", {})
    view = report.get("view", {})
    scope = view.get("scope", "")
    if view.get("party"):
        scope = f"{scope}: what {view['party']} may see"
    rows = [("Happened", incident.get("time")), ("Position [lon, lat]", incident.get("position")),
            ("Searched radius (m)", incident.get("radius_m")), ("Kind", incident.get("kind")),
            ("Reported by", incident.get("reported_by")), ("Reported", incident.get("reported")),
            ("Description", incident.get("description")), ("View", scope)]
    items = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows if v not in (None, ""))
    return f"<dl>{items}</dl>"


def _table(heading: str, rows: Sequence[Row], columns: Sequence[Column], empty: str,
           row_class: Callable[[Row], str] | None = None) -> str:
    out = [f"<h2>{_e(heading)}</h2>"]
    if not rows:
        return out[0] + f'<p class="empty">{_e(empty)}</p>'
    out.append("<table><thead><tr>" + "".join(f"<th>{_e(n)}</th>" for n, _ in columns)
               + "</tr></thead><tbody>")
    for row in rows:
        css = f' class="{_e(row_class(row))}"' if row_class else ""
        cells = "".join(_cell(get(row)) for _, get in columns)
        out.append(f"<tr{css}>{cells}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _cell(value: Any) -> str:
    if isinstance(value, _Lines):
        return "<td>" + "<br>".join(_e(line) for line in value) + "</td>"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<td class="num">{_e(value)}</td>'
    return f"<td>{_e(value)}</td>"


def _sections(report: Mapping[str, Any]) -> Iterable[str]:
    yield _table("Who knew what, and when", report.get("timeline", []), [
        ("Time (UTC)", lambda r: r.get("time")), ("", lambda r: r.get("when")),
        ("Who", lambda r: r.get("actor")), ("What", lambda r: r.get("event")),
        ("About", lambda r: r.get("ref")), ("To", lambda r: r.get("to")),
        ("Detail", lambda r: r.get("detail"))],
        "Nothing on record.", row_class=lambda r: str(r.get("when", "")))
    yield _table("Notices whose volumes covered the event", report.get("notices", []), [
        ("Notice", lambda r: r.get("id")), ("Party", lambda r: r.get("party")),
        ("Kind", lambda r: r.get("kind")), ("Window", lambda r: r.get("window")),
        ("Distance (m)", lambda r: r.get("distance_m")),
        ("Buffer (m)", lambda r: r.get("buffer_m")),
        ("Covers the point", lambda r: "yes" if r.get("covers_point") else "no"),
        ("Filed", lambda r: r.get("filed")), ("State", lambda r: r.get("state")),
        ("Answers", lambda r: _answers(r.get("answers", []))),
        ("What each party was told when it was filed", lambda r: _told(r.get("told", {})))],
        "No notice's volume covered the event.")
    yield from _unit_sections(report)
    yield from _place_sections(report)


def _answers(answers: Iterable[Row]) -> _Lines:
    return _Lines(f"{a.get('party')}: {a.get('answer')} at {a.get('time')}"
                  + (f" ({a['comment']})" if a.get("comment") else "") for a in answers)


def _told(told: Mapping[str, Any]) -> _Lines:
    lines = []
    for party, findings in told.items():
        lines.append(f"{party}:" + ("" if findings else " clear"))
        lines += [" ".join(str(f.get(k, "")) for k in ("rule", "party", "target",
                                                         "distance_band", "severity")
                           if f.get(k)).join(("– ", "")) for f in findings]
    return _Lines(lines)


def _unit_sections(report: Mapping[str, Any]) -> Iterable[str]:
    unit_columns: list[Column] = [
        ("Unit", lambda r: r.get("id")), ("Party", lambda r: r.get("party")),
        ("Name", lambda r: r.get("name")), ("Position", lambda r: r.get("position")),
        ("Radius (m)", lambda r: r.get("radius_m")), ("Observed", lambda r: r.get("observed")),
        ("Stale from", lambda r: r.get("stale")),
        ("Distance (m)", lambda r: r.get("distance_m"))]
    yield _table("Units near the event at its time", report.get("units", []), unit_columns,
                 "No unit this view may show was near the event.")
    yield _table("Units released as areas (whole-cell counts)", report.get("unit_cells", []), [
        ("Cell", lambda r: r.get("cell")), ("Party", lambda r: r.get("party")),
        ("Units in the cell", lambda r: r.get("count")),
        ("Bounds [w, s, e, n]", lambda r: r.get("bounds"))], "None.")
    yield _table("Units whose last report was stale at the time", report.get("stale_units", []),
                 unit_columns, "None.")


def _place_sections(report: Mapping[str, Any]) -> Iterable[str]:
    yield _table("Protected sites", report.get("sites", []), [
        ("Site", lambda r: r.get("id")), ("Party", lambda r: r.get("party")),
        ("Kind", lambda r: r.get("kind")), ("Name", lambda r: r.get("name")),
        ("Distance (m)", lambda r: r.get("distance_m")),
        ("Inside its buffer", lambda r: "yes" if r.get("inside_buffer") else "no")],
        "No protected site within the radius.")
    yield _table("Zones in effect", report.get("zones", []), [
        ("Zone", lambda r: f"{r.get('id')}@{r.get('version')}"),
        ("Owner", lambda r: r.get("owner")), ("Name", lambda r: r.get("name")),
        ("Distance (m)", lambda r: r.get("distance_m")),
        ("Inside", lambda r: "yes" if r.get("inside") else "no")], "None within the radius.")
    yield _table("Agreed lines", report.get("lines", []), [
        ("Line", lambda r: f"{r.get('id')}@{r.get('version')}"),
        ("Name", lambda r: r.get("name")), ("Distance (m)", lambda r: r.get("distance_m")),
        ("Side of the point", lambda r: r.get("side") or "neither"),
        ("Assigned to", lambda r: r.get("side_party")),
        ("Sides the radius reaches", lambda r: r.get("sides_reached"))], "None.")
    yield _table("Messages naming these notices or sites", report.get("messages", []), [
        ("Message", lambda r: r.get("id")), ("From", lambda r: r.get("from")),
        ("To", lambda r: r.get("to")), ("Level", lambda r: r.get("level")),
        ("Sent", lambda r: r.get("sent")), ("Acknowledged", lambda r: r.get("acknowledged")),
        ("Text", lambda r: r.get("text"))], "None.")
    yield _table("What the forces around the event released to the notifiers",
                 report.get("disclosure", []), [
        ("From", lambda r: r.get("from")), ("To", lambda r: r.get("to")),
        ("Level", lambda r: r.get("level"))], "Nothing to show.")


def _evidence(bundle: Mapping[str, Any]) -> str:
    items = bundle.get("items")
    if not isinstance(items, list):
        return ("<h2>Ledger evidence</h2><p class=\"empty\">This bundle carries no ledger "
                "evidence.</p>")
    rows = [item.get("entry", {}) | {"_proof": item.get("proof"), "_reveal": "reveal" in item}
            for item in items if isinstance(item, Mapping)]
    return _table("Ledger evidence (verify the JSON bundle offline)", rows, [
        ("Entry", lambda r: r.get("index", r.get("idx"))), ("Time", lambda r: r.get("time")),
        ("Actor", lambda r: r.get("actor")), ("Kind", lambda r: r.get("kind")),
        ("About", lambda r: r.get("ref")),
        ("Content", lambda r: "revealed" if r.get("_reveal") else
         ("withheld" if r.get("commitment") else "published"))], "No entry.")
