"""SEP against the independent geodesic oracle: clusters of units near agreed distances."""

from __future__ import annotations

import pytest

from deconflict.engine.separation import separation_findings
from tests.engine.cases import separation_cases
from tests.engine.oracle import run_separation

SEEDS = range(6)


@pytest.mark.parametrize("seed", SEEDS)
def test_separation_findings_match_the_oracle(seed: int) -> None:
    tally = run_separation(separation_cases(seed), separation_findings)
    assert not tally.problems, tally.report()
    assert tally.candidates * len(SEEDS) >= 1000
    assert tally.near_50m >= 0.2 * tally.candidates
    assert tally.near_2m >= 0.03 * tally.candidates
