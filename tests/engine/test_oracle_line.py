"""R-LINE against the independent geodesic oracle, on river-like lines.

Two checks: the oracle's side distances (to the line and to the perpendiculars at its ends) for
every kind of footprint, and a brute force for disk footprints (point and circle notices) that
samples the buffered footprint's rim every <= 10 m and classifies each sample by its nearest
point on the line. A side is certainly reached when a sample of the rim shrunk by 1 m lies on
it, and certainly not when no sample of the rim grown by 1 m does.
"""

from __future__ import annotations

import pytest

from deconflict.engine.screening import Screener
from deconflict.model import Conflict, Notice, RelationKind, Rule, Scenario, Side
from tests.engine.cases import ScreenCase, line_cases
from tests.engine.oracle import (
    TOLERANCE_M,
    compile_shape,
    line_sides,
    run_screening,
    sampled_line_sides,
)

SEEDS = range(8)
SAMPLED_SEEDS = range(4)


def screen(scenario: Scenario, notice: Notice) -> list[Conflict]:
    return Screener(scenario).screen(notice)


@pytest.mark.parametrize("seed", SEEDS)
def test_line_sides_match_the_oracle(seed: int) -> None:
    cases = line_cases(seed)
    tally = run_screening(cases, screen, Rule.LINE)
    assert not tally.problems, tally.report()
    assert len(cases) * len(SEEDS) >= 1000
    assert tally.near_50m >= 0.25 * tally.candidates
    assert tally.near_2m >= 0.08 * tally.candidates


def _friendly(case: ScreenCase) -> set[str]:
    me = case.notice.party
    out = {me}
    for r in case.scenario.relations:
        if r.kind is RelationKind.PARTNER and me in (r.a, r.b):
            out |= {r.a, r.b}
    return out


def _disk_cases(seed: int) -> list[ScreenCase]:
    cases = line_cases(seed, count=2, per_line=16, kinds=("point", "circle"), big=1500.0)
    return [c for c in cases if c.notice.buffer_m + c.notice.shape.radius_m >= 50.0]


def _sampled_problems(case: ScreenCase) -> list[str]:
    zone = case.scenario.zones[0]
    g = compile_shape(case.notice.shape)
    (lat, lon), rho = g.vertices[0], case.notice.buffer_m + g.radius
    sure = sampled_line_sides(zone, lat, lon, rho - TOLERANCE_M)
    possible = sampled_line_sides(zone, lat, lon, rho + TOLERANCE_M)
    party_of = dict(zone.sides)
    hostile = {side for side in Side if party_of[side] not in _friendly(case)}
    got = {c.party for c in screen(case.scenario, case.notice) if c.rule is Rule.LINE}
    problems = []
    if not {party_of[s] for s in sure & hostile} <= got:
        problems.append(f"sampled sides {sorted(sure)} certainly reached, engine gave {got}")
    if not got <= {party_of[s] for s in possible & hostile}:
        problems.append(f"engine gave {got}, sampled sides possibly reached {sorted(possible)}")
    _, to_side = line_sides(zone).side_distances(g)
    for side in Side:  # the oracle's analytic answer agrees with the brute force
        slack = case.notice.buffer_m - to_side[side]
        if (slack > 1.5 and side not in sure) or (slack < -1.5 and side in possible):
            problems.append(f"oracle slack {slack:.3f} on {side} disagrees with sampling")
    return [f"{case.name}: {p}" for p in problems]


@pytest.mark.parametrize("seed", SAMPLED_SEEDS)
def test_line_sides_match_sampled_footprints(seed: int) -> None:
    cases = _disk_cases(seed)
    problems = [p for case in cases for p in _sampled_problems(case)]
    assert not problems, "\n".join(problems[:15])
    assert len(cases) >= 20
