"""Template limits: loop iterations, output size and render time, each a positioned error."""

from __future__ import annotations

from pathlib import Path

import pytest

from rampctl.errors import ManifestError
from rampctl.manifest import load_manifests, templates

HEAD = "apiVersion: rampctl/v1\nkind: Vendor\nmetadata:\n  name: acme\nspec:\n  name: Acme\n"


def _problems(tmp_path: Path, body: str) -> list[str]:
    root = tmp_path / "m"
    root.mkdir()
    (root / "t.yaml.j2").write_text(HEAD + body)
    with pytest.raises(ManifestError) as info:
        load_manifests(root)
    return [str(p).replace(str(root), "m") for p in info.value.problems]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '  description: "{% for i in range(100000) %}{% for j in range(100000) %}'
            '{% endfor %}{% endfor %}"\n',
            "template limit: the template ran more than 1,000,000 loop iterations",
        ),
        (
            "  description: \"{{ 'a'.ljust(1500000000) }}\"\n",
            "template limit: 'ljust' of width 1,500,000,000 would make the output larger",
        ),
        (
            "  description: \"{{ 'a'|center(1500000000) }}\"\n",
            "template limit: the center filter of width 1,500,000,000 would make the output",
        ),
        (
            "  description: \"{{ '%1500000000s' % 'a' }}\"\n",
            "template limit: a % format of width 1,500,000,000 would make the output larger",
        ),
        (
            "  description: \"{{ '{:>1500000000}'.format('a') }}\"\n",
            "template limit: a format of width 1,500,000,000 would make the output larger",
        ),
        (
            '  description: "{% for i in range(10**6) %}{% endfor %}"\n',
            "template limit: range of 1,000,000 items (at most 100,000)",
        ),
    ],
)
def test_template_limits_are_positioned_errors(tmp_path: Path, body: str, message: str) -> None:
    [problem] = _problems(tmp_path, body)
    assert problem.startswith("m/t.yaml.j2:7:1: ")
    assert message in problem


def test_render_time_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templates, "MAX_RENDER_S", 0.0)
    [problem] = _problems(tmp_path, '  description: "{{ 1 }}"\n')
    assert "template limit: the template took longer than 0 s to render" in problem
