"""Docs are part of the product: a command, option or error code missing from them fails here."""

from __future__ import annotations

import inspect
from pathlib import Path

import click

from deconflict import errors
from deconflict.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_readme_opens_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text(encoding="utf-8")[:1500]
    assert "make demo" in head and "make test" in head


def _commands(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in group.commands.items():
        found.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}")
    return found


def test_every_command_and_option_is_documented() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert isinstance(main, click.Group)
    for name, command in _commands(main, "deconflict"):
        assert name in text, f"command {name!r} missing from docs/cli.md"
        section = text.split(f"`{name}", 1)[1].split("\n## ", 1)[0] if f"`{name}" in text else ""
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(opt in section for opt in param.opts), f"{name} {param.opts}"


def test_every_error_code_is_documented() -> None:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    for _, cls in inspect.getmembers(errors, inspect.isclass):
        if issubclass(cls, errors.DeconflictError):
            assert f"`{cls.code}`" in text and f"`{cls.__name__}`" in text
