"""Codecs between the model and the outside world; pure except where a function names a path."""

from deconflict.interop.scenario import (
    dump_scenario,
    load_scenario,
    parse_scenario,
    scenario_from_document,
    scenario_to_document,
    write_scenario,
)

__all__ = [
    "dump_scenario",
    "load_scenario",
    "parse_scenario",
    "scenario_from_document",
    "scenario_to_document",
    "write_scenario",
]
