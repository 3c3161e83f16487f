"""The ``deconflict`` command: a thin shell over :mod:`deconflict.service`.

Bad input exits with status 2 and one line naming the field; other failures exit 1. No tracebacks.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from deconflict import service
from deconflict.api.settings import DEFAULT_HOST, DEFAULT_PORT, Settings
from deconflict.errors import DeconflictError
from deconflict.model import Position, Role, parse_rfc3339

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])

_FORMAT = click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table",
                       show_default=True, help="Output format.")
_SCENARIO = click.option("--scenario", "scenario_path", type=click.Path(path_type=Path),
                         help="Scenario file (YAML or JSON).")
_DB = click.option("--db", "db_path", type=click.Path(path_type=Path),
                   help="SQLite database written by `deconflict load`.")


def _parse_at(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_rfc3339(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


_AT = click.option("--at", callback=_parse_at, metavar="RFC3339",
                   help="Evaluate at this moment instead of the scenario's time.")


def _reports_errors(command: F) -> F:
    """Turn the hub's errors into one line on stderr and the documented exit status."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DeconflictError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2 if 400 <= exc.status < 500 else 1)

    return run  # type: ignore[return-value]


def _emit_json(payload: dict[str, Any] | list[Any]) -> None:
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


@click.group()
@click.version_option(package_name="deconflict")
def main() -> None:
    """deconflict: a deconfliction hub for parties that do not trust each other."""


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--db", "db_path", type=click.Path(path_type=Path), required=True,
              help="SQLite database to create or replace.")
@_FORMAT
@_reports_errors
def load(scenario: Path, db_path: Path, fmt: str) -> None:
    """Validate SCENARIO and load it into the database (all or nothing)."""
    summary = service.load_into_store(scenario, db_path)
    if fmt == "json":
        _emit_json(summary.to_dict())
        return
    counts = ", ".join(f"{n} {k}" for k, n in summary.counts.items() if n)
    click.echo(f"loaded {summary.scenario or scenario.name!s} into {db_path}: {counts}")


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@_reports_errors
def validate(scenario: Path) -> None:
    """Check SCENARIO against the format; print nothing but 'ok' when it is valid."""
    service.read_scenario(scenario_path=scenario)
    click.echo("ok")


@main.command()
@_SCENARIO
@_DB
@click.option("--notice", "notices", multiple=True, metavar="ID",
              help="Screen only this notice (repeatable).")
@_AT
@_FORMAT
@_reports_errors
def screen(scenario_path: Path | None, db_path: Path | None, notices: tuple[str, ...],
           at: datetime | None, fmt: str) -> None:
    """Screen notices against everything the hub knows (the whole truth, as an admin sees it)."""
    report = service.screen(service.read_scenario(scenario_path, db_path, at), notices)
    if fmt == "json":
        _emit_json(report.to_dict())
        return
    _print_screening(report)


@main.command()
@_SCENARIO
@_DB
@_AT
@_FORMAT
@_reports_errors
def separation(scenario_path: Path | None, db_path: Path | None, at: datetime | None,
               fmt: str) -> None:
    """List pairs of non-partner units in warn or critical separation."""
    report = service.separation(service.read_scenario(scenario_path, db_path, at))
    if fmt == "json":
        _emit_json(report.to_dict())
        return
    _print_separation(report)


@main.command()
@_SCENARIO
@_DB
@_AT
@click.option("--from", "start", callback=_parse_at, metavar="RFC3339",
              help="Start of a time range (with --to): minutes watched per section.")
@click.option("--to", "end", callback=_parse_at, metavar="RFC3339", help="End of the range.")
@click.option("--step-min", default=10.0, show_default=True, type=click.FloatRange(min=0.0),
              help="Sampling step over a range, minutes (sensors' change points are added).")
@click.option("--section-km", default=5.0, show_default=True, type=click.FloatRange(min=0.0),
              help="Length of the border sections reported over a range or with --detail.")
@click.option("--detail", is_flag=True,
              help="Add sensors, sections and nearest forces (JSON: a superset of the spec's).")
