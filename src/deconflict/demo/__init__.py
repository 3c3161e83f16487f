"""The demo: the scenario "Euphrates, September 2017" and a replay of one morning at the hub."""

from deconflict.demo.render import render, render_header, render_step
from deconflict.demo.run import SCENARIO_FILE, load_demo_scenario, run_demo
from deconflict.demo.timeline import (
    STEPS,
    Finding,
    Screening,
    Step,
    StepResult,
    finding_label,
    replay,
    rules_fired,
)

__all__ = [
    "SCENARIO_FILE",
    "STEPS",
    "Finding",
    "Screening",
    "Step",
    "StepResult",
    "finding_label",
    "load_demo_scenario",
    "render",
    "render_header",
    "render_step",
    "replay",
    "rules_fired",
    "run_demo",
]
