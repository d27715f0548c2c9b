"""A hand-edited state file that repeats an address or holds NaN is refused by the CLI."""

from __future__ import annotations

import pytest

from tests.functional.conftest import Project


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (
            lambda text: text.replace('"vendor/initech": {', '"vendor/acme-cloud": {', 1),
            "the address vendor/acme-cloud appears twice in resources (lines ",
        ),
        (
            lambda text: text.replace('"country": "US"', '"country": NaN', 1),
            "is NaN, which is not a JSON number (line ",
        ),
    ],
)
def test_plan_refuses_a_state_file_that_is_not_strict_json(
    project: Project, edit: object, named: str
) -> None:
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    path = project.root / "rampctl.state.json"
    assert callable(edit)
    text = edit(path.read_text())
    assert text != path.read_text()
    path.write_text(text)
    planned = project.rampctl("plan")
    assert planned.code != 0
    assert "the state file rampctl.state.json is unusable" in planned.err and named in planned.err
    assert "Traceback" not in planned.err
    assert path.read_text() == text  # nothing written