@_FORMAT
@_reports_errors
def coverage(scenario_path: Path | None, db_path: Path | None, at: datetime | None,
             start: datetime | None, end: datetime | None, step_min: float, section_km: float,
             detail: bool, fmt: str) -> None:
    """Coverage of each border by the sensors: covered length and gaps (longest first)."""
    from datetime import timedelta

    from deconflict.errors import ValidationError
    from deconflict.service import coverage as cov

    if (start is None) != (end is None):
        raise ValidationError("--from and --to go together", field="to" if end is None else "from")
    if start is not None and at is not None:
        raise ValidationError("give --at or a range (--from, --to), not both", field="at")
    scenario = service.read_scenario(scenario_path, db_path, end or at)
    if start is not None and end is not None:
        watch = cov.coverage_over(scenario, start, end, timedelta(minutes=step_min),
                                  section_m=section_km * 1000)
        if fmt == "json":
            _emit_json(watch.to_dict())
        else:
            _print_watch(watch)
        return
    report = cov.coverage(scenario, detail=detail, section_m=section_km * 1000)
    if fmt == "json":
        _emit_json(report.to_dict())
    else:
        _print_coverage(report)


def _print_coverage(report: Any) -> None:
    console = Console()
    for b in report.borders:
        share = b.covered_m / b.length_m if b.length_m else 0.0
        table = Table(title=f"Border {b.border} at {report.time:%Y-%m-%d %H:%MZ}: "
                            f"{_km(b.covered_m)} of {_km(b.length_m)} covered ({share:.0%})")
        for column in ("gap", "from", "to", "length"):
            table.add_column(column, justify="right")
        for i, gap in enumerate(b.gaps_by_length, 1):
            table.add_row(str(i), _km(gap.from_m), _km(gap.to_m), _km(gap.length_m))
        if not b.gaps:
            table.add_row("—", "—", "—", "[green]no gap[/]")
        console.print(table)
    for d in report.details:
        _print_sections(console, d.border.id, d.sections)


def _print_sections(console: Console, border: str, sections: Any) -> None:
    table = Table(title=f"Border {border} by section")
    for column in ("section", "covered", "nearest left", "nearest right"):
        table.add_column(column)
    for s in sections:
        table.add_row(f"{s['from_m'] / 1000:.0f}–{s['to_m'] / 1000:.0f} km",
                      _km(s["covered_m"]), _nearest(s["nearest"]["left"]),
                      _nearest(s["nearest"]["right"]))
    console.print(table)


def _nearest(near: dict[str, Any] | None) -> str:
    return "—" if near is None else f"{near['party']} {near['unit']} ({_km(near['distance_m'])})"


def _print_watch(report: Any) -> None:
    console = Console()
    minutes = (report.end - report.start).total_seconds() / 60
    for b in report.borders:
        table = Table(title=f"Border {b.border}, {report.start:%H:%MZ}–{report.end:%H:%MZ} "
                            f"({minutes:.0f} min): on average {_km(b.mean_covered_m)} of "
                            f"{_km(b.length_m)} watched")
        for column in ("section", "watched min", "whole min", "blind min", "nearest left",
                       "nearest right"):
            table.add_column(column)
        for s in b.sections:
            row = s.to_dict()
            table.add_row(f"{s.from_m / 1000:.0f}–{s.to_m / 1000:.0f} km",
                          f"{row['watched_min']:.0f}", f"{row['full_min']:.0f}",
                          f"{row['blind_min']:.0f}", _nearest(row["nearest"]["left"]),
                          _nearest(row["nearest"]["right"]))
        console.print(table)


@main.command()
@click.option("--db", "db_path", type=click.Path(path_type=Path),
              help="Keep the demo's database here (default: a temporary file).")
@click.option("--no-serve", is_flag=True, help="End when the replay ends.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535),
              help="Port of the hub served after the replay (on 127.0.0.1).")
@_reports_errors
def demo(db_path: Path | None, no_serve: bool, port: int) -> None:
    """Replay "Euphrates, September 2017", then serve the hub with a token per party."""
    from deconflict.demo import run_demo

    console = Console()
    path = db_path if db_path is not None else service.demo_support.temporary_db()
    results = run_demo(path, console)
    if no_serve or not results:
        return
    issued = service.demo_support.issue_tokens(path)
    _print_demo_tokens(console, issued, port)
    from deconflict.api.serve import run

    run(Settings(db_path=path, port=port, at=results[-1].at))


