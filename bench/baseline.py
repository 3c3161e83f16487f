"""The baselines: brute-force spherical (haversine) distances in plain numpy, no index at all.

A sphere is not the WGS84 ellipsoid, so these distances differ from the engine's geodesics by up
to a few parts per thousand; :func:`tolerance_m` bounds that, and :func:`classify` uses it (and
an exact ellipsoidal referee) to tell a spherical near-miss from a real disagreement.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from geographiclib.geodesic import Geodesic
from numpy.typing import NDArray

__all__ = [
    "EARTH_RADIUS_M",
    "Accept",
    "Agreement",
    "Disputed",
    "Points",
    "classify",
    "ellipsoidal_m",
    "haversine_m",
    "pairs_within",
    "tolerance_m",
]

#: Mean radius of the WGS84 ellipsoid (IUGG R1).
EARTH_RADIUS_M = 6_371_008.8
#: Largest relative gap between a spherical and an ellipsoidal distance over eastern Syria is
#: about 0.25 %; twice that is the allowance.
SPHERE_RELATIVE_ERROR = 0.005

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Points:
    """Points prepared once for repeated haversine sums (radians and the cosine of latitude)."""

    lam: FloatArray
    phi: FloatArray
    cos_phi: FloatArray

    @classmethod
    def of(cls, lons: FloatArray, lats: FloatArray) -> Points:
        phi = np.radians(lats)
        return cls(np.radians(lons), phi, np.cos(phi))

    def __len__(self) -> int:
        return len(self.phi)

    def slice(self, part: slice) -> Points:
        return Points(self.lam[part], self.phi[part], self.cos_phi[part])


def haversine_m(a: Points, b: Points) -> FloatArray:
    """Great-circle distances, broadcasting ``a`` against ``b`` (shape follows numpy rules)."""
    return _central_m(_haversine(a, b))


def _haversine(a: Points, b: Points) -> FloatArray:
    """The haversine of the central angle (0 for one point, 1 for antipodes)."""
    h: FloatArray = (np.sin((b.phi - a.phi) / 2) ** 2
                     + a.cos_phi * b.cos_phi * np.sin((b.lam - a.lam) / 2) ** 2)
    return h


def _central_m(h: FloatArray) -> FloatArray:
    d: FloatArray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    return d


Accept = Callable[[NDArray[np.intp], NDArray[np.intp], FloatArray], NDArray[np.bool_]]


def pairs_within(points: Points, reach_m: float, accept: Accept, chunk: int = 128
                 ) -> Iterator[tuple[NDArray[np.intp], NDArray[np.intp]]]:
    """Every pair ``i < j`` within ``reach_m`` that ``accept(i, j, d)`` keeps.

    The haversine of all ``n (n - 1) / 2`` pairs is computed, a block of ``chunk`` rows at a
    time (small blocks stay in cache); it is compared with the reach's haversine, so the arc
    sine is only taken for the pairs within reach.
    """
    n = len(points)
    h_reach = math.sin(reach_m / (2 * EARTH_RADIUS_M)) ** 2
    for start in range(0, n, chunk):
        rows, cols = slice(start, min(n, start + chunk)), slice(start, n)
        h = _haversine(_column(points.slice(rows)), _row(points.slice(cols)))
        i, j = np.nonzero(h <= h_reach)
        upper = j > i
        i, j = i[upper], j[upper]
        d = _central_m(h[i, j])
        kept = accept(i + start, j + start, d)
        yield i[kept] + start, j[kept] + start


def _column(p: Points) -> Points:
    return Points(p.lam[:, None], p.phi[:, None], p.cos_phi[:, None])


def _row(p: Points) -> Points:
    return Points(p.lam[None, :], p.phi[None, :], p.cos_phi[None, :])


def tolerance_m(distance_m: float) -> float:
    """How far a spherical distance may sit from the ellipsoidal one (plus DESIGN.md's 1 m)."""
    return 1.0 + SPHERE_RELATIVE_ERROR * distance_m


def ellipsoidal_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """The referee: Karney's exact geodesic on WGS84 (geographiclib, not pyproj)."""
    return float(Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"])


@dataclass(frozen=True, slots=True)
class Disputed:
    """A target one side counted and the other did not, with what decides it."""

    engine_found: bool
    spherical_m: float  # the baseline's distance, as compared with ``limit_m``
    exact_m: float  # the referee's distance, on the same footing
    limit_m: float


@dataclass(frozen=True, slots=True)
class Agreement:
    """Engine vs baseline over many answers.

    ``spherical`` disagreements are the sphere's fault: the baseline sits within its tolerance of
    the threshold and the exact ellipsoidal referee sides with the engine (or is itself within
    1 m of the threshold, where DESIGN.md lets a result go either way). ``unexplained`` are all
    the rest: they mean a bug.
    """

    compared: int
    equal: int
    spherical: int
    unexplained: int

    @classmethod
    def of(cls, compared: int, equal: int, disputes: Iterable[Disputed]) -> Agreement:
        spherical, unexplained = classify(disputes)
        return cls(compared, equal, spherical, unexplained)

    def describe(self, what: str) -> str:
        text = f"same {what} in {self.equal}/{self.compared}"
        if self.spherical:
            text += f"; {self.spherical} differ only within the sphere's tolerance"
        if self.unexplained:
            text += f"; **{self.unexplained} unexplained**"
        return text


def classify(disputes: Iterable[Disputed]) -> tuple[int, int]:
    """(spherical, unexplained) counts of disputed targets."""
    spherical = unexplained = 0
    for d in disputes:
        near = abs(d.spherical_m - d.limit_m) <= tolerance_m(d.limit_m)
        engine_right = d.engine_found == (d.exact_m <= d.limit_m)
        if near and (engine_right or abs(d.exact_m - d.limit_m) <= 1.0):
            spherical += 1
        else:
            unexplained += 1
    return spherical, unexplained
