"""Benchmarks of the hub's hot paths against plain numpy / parser baselines.

Run ``python -m bench`` (``--quick`` for small sizes, ``--only NAME`` for one benchmark). Every
benchmark measures and reports; none asserts a timing. Each also checks that the engine and its
baseline find the same answer, so a fast wrong engine cannot look good.
"""

__all__: list[str] = []
