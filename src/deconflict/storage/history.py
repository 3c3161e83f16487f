"""How the position history is indexed: closed intervals for the past, one row for the present.

A fix is its unit's latest from its own time until the next fix's time. Once a later fix exists
that interval is closed and never changes again, so it goes into the spatial index (an R*Tree in
SQLite) once, as ``(fix id, box, from, to)`` in seconds since 1970. Each unit's *latest* fix,
whose interval is still open, is kept apart as one row per unit: a new report replaces that row
(cheap) and closes the old latest into the index (one insert), instead of updating an R*Tree
entry (a delete and a re-insert, the costliest step of ingesting a report).

These functions only plan the entries; the store writes them.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from deconflict.model import Fix
from deconflict.storage.bbox import Box, point_box
from deconflict.storage.rows import epoch_seconds, fix_row, text_time

__all__ = ["FixEntry", "Latest", "LatestEntry", "batch_entries", "closed_entry", "fix_entry",
           "latest_entry", "track_entries"]

#: ``(fix id, box, from, to)``: the closed interval during which a fix was its unit's latest.
FixEntry = tuple[int, Box, float, float]
#: ``(unit id, fix id, observed, lon, lat, radius_m, box)``: a unit's latest fix.
LatestEntry = tuple[str, int, str, float, float, float, Box]
#: A stored latest fix as the batch writer reads it: ``(fix id, observed, lon, lat, radius_m)``.
Latest = tuple[int, str, float, float, float]


def fix_entry(fix_id: int, fix: Fix, following: datetime, box: Box | None = None) -> FixEntry:
    if box is None:
        box = point_box(fix.position.lon, fix.position.lat, fix.radius_m)
    return fix_id, box, epoch_seconds(fix.time), epoch_seconds(following)


def latest_entry(fix_id: int, row: Sequence[Any], box: Box | None = None) -> LatestEntry:
    """From a :func:`~deconflict.storage.rows.fix_row` (unit, observed, lon, lat, alt, radius…)."""
    unit_id, observed, lon, lat, _, radius_m = row[:6]
    if box is None:
        box = point_box(lon, lat, radius_m)
    return unit_id, fix_id, observed, lon, lat, radius_m, box


def track_entries(unit_id: str, track: Sequence[Fix], first_fix_id: int
                  ) -> tuple[list[tuple[Any, ...]], list[FixEntry], LatestEntry]:
    """Rows ``(id, *fix_row)`` of a whole track (in time order), its closed intervals and its
    latest fix."""
    rows = [(first_fix_id + n, *fix_row(unit_id, fix)) for n, fix in enumerate(track)]
    closed = [fix_entry(row[0], fix, following.time)
              for row, (fix, following) in zip(rows, itertools.pairwise(track), strict=False)]
    return rows, closed, latest_entry(rows[-1][0], rows[-1][1:])


def batch_entries(reports: Sequence[tuple[str, Fix]], rows: Sequence[Sequence[Any]],
                  ids: dict[int, int], latest: dict[str, Latest | None],
                  boxes: Sequence[Box]) -> tuple[list[FixEntry], list[LatestEntry]]:
    """For reports (by index, given their new fix ids in ``ids``) that are all as new as their
    unit's stored latest fix: the intervals they close, and each unit's new latest fix."""
    by_unit: defaultdict[str, list[int]] = defaultdict(list)
    for index in ids:
        by_unit[reports[index][0]].append(index)
    closed: list[FixEntry] = []
    newest: list[LatestEntry] = []
    for unit_id, indexes in by_unit.items():
        # A stable sort: same-time reports stay in arrival order, which is also id order.
        indexes.sort(key=lambda i: reports[i][1].time)
        if (old := latest[unit_id]) is not None:
            closed.append(closed_entry(old, reports[indexes[0]][1].time))
        closed.extend(fix_entry(ids[i], reports[i][1], reports[j][1].time, boxes[i])
                      for i, j in itertools.pairwise(indexes))
        last = indexes[-1]
        newest.append(latest_entry(ids[last], rows[last], boxes[last]))
    return closed, newest


def closed_entry(old: Latest, following: datetime) -> FixEntry:
    """The interval a stored fix closes when ``following`` arrives after it."""
    fix_id, observed, lon, lat, radius_m = old
    return (fix_id, point_box(lon, lat, radius_m), epoch_seconds(text_time(observed)),
            epoch_seconds(following))
