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


def test_every_command_and_option_is_documented() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert isinstance(main, click.Group)
    for name, command in main.commands.items():
        assert f"deconflict {name}" in text, f"command {name} missing from docs/cli.md"
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(opt in text for opt in param.opts), f"{name} {param.opts} undocumented"


def test_every_error_code_is_documented() -> None:
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    for _, cls in inspect.getmembers(errors, inspect.isclass):
        if issubclass(cls, errors.DeconflictError):
            assert f"`{cls.code}`" in text and f"`{cls.__name__}`" in text
