"""The edge-case catalogue (tests/engine/cases.py): findings written by hand.

Each case lists findings that must appear and findings that may (within 1 m of a threshold);
the engine may report nothing else. The oracle is held to the same catalogue, more tightly.
"""

from __future__ import annotations

import re

import pytest

from deconflict.engine.screening import Screener
from deconflict.engine.separation import separation_findings
from deconflict.model import Conflict, Rule, SeparationFinding
from tests.engine.cases import EdgeCase, Finding, PairFinding, edge_cases
from tests.engine.oracle import (
    DISTANCE_TOLERANCE_M,
    TOLERANCE_M,
    expected_conflicts,
    expected_separation,
)

CASES = edge_cases()


def _id(case: EdgeCase) -> str:
    return re.sub(r"[^a-z0-9]+", "-", case.name.lower()).strip("-")


def _key(f: Finding | PairFinding | Conflict | SeparationFinding) -> tuple[str, ...]:
    if isinstance(f, (PairFinding, SeparationFinding)):
        return ("SEP", f.a, f.b)
    return (Rule(f.rule).value, f.target, f.party)


def _engine_findings(case: EdgeCase) -> list[Conflict] | list[SeparationFinding]:
    if case.notice is None:
        return separation_findings(case.scenario)
    return Screener(case.scenario).screen(case.notice)


def _level(f: Conflict | SeparationFinding) -> object:
    return f.level if isinstance(f, SeparationFinding) else f.severity


def _wanted_level(f: Finding | PairFinding) -> object:
    return f.level if isinstance(f, PairFinding) else f.severity


def _check(hand: Finding | PairFinding, got: Conflict | SeparationFinding) -> list[str]:
    problems = []
    want = _wanted_level(hand)
    if want is not None and _level(got) is not want:
        problems.append(f"{got}: want level {want}")
    if hand.distance_m is not None and abs(got.distance_m - hand.distance_m) > DISTANCE_TOLERANCE_M:
        problems.append(f"{got}: want distance {hand.distance_m}")
    return problems


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_engine_matches_the_catalogue(case: EdgeCase) -> None:
    found = _engine_findings(case)
    keys = [_key(f) for f in found]
    allowed = {_key(f): f for f in (*case.must, *case.may)}
    problems = [f"duplicate {k}" for k in set(keys) if keys.count(k) > 1]
    problems += [f"missing {f}" for f in case.must if _key(f) not in keys]
    for f in found:
        hand = allowed.get(_key(f))
        problems += [f"unexpected {f}"] if hand is None else _check(hand, f)
    assert not problems, "\n".join(problems)


def _oracle_slacks(case: EdgeCase) -> dict[tuple[str, ...], tuple[float, float]]:
    """(slack, distance) per finding key, as the oracle sees the case."""
    if case.notice is None:
        return {("SEP", e.a, e.b): (e.warn_slack_m, e.distance_m)
                for e in expected_separation(case.scenario)}
    return {e.key: (e.slack_m, e.distance_m)
            for e in expected_conflicts(case.scenario, case.notice)}


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_oracle_matches_the_catalogue(case: EdgeCase) -> None:
    seen = _oracle_slacks(case)
    problems = []
    for f in (*case.must, *case.may):
        slack, d = seen.get(_key(f), (float("-inf"), float("nan")))
        if f in case.must and slack <= TOLERANCE_M:
            problems.append(f"oracle does not find {f} (slack {slack})")
        if f in case.may and abs(slack) > TOLERANCE_M:
            problems.append(f"oracle finds {f} clear of its threshold (slack {slack})")
        if f.distance_m is not None and not abs(d - f.distance_m) <= 0.01:
            problems.append(f"oracle distance {d} for {f}")
    listed = {_key(f) for f in (*case.must, *case.may)}
    problems += [f"oracle finds unlisted {k} (slack {s:.3f})"
                 for k, (s, _) in seen.items() if k not in listed and s > -TOLERANCE_M]
    assert not problems, "\n".join(problems)