def _print_demo_tokens(console: Console, issued: dict[str, str], port: int) -> None:
    table = Table(title="Liaison tokens, one per party (shown once)")
    table.add_column("party")
    table.add_column("token")
    for party, secret in issued.items():
        table.add_row(party, secret)
    console.print(table)
    first, second = list(issued)[:2]
    base = f"http://127.0.0.1:{port}/api/v1"
    console.print("Two parties, two pictures:")
    for party in (first, second):
        console.print(f"  curl -s -H 'Authorization: Bearer {issued[party]}' {base}/units",
                      soft_wrap=True)
    console.print(f"Web console: http://127.0.0.1:{port}/ (sign in with a token above; "
                  "docs/console.md)", soft_wrap=True)
    console.print(f"OpenAPI schema: http://127.0.0.1:{port}/openapi.json (docs/api.md explains "
                  "it). Stop with Ctrl-C.")


@main.command()
@click.option("--db", "db_path", type=click.Path(path_type=Path), required=True,
              help="SQLite database written by `deconflict load`.")
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Address to bind; the default keeps the hub on this machine.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@_AT
@_reports_errors
def serve(db_path: Path, host: str, port: int, at: datetime | None) -> None:
    """Run the hub server (API v1 under /api/v1, OpenAPI at /openapi.json)."""
    from deconflict.api.serve import run

    run(Settings(db_path=db_path, host=host, port=port, at=at))


@main.group()
def token() -> None:
    """Create, list and revoke bearer tokens."""


@token.command("create")
@click.option("--db", "db_path", type=click.Path(path_type=Path), required=True)
@click.option("--party", required=True, help="The party the token acts for.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True,
              help="viewer reads; liaison acts for its party; admin manages tokens.")
@click.option("--name", default="", help="Who holds it (shown in lists).")
@_reports_errors
def token_create(db_path: Path, party: str, role: str, name: str) -> None:
    """Print a new token alone on stdout (it is shown only this once)."""
    click.echo(service.tokens.create(db_path, party, Role(role), name))


@token.command("list")
@click.option("--db", "db_path", type=click.Path(path_type=Path), required=True)
@_FORMAT
@_reports_errors
def token_list(db_path: Path, fmt: str) -> None:
    """List tokens (never their secrets)."""
    rows = service.tokens.listing(db_path)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Tokens")
    for column in ("id", "party", "role", "name", "created", "revoked"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[k] or "") for k in ("id", "party", "role", "name", "created",
                                                       "revoked")))
    Console().print(table)


@token.command("revoke")
@click.option("--db", "db_path", type=click.Path(path_type=Path), required=True)
@click.argument("token_id")
@_reports_errors
def token_revoke(db_path: Path, token_id: str) -> None:
    """Revoke a token by its id (from `token list`)."""
    service.tokens.revoke(db_path, token_id)
    click.echo(f"revoked {token_id}")


def _parse_lon_lat(ctx: click.Context, param: click.Parameter, value: str) -> tuple[float, float]:
    try:
        lon, lat = (float(part) for part in value.split(","))
        Position(lon, lat)
    except ValueError as exc:
        reason = str(exc) if "outside" in str(exc) else f"expected LON,LAT, got {value!r}"
        raise click.BadParameter(reason, ctx=ctx, param=param) from None
    return lon, lat


@main.command()
@click.option("--db", "db_path", type=click.Path(path_type=Path), required=True,
              help="SQLite database of the hub.")
@click.option("--at", "lon_lat", required=True, callback=_parse_lon_lat, metavar="LON,LAT",
              help="Where the event happened.")
@click.option("--time", "time", required=True, callback=_parse_at, metavar="RFC3339",
              help="When it happened.")
@click.option("--radius-m", default=5000.0, show_default=True,
              type=click.FloatRange(0, 50_000), help="How far around the point to look.")
