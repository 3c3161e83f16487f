"""Shows the replay to a liaison officer: a title per step, what happened, what the hub decides."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table

from deconflict.demo.timeline import Finding, Screening, StepResult, finding_label, rules_fired
from deconflict.model import Scenario, Verdict

__all__ = ["border_summary", "crossing_line", "incident_summary", "render", "render_header",
           "render_step", "void_line"]

_VERDICT_STYLE = {Verdict.CLEAR: "bold green", Verdict.CONFLICT: "bold red"}


def render_header(scenario: Scenario, console: Console) -> None:
    """The scenario's name and what its file holds, including what the replay files later."""
    console.rule(f"[bold]{escape(scenario.name)}[/]")
    console.print(f"{len(scenario.parties)} parties, {len(scenario.units)} units, "
                  f"{len(scenario.zones)} agreed zones and lines, "
                  f"{len(scenario.sites)} protected sites and movements, "
                  f"{len(scenario.sensors)} border sensors.")
    for summary in border_summary(scenario):
        console.print(summary)


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
    for answer in result.answers:
        verb = "acknowledges" if answer.kind.value == "acknowledge" else "objects to"
        said = f": “{escape(answer.comment)}”" if answer.comment else ""
        console.print(f"{escape(answer.party)} {verb} notice [bold]{escape(answer.notice)}[/]"
                      f"{said}")
    if result.incident is not None:
        console.print(incident_summary(result.incident))
    for crossing in result.crossings:
        console.print(crossing_line(crossing))
    for void in result.voids:
        console.print(void_line(void))
    if (not result.findings and not result.answers and result.incident is None
            and not result.crossings and not result.voids):
        console.print("[dim]The hub has no alert to raise at this step.[/]")


def void_line(told: Mapping[str, Any]) -> str:
    """A watch-void alert in one line (rich markup, escaped)."""
    down = ", ".join(f"{o['sensor']} (down until {o['end'][11:16]}Z)" for o in told["outages"])
    stretches = ", ".join(f"km {v['from_m'] / 1000:.0f}–{v['to_m'] / 1000:.0f}"
                          for v in told["voids"])
    return (f"[bold yellow]Watch void[/] on {escape(str(told['border']))}: "
            f"{told['length_m'] / 1000:.1f} km unwatched ({escape(stretches)}) with "
            f"{escape(down)}")


def border_summary(scenario: Scenario) -> list[Group]:
    """Each border's watch at the scenario's time: covered length and the longest gaps."""
    from deconflict.service.coverage import coverage

    out = []
    for border in coverage(scenario).borders:
        share = border.covered_m / border.length_m if border.length_m else 0.0
        head = (f"Border [bold]{escape(border.border)}[/] at {scenario.time:%H:%M}Z: "
                f"{border.covered_m / 1000:.1f} of {border.length_m / 1000:.1f} km watched "
                f"({share:.0%}); its longest gaps:")
        table = Table(show_edge=False, pad_edge=False)
        for column in ("from km", "to km", "gap km"):
            table.add_column(column, justify="right")
        for gap in border.gaps_by_length[:5]:
            table.add_row(f"{gap.from_m / 1000:.1f}", f"{gap.to_m / 1000:.1f}",
                          f"{gap.length_m / 1000:.1f}")
        out.append(Group(head, table))
    return out


def crossing_line(told: Mapping[str, Any]) -> str:
    """A crossing alert in one line (rich markup, escaped)."""
    lon, lat = told["position"]
    return (f"[bold red]Crossing alert[/] to {escape(str(told['party']))}: track "
            f"[bold]{escape(str(told['track']))}[/] crossed {escape(str(told['border']))} from "
            f"its {told['from_side']} to its {told['to_side']} side at {told['time'][11:16]}Z "
            f"near {lat:.3f}N {lon:.3f}E, heading {told['heading_deg']:.0f}°; seen by "
            f"{escape(', '.join(told['sensors']))}")


def incident_summary(bundle: Mapping[str, Any]) -> str:
    """What the hub correlated with an incident, in a few lines (rich markup, escaped)."""
    report = bundle["incident"]
    head = report["incident"]
    lines = [f"[bold red]Incident {escape(str(head['id']))}[/] reported by "
             f"{escape(str(head['reported_by']))}: {escape(str(head['description']))}"]
    for notice in report["notices"]:
        answers = ", ".join(f"{a['party']} {a['answer']}d at {a['time'][11:16]}Z"
                            for a in notice["answers"]) or "no answer"
        lines.append(f"  notice {escape(notice['id'])} ({escape(notice['party'])}, "
                     f"{escape(notice['state'])}) covered it; {escape(answers)}")
    units = ", ".join(f"{u['id']} ({u['party']}, {u['distance_m'] / 1000:.1f} km)"
                      for u in report["units"]) or "none"
    lines.append(f"  units near it at {head['time'][11:16]}Z: {escape(units)}")
    for line in report["lines"]:
        if line["side_party"]:
            lines.append(f"  on the {escape(line['side_party'])} side of "
                         f"{escape(line['id'])}")
    return "\n".join(lines)


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
