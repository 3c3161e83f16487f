"""The pure core's computations: geodesy, indexing, screening rules and separation.

No I/O and no clock: every function is given the moment it works at.
"""

from deconflict.engine.geodesy import buffer_footprint, distance_m
from deconflict.engine.screening import Screener, screen_notices, verdict_of
from deconflict.engine.separation import separation_findings

__all__ = ["Screener", "buffer_footprint", "distance_m", "screen_notices", "separation_findings",
           "verdict_of"]
