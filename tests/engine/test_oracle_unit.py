"""R-UNIT against the independent geodesic oracle: random notices and units near thresholds."""

from __future__ import annotations

import pytest

from deconflict.engine.screening import Screener
from deconflict.model import Conflict, Notice, Rule, Scenario
from tests.engine.cases import unit_cases
from tests.engine.oracle import run_screening

SEEDS = range(12)


def screen(scenario: Scenario, notice: Notice) -> list[Conflict]:
    return Screener(scenario).screen(notice)


@pytest.mark.parametrize("seed", SEEDS)
def test_unit_conflicts_match_the_oracle(seed: int) -> None:
    tally = run_screening(unit_cases(seed), screen, Rule.UNIT)
    assert not tally.problems, tally.report()
    # Enough geometric decisions, many of them close to a threshold (1,000+ over all seeds).
    assert tally.candidates * len(SEEDS) >= 1000
    assert tally.near_50m >= 0.3 * tally.candidates
    assert tally.near_2m >= 0.08 * tally.candidates