@click.option("--format", "fmt", type=click.Choice(["json", "table", "html"]), default="table",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to this file instead of standard output.")
@_reports_errors
def incident(db_path: Path, lon_lat: tuple[float, float], time: datetime, radius_m: float,
             fmt: str, output: Path | None) -> None:
    """Correlate an event with everything around it (the whole truth, as an admin sees it)."""
    from deconflict.interop.incident_report import bundle_json, render_html
    from deconflict.service import incidents

    query = incidents.make_query(*lon_lat, time, radius_m)
    bundle = incidents.investigate_db(db_path, query)
    if fmt == "table":
        text = _incident_table(bundle["incident"])
    else:
        text = bundle_json(bundle) if fmt == "json" else render_html(bundle)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def _incident_table(report: dict[str, Any]) -> str:
    console = Console(record=True, width=120, file=io.StringIO(), color_system=None)
    where = report["incident"]
    table = Table(title=f"Around {where['position']} at {where['time']}, "
                        f"{where['radius_m']:g} m: who knew what, and when")
    for column in ("time", "", "who", "what", "about", "to"):
        table.add_column(column)
    for e in report["timeline"]:
        table.add_row(e["time"], e["when"], e["actor"], e["event"], e["ref"], ", ".join(e["to"]))
    console.print(table)
    found = {"notices": report["notices"], "units": report["units"],
             "stale units": report["stale_units"], "sites": report["sites"],
             "zones": report["zones"], "lines": report["lines"],
             "messages": report["messages"]}
    for name, items in found.items():
        ids = ", ".join(str(i["id"]) for i in items) or "none"
        console.print(f"{name}: {ids}", highlight=False, soft_wrap=True)
    return console.export_text()


@main.group()
def ledger() -> None:
    """Export the hub's signed log, verify an export or evidence bundle offline, prove entries."""


@ledger.command("export")
@click.option("--db", "db_path", type=click.Path(path_type=Path), required=True,
              help="SQLite database of the hub.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="File to write (replaced whole).")
@_reports_errors
def ledger_export(db_path: Path, output: Path) -> None:
    """Write every entry, checkpoint and public key to FILE (canonical JSON)."""
    from deconflict.service import ledger_files

    counts = ledger_files.export_db(db_path, output)
    click.echo(f"exported {counts['entries']} entries, {counts['checkpoints']} checkpoints and "
               f"{counts['keys']} keys to {output}")


@ledger.command("verify")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--checkpoint", "known", multiple=True,
              type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A checkpoint note you kept (repeatable): the export must agree with it.")
@_reports_errors
def ledger_verify(file: Path, known: tuple[Path, ...]) -> None:
    """Check FILE (an export or an evidence bundle) offline; exit 1 naming the first failure."""
    from deconflict.service import ledger_files

    verdict = ledger_files.verify_file(file, known)
    click.echo(verdict.describe())
    if not verdict.ok:
        sys.exit(1)


@ledger.command("prove")
@click.option("--db", "db_path", type=click.Path(path_type=Path), required=True,
              help="SQLite database of the hub.")
@click.option("--entry", "index", type=click.IntRange(0), required=True, metavar="N",
              help="Index of the entry (0, 1, 2, ...).")
@_FORMAT
@_reports_errors
def ledger_prove(db_path: Path, index: int, fmt: str) -> None:
    """Print the inclusion proof of entry N against the latest signed checkpoint."""
    from deconflict.service import ledger_files

    proof = ledger_files.prove_db(db_path, index)
    if fmt == "json":
        _emit_json(proof)
        return
    table = Table(title=f"Entry {index} in the tree of {proof['proof']['tree_size']} entries")
    table.add_column("")
    table.add_column("value", overflow="fold")
    entry = proof["entry"]
    for name in ("time", "actor", "kind", "ref"):
        table.add_row(name, str(entry[name]))
    table.add_row("leaf hash", proof["leaf_hash"])
    for step, node in enumerate(proof["proof"]["path"]):
        table.add_row(f"path[{step}]", node)
    Console().print(table)
    click.echo(proof["checkpoint"], nl=False)


def _km(metres: float) -> str:
    return f"{metres / 1000:.2f} km"


def _print_screening(report: service.ScreeningReport) -> None:
    table = Table(title=f"Screening at {report.time:%Y-%m-%d %H:%MZ}")
    for column in ("notice", "verdict", "rule", "target", "party", "distance", "severity"):
        table.add_column(column)
    for item in report.notices:
        verdict = item.to_dict()["verdict"]
        if not item.conflicts:
            table.add_row(item.notice.id, f"[green]{verdict}[/]", "", "", "", "", "")
        for c in item.conflicts:
            sev = c.severity.value if c.severity else ""
            table.add_row(item.notice.id, f"[red]{verdict}[/]", c.rule.value, c.target, c.party,
                          _km(c.distance_m), sev)
    Console().print(table)


def _print_separation(report: service.SeparationReport) -> None:
    table = Table(title=f"Separation at {report.time:%Y-%m-%d %H:%MZ}")
    for column in ("unit a", "unit b", "edge distance", "level"):
        table.add_column(column)
    for p in report.pairs:
        colour = "red" if p.level.value == "critical" else "yellow"
        table.add_row(p.a, p.b, _km(p.distance_m), f"[{colour}]{p.level.value}[/]")
    if not report.pairs:
        table.add_row("—", "—", "—", "[green]clear[/]")
    Console().print(table)
