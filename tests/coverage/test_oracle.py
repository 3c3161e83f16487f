"""Coverage against the independent oracle (geographiclib, samples every <= 40 m).

The issue's bar: covered length within 0.1 % or 100 m, whichever is larger, and every oracle gap
longer than 200 m found. The check here is stricter: every sample must agree with the engine
unless it lies within 1 m of a threshold (range, field-of-view edge, the sensor itself) or of an
end of a stretch the engine reports (DESIGN.md: such results may go either way).
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from deconflict.engine.coverage import BorderCoverage, coverage_of, sights_at
from deconflict.interop.borders import load_border
from deconflict.model import Position, Sensor, SensorKind
from tests.coverage.cases import Case, random_case
from tests.coverage.oracle import (
    OracleSensor,
    check_against,
    oracle_covered,
    oracle_covered_m,
    sample_border,
)

NOON = datetime(2017, 9, 18, 12, tzinfo=UTC)
WGS84 = Geodesic.WGS84


def engine(case: Case) -> BorderCoverage:
    return coverage_of(case.border, sights_at(case.sensors, NOON))


def verdict_of(case: Case) -> tuple[object, BorderCoverage]:
    found = engine(case)
    samples = oracle_covered(sample_border(case.vertices), case.oracle_sensors)
    verdict = check_against(samples, case.oracle_sensors,
                            [(i.from_m, i.to_m) for i in found.covered],
                            [(g.from_m, g.to_m) for g in found.gaps], found.covered_m)
    return verdict, found


@pytest.mark.parametrize("block", range(5))
def test_random_cases_agree_with_the_oracle(block: int) -> None:
    samples = undecided = 0
    for seed in range(block * 10, block * 10 + 10):
        case = random_case(seed)
        verdict, found = verdict_of(case)
        assert verdict.ok, (seed, verdict.wrong[:3], verdict.missed_gaps[:3])
        assert abs(found.covered_m + sum(g.length_m for g in found.gaps) - found.length_m) < 0.01
        samples, undecided = samples + verdict.samples, undecided + verdict.undecided
    assert undecided < 0.01 * samples  # the tolerance excuses a handful of samples, no more


def test_random_cases_are_covered_to_a_metre() -> None:
    """Finer than the issue asks: sampled every 10 m with bisection at each change, the
    oracle's covered length matches the engine's to a metre."""
    for seed in (16, 183):
        case = random_case(seed, sensors=6)
        found = engine(case)
        truth = oracle_covered_m(oracle_covered(sample_border(case.vertices, 10.0),
                                                case.oracle_sensors), case.oracle_sensors)
        assert found.covered_m == pytest.approx(truth, abs=1.0 + 2e-6 * found.length_m), seed


def _near_border(rng: np.random.Generator, vertices: list[tuple[float, float]], count: int
                 ) -> list[Sensor]:
    out = []
    for i in range(count):
        k = int(rng.integers(0, len(vertices) - 1))
        (lon1, lat1), (lon2, lat2) = vertices[k], vertices[k + 1]
        line = WGS84.InverseLine(lat1, lon1, lat2, lon2)
        pos = line.Position(float(rng.uniform(0, line.s13)))
        g = WGS84.Direct(pos["lat2"], pos["lon2"], float(rng.uniform(0, 360)),
                         float(rng.uniform(0, 15_000)))
        fov = [None, 120.0, 90.0, 200.0][i % 4]
        bearing = None if fov is None else float(rng.uniform(0, 360))
        out.append(Sensor(f"s{i}", "isf", SensorKind.TOWER, Position(g["lon2"], g["lat2"]),
                          float(rng.uniform(2_000, 20_000)), bearing, fov))
    return out


def test_the_shipped_border_with_many_sensors_agrees_with_the_oracle() -> None:
    border = load_border("iraq-syria")
    vertices = [(x, y) for x, y in border.shape.geometry.coords]
    sensors = _near_border(np.random.default_rng(7), vertices, 40)
    case = Case(vertices, sensors)
    found = coverage_of(border, sights_at(sensors, NOON))
    samples = oracle_covered(sample_border(vertices), case.oracle_sensors)
    verdict = check_against(samples, case.oracle_sensors,
                            [(i.from_m, i.to_m) for i in found.covered],
                            [(g.from_m, g.to_m) for g in found.gaps], found.covered_m)
    assert verdict.ok, (verdict.wrong[:3], verdict.missed_gaps[:3])
    assert 590_000 < found.length_m < 610_000
    assert found.gaps and found.covered


def test_the_oracle_itself_on_a_known_answer() -> None:
    """A sensor on a meridian border sees exactly 2R of it: the oracle must say so."""
    vertices = [(41.0, 34.0), (41.0, 34.5)]
    sensor = OracleSensor(41.0, 34.2, 5_000.0)
    samples = oracle_covered(sample_border(vertices, 10.0), [sensor])
    assert oracle_covered_m(samples, [sensor]) == pytest.approx(10_000.0, abs=0.05)
