"""Use cases: one function per user action. Adapters (CLI, API, demo) call these and render.

Scenario-level operations see the whole truth, as an administrator does; the hub operations
(:mod:`deconflict.service.hub` and its siblings) act for one party and apply the disclosure rules.
"""

from deconflict.service import demo_support, tokens
from deconflict.service.scenario_ops import (
    LoadSummary,
    NoticeScreening,
    ScreeningReport,
    SeparationReport,
    load_into_store,
    read_scenario,
    screen,
    separation,
)

__all__ = [
    "LoadSummary",
    "NoticeScreening",
    "ScreeningReport",
    "SeparationReport",
    "demo_support",
    "load_into_store",
    "read_scenario",
    "screen",
    "separation",
    "tokens",
]
