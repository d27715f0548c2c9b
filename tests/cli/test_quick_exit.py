"""Ending a run without freeing what it held: only when `main` ends the process."""

from __future__ import annotations

import io

import pytest

from rampctl.cli import quick_exit


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with nothing held and quick exits not enabled."""
    monkeypatch.setattr(quick_exit, "_kept", [])
    monkeypatch.setattr(quick_exit, "_enabled", False)


@pytest.mark.usefixtures("fresh")
def test_nothing_is_held_in_a_run_that_does_not_end_the_process() -> None:
    quick_exit.keep_until_exit(object())
    assert not quick_exit.asked()


@pytest.mark.usefixtures("fresh")
def test_once_enabled_what_a_command_holds_asks_for_a_quick_exit() -> None:
    quick_exit.enable()
    assert not quick_exit.asked()
    held = object()
    quick_exit.keep_until_exit(held)
    assert quick_exit.asked()
    assert held in quick_exit._kept


class _ClosedPipe(io.StringIO):
    def flush(self) -> None:
        raise BrokenPipeError("closed")


@pytest.mark.usefixtures("fresh")
def test_output_that_cannot_be_flushed_leaves_the_ordinary_exit_to_report_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ended: list[int] = []
    monkeypatch.setattr(quick_exit.os, "_exit", ended.append)
    monkeypatch.setattr("sys.stdout", _ClosedPipe())
    quick_exit.leave(2)  # returns: the caller goes on to sys.exit
    assert ended == []


@pytest.mark.usefixtures("fresh")
def test_flushed_output_ends_the_process_with_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    ended: list[int] = []
    out = io.StringIO()
    monkeypatch.setattr(quick_exit.os, "_exit", ended.append)
    monkeypatch.setattr("sys.stdout", out)
    print("Plan: 1 to update.", end="")
    quick_exit.leave(2)
    assert ended == [2]
    assert out.getvalue() == "Plan: 1 to update."
