"""The ``deconflict`` command: a thin shell over :mod:`deconflict.service`.

Bad input exits with status 2 and one line naming the field; other failures exit 1. No tracebacks.
"""

from __future__ import annotations

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
from deconflict.model import Role, parse_rfc3339

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
