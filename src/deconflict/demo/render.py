"""Shows the replay to a liaison officer: a title per step, what happened, what the hub decides."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from deconflict.demo.timeline import Finding, Screening, StepResult, finding_label, rules_fired
from deconflict.model import Scenario, Verdict

__all__ = ["render", "render_header", "render_step"]

_VERDICT_STYLE = {Verdict.CLEAR: "bold green", Verdict.CONFLICT: "bold red"}


def render_header(scenario: Scenario, console: Console) -> None:
    """The scenario's name and what its file holds, including what the replay files later."""
    console.rule(f"[bold]{escape(scenario.name)}[/]")
    console.print(f"{len(scenario.parties)} parties, {len(scenario.units)} units, "
                  f"{len(scenario.zones)} agreed zones and lines, "
                  f"{len(scenario.sites)} protected sites and movements, "
                  f"{len(scenario.sensors)} border sensors.")


def render(results: Sequence[StepResult], console: Console) -> None:
    for result in results:
        render_step(result, console)
    console.print()
    console.print(_summary(results))


def render_step(result: StepResult, console: Console) -> None:
    console.print()
    console.rule(f"[bold]{result.at:%H:%M}Z  {escape(result.title)}[/]", align="left")
    console.print(escape(result.story))
    for screening in result.screenings:
        console.print(_verdict_line(screening))
        if screening.findings:
            console.print(_screening_table(screening))
    if result.separation:
        console.print(_separation_table(result.separation))
    if not result.findings:
        console.print("[dim]The hub has no alert to raise at this step.[/]")


def _verdict_line(s: Screening) -> str:
    style = _VERDICT_STYLE[s.verdict]
    line = (f"Notice [bold]{escape(s.notice)}[/] from {escape(s.party)} "
            f"({s.kind.replace('_', ' ')}): [{style}]{s.verdict.value.upper()}[/]")
    touched = sorted({f.party for f in s.findings})
    if touched:
        noun = "finding" if len(s.findings) == 1 else "findings"
        line += f", {len(s.findings)} {noun}; also shown to {escape(', '.join(touched))}"
    return line


def _screening_table(s: Screening) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("Rule", no_wrap=True)
    table.add_column("Party")
    table.add_column("Target", overflow="fold")
    table.add_column("km", justify="right")
    table.add_column("Severity")
    table.add_column(f"What {escape(s.party)} is told", ratio=1)
    for f in s.findings:
        table.add_row(f.rule.value, escape(f.party), escape(f.target), f"{f.distance_km:.1f}",
                      _severity(f), escape(f.told))
    return table


def _separation_table(findings: Sequence[Finding]) -> Table:
    table = Table(title="Separation alerts, new or changed", title_justify="left",
                  show_edge=False, pad_edge=False)
    table.add_column("Rule", no_wrap=True)
    table.add_column("Units (party)", overflow="fold")
    table.add_column("km apart", justify="right")
    table.add_column("Level")
    table.add_column("Alert sent to", ratio=1)
    for f in findings:
        units = f"{f.source} ({f.source_party})\n{f.target} ({f.party})"
        table.add_row(f.rule.value, escape(units), f"{f.distance_km:.1f}", _severity(f),
                      escape(f.told))
    return table


def _severity(f: Finding) -> str:
    if f.severity is None:
        return ""
    style = "red" if f.severity.value == "critical" else "yellow"
    return f"[{style}]{f.severity.value}[/]"


def _summary(results: Sequence[StepResult]) -> Table:
    counts = Counter(finding_label(f) for r in results for f in r.findings)
    table = Table(title="Rules fired in the replay", title_justify="left")
    table.add_column("Rule")
    table.add_column("Findings", justify="right")
    for label in sorted(rules_fired(results)):
        table.add_row(label, str(counts[label]))
    return table
