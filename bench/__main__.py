"""``python -m bench [--quick] [--only NAME]``: run the benchmarks, print one Markdown table and
write it, with the machine it ran on, to ``bench/results/``.

Timings are reported, never asserted. The exit status is 1 only when an engine and its baseline
disagree beyond what the sphere-vs-ellipsoid tolerance explains: a correctness failure.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import (
    api_alerts,
    api_ingest,
    api_screen,
    coverage,
    detections,
    ledger,
    load,
    screen,
    separation,
)
from bench.harness import Row, Scale, Section, render_table
from bench.machine import describe_machine

__all__ = ["BENCHMARKS", "main", "render_report", "run_all"]

BENCHMARKS: dict[str, Callable[[Scale], Section]] = {
    "screen": screen.run,
    "separation": separation.run,
    "load": load.run,
    "api_ingest": api_ingest.run,
    "api_screen": api_screen.run,
    "api_alerts": api_alerts.run,
    "detections": detections.run,
    "ledger": ledger.run,
    "coverage": coverage.run,
}
RESULTS = Path(__file__).parent / "results"


def run_all(scale: Scale, only: Sequence[str] = (), progress: bool = False) -> list[Section]:
    """Run the chosen benchmarks (all by default) at ``scale``, in a fixed order."""
    sections = []
    for name, bench in BENCHMARKS.items():
        if only and name not in only:
            continue
        if progress:
            print(f"running {name} ({scale}) ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        sections.append(bench(scale))
        if progress:
            print(f"  {name} took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return sections


def render_report(sections: Sequence[Section], scale: Scale, command: str,
                  machine: Sequence[tuple[str, str]], elapsed_s: float) -> str:
    """The results file: machine, command, the table and what each check means."""
    rows: list[Row] = [row for s in sections for row in s.rows]
    lines = ["# deconflict benchmarks", "", f"Scale `{scale}`, run with `{command}` "
             f"in {elapsed_s:.0f} s.", "", "## Machine", ""]
    lines += [f"- {label}: {value}" for label, value in machine]
    lines += ["", "## Results", "", render_table(rows), "", _NOTES]
    return "\n".join(lines) + "\n"


_NOTES = """\
Workloads (fixed seeds, numpy `default_rng`): **screen**: units of ten parties and protected
point sites spread uniformly over eastern Syria (lon 38–42.5, lat 33–37), radii and site buffers
up to 1000 m; notices by a party with no units or partners: 60 % point air strikes (buffer
1000 m, standoff 5000 m), 20 % ground-move lines of 2–10 km, 20 % artillery polygons 1–4 km
across. **separation**: units around 40 places (Gaussian, 10–30 km spread), each unit of the
party holding its territory, 1 % of another party; two partner pairs; default 5000 / 1000 m.
**load**: the screen workload's units (no sites) as YAML and JSON files. **api_ingest**,
**api_screen**, **api_alerts**: the hub served by a real uvicorn on 127.0.0.1 (exercise clock at
the scenario's "now"), one httpx client request at a time. api_ingest posts batches moving units
of one party (about 45 m a report), with the separation monitor idle and, where shown, at its
default tick; its baseline writes the same batches with `store.add_fixes`. api_screen files the
screen workload's notices; its baseline screens them with `Screener.screen` in-process; its API
`results` count the findings as told to the notifier (unnamed units of one party, band and
severity are told once). api_alerts times a report of party A's unit into (then out of) critical
separation with a unit of party B until B gets the alert, on the event stream and, as its
baseline, by polling. **detections**: targets either side of the Iraq-Syria border south-west of
al-Qaim, each seen about once a minute, in batches of 1,000 in time order; association into
tracks with the head index vs every open head scanned, and the whole service path on SQLite
(see `bench/detections.py`). **ledger**: unit reports signed by five parties (Ed25519), canonical
JSON, leaf-hashed and appended, per append, against the same entries appended to pymerkle; then
inclusion proofs at N random leaf hashes against a path recomputed from all the leaves (see
`bench/ledger.py`). **coverage**: the shipped 599 km Iraq–Syria border and sensors up to 15 km
either side of it (ranges 0.5–6 km, 40 % all round, the others facing the border with fields of
view of 40–360 degrees), from border and sensors to stretches and gaps; its baseline samples the
border every 25 m and tests every sample against every sensor (haversine and spherical bearings),
compared sample by sample (see `bench/coverage.py`).

Times are wall clock per operation (per notice for `screen` and `api_screen`, per sweep for
`separation`, per file for `load`, per batch for `api_ingest` and `detections`, per round trip for
`api_alerts`); `p95` is over the `runs`. Targets come from the issue and are reported, never
asserted. `check`: engine and baseline answers compared; the baselines measure on a sphere, so ids
may differ where the spherical distance lies within 0.5 % (+ 1 m) of the threshold and the exact
ellipsoidal distance (geographiclib) agrees with the engine. The API benchmarks compare what the
API stored or told with the direct path, and count a lost alert. Anything else is counted as
unexplained and makes the run fail.
"""


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    parser.add_argument("--tiny", action="store_true", help="smoke-test sizes (seconds)")
    parser.add_argument("--only", action="append", choices=list(BENCHMARKS), metavar="NAME",
                        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}")
    parser.add_argument("--out", type=Path, help="results file (default: bench/results/"
                        "latest.md for a full run of everything, partial.md otherwise)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    scale = Scale.TINY if args.tiny else Scale.QUICK if args.quick else Scale.FULL
    only = tuple(args.only or ())
    complete = scale is Scale.FULL and not only
    out = args.out or RESULTS / ("latest.md" if complete else "partial.md")
    started = time.perf_counter()
    sections = run_all(scale, only, progress=True)
    elapsed = time.perf_counter() - started
    command = " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])])
    report = render_report(sections, scale, command, describe_machine(), elapsed)
    print(render_table([row for s in sections for row in s.rows]))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")
    print(f"\nwritten to {out}", file=sys.stderr)
    failed = [s.name for s in sections if s.unexplained]
    if failed:
        print(f"unexplained disagreements in: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
