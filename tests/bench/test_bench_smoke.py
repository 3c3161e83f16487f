"""Every benchmark runs at a tiny size and its engine agrees with its baseline.

No timing is asserted here, ever: timings belong to ``make bench`` and its report.
"""

from __future__ import annotations

import doctest
import sys
from pathlib import Path

import numpy as np
import pytest

# The benchmarks live beside src/, not inside the installed package.
_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

import bench.harness  # noqa: E402
from bench.__main__ import BENCHMARKS, main  # noqa: E402
from bench.baseline import (  # noqa: E402
    Disputed,
    Points,
    classify,
    ellipsoidal_m,
    haversine_m,
)
from bench.harness import Scale  # noqa: E402

DEIR_EZ_ZOR = (40.14084, 35.33588)
MAYADEEN = (40.45154, 35.01982)


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_engine_and_baseline_agree_at_tiny_size(name: str) -> None:
    section = BENCHMARKS[name](Scale.TINY)
    assert section.unexplained == 0, [row.check for row in section.rows]
    engine = [r for r in section.rows if r.implementation.startswith("engine")]
    baseline = [r for r in section.rows if r.implementation.startswith("baseline")]
    assert engine and baseline
    # The comparison means something only when there was something to find.
    assert all(r.results > 0 for r in baseline)
    assert all(len(r.timing.samples) >= 1 for r in section.rows)


def test_screen_reports_build_and_every_notice_kind() -> None:
    rows = BENCHMARKS["screen"](Scale.TINY).rows
    kinds = " ".join(r.implementation for r in rows)
    for part in ("index build", "all notices", "point", "line", "polygon", "baseline"):
        assert part in kinds
    checked = [r for r in rows if r.implementation.startswith("baseline")]
    assert checked[0].check.startswith("same ids in")


def test_main_prints_one_table_and_writes_the_machine(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "latest.md"
    assert main(["--tiny", "--only", "separation", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("| benchmark |") == 1
    assert "| separation |" in printed
    report = out.read_text()
    for label in ("CPU", "cores", "memory", "Python", "numpy", "shapely", "pyproj", "date"):
        assert f"- {label}" in report
    assert "| benchmark | size | implementation | median | p95 |" in report


def test_haversine_is_close_to_the_ellipsoid_but_not_equal() -> None:
    a = Points.of(*(np.array([v]) for v in DEIR_EZ_ZOR))
    b = Points.of(*(np.array([v]) for v in MAYADEEN))
    spherical = float(haversine_m(a, b)[0])
    exact = ellipsoidal_m(*DEIR_EZ_ZOR, *MAYADEEN)
    assert exact == pytest.approx(45_061, abs=1)
    assert spherical != pytest.approx(exact, abs=1)
    assert spherical == pytest.approx(exact, rel=0.005)


def test_only_near_threshold_disagreements_are_excused() -> None:
    # Spherical 5010 m vs a 5000 m limit: within the sphere's tolerance, and the exact
    # distance (4990 m) sides with the engine, which found it.
    near_engine_right = Disputed(True, 5010.0, 4990.0, 5000.0)
    # Same, but the engine missed a target the exact distance puts inside: a bug.
    near_engine_wrong = Disputed(False, 5010.0, 4990.0, 5000.0)
    # Far from the threshold: no sphere explains it.
    far = Disputed(True, 7000.0, 6990.0, 5000.0)
    # Exact distance within 1 m of the limit: DESIGN.md lets it go either way.
    on_the_line = Disputed(False, 4995.0, 4999.5, 5000.0)
    assert classify([near_engine_right, on_the_line]) == (2, 0)
    assert classify([near_engine_wrong]) == (0, 1)
    assert classify([far]) == (0, 1)


def test_harness_doctests() -> None:
    assert doctest.testmod(bench.harness).failed == 0
