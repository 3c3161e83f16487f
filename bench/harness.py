"""Shared harness: scales, timing, result rows and the Markdown table they render to."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

import numpy as np

__all__ = [
    "Row",
    "Scale",
    "Section",
    "Target",
    "Timing",
    "format_seconds",
    "render_table",
    "time_calls",
    "time_each",
]

T = TypeVar("T")
R = TypeVar("R")


class Scale(StrEnum):
    """How big a run is: ``full`` for the report, ``quick`` to try a change, ``tiny`` for tests."""

    FULL = "full"
    QUICK = "quick"
    TINY = "tiny"


@dataclass(frozen=True, slots=True)
class Timing:
    """Wall-clock samples of one operation, in seconds."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return float(np.median(self.samples))

    @property
    def p95(self) -> float:
        return float(np.percentile(self.samples, 95))


@dataclass(frozen=True, slots=True)
class Target:
    """A goal from the issue: the median should stay at or under ``limit_s``. Reported, never
    asserted."""

    limit_s: float

    def met(self, timing: Timing) -> bool:
        return timing.median <= self.limit_s

    def describe(self) -> str:
        return f"median < {format_seconds(self.limit_s)}"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the results table."""

    benchmark: str
    size: str
    implementation: str
    timing: Timing
    results: int
    target: Target | None = None
    check: str = ""

    def cells(self) -> list[str]:
        target, met = "—", "—"
        if self.target is not None:
            target = self.target.describe()
            met = "met" if self.target.met(self.timing) else "**missed**"
        return [self.benchmark, self.size, self.implementation,
                format_seconds(self.timing.median), format_seconds(self.timing.p95),
                str(len(self.timing.samples)), f"{self.results:,}", target, met,
                self.check or "—"]


@dataclass(frozen=True, slots=True)
class Section:
    """What one benchmark produced: its rows and whether engine and baseline agreed."""

    name: str
    rows: list[Row] = field(default_factory=list)
    #: Disagreements the tolerance does not explain; the smoke test requires zero.
    unexplained: int = 0


_HEADER = ["benchmark", "size", "implementation", "median", "p95", "runs", "results", "target",
           "met", "check"]


def render_table(rows: Sequence[Row]) -> str:
    """The rows as one GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(_HEADER) + " |", "|" + "---|" * len(_HEADER)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row.cells()) + " |"
              for row in rows]
    return "\n".join(lines)


def format_seconds(seconds: float) -> str:
    """Milliseconds under a second, seconds above.

    >>> format_seconds(0.0031234), format_seconds(2.5), format_seconds(0.00004)
    ('3.12 ms', '2.50 s', '0.040 ms')
    """
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 0.001:
        return f"{seconds * 1000:.2f} ms"
    return f"{seconds * 1000:.3f} ms"


def time_calls(fn: Callable[[], R], repeats: int, budget_s: float = math.inf
               ) -> tuple[Timing, R]:
    """Call ``fn`` up to ``repeats`` times (at least once), stopping early once the samples add
    up to ``budget_s``: slow operations get fewer samples rather than a run of many minutes.
    Returns the samples and the last result."""
    start = time.perf_counter()
    result = fn()
    samples = [time.perf_counter() - start]
    while len(samples) < repeats and sum(samples) < budget_s:
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return Timing(tuple(samples)), result


def time_each(fn: Callable[[T], R], items: Sequence[T]) -> tuple[Timing, list[R]]:
    """Call ``fn`` once per item (e.g. per notice); a sample and a result per item."""
    samples: list[float] = []
    results: list[R] = []
    for item in items:
        start = time.perf_counter()
        results.append(fn(item))
        samples.append(time.perf_counter() - start)
    return Timing(tuple(samples)), results
