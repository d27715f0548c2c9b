"""The manifests as other YAML tools should see them: every file, templates rendered."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rampctl.errors import ManifestError, Problem
from rampctl.manifest.loader import TEMPLATE_SUFFIXES, find_sources, load_variables
from rampctl.manifest.templates import TemplateRenderer
from rampctl.manifest.yamlparse import ParseFailure, decode


def rendered_files(root: Path, variables: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(file name, YAML text) of each manifest file under `root`, templates rendered.

    Raises ManifestError with every problem (unreadable files, template errors) at once.
    """
    source, problems = find_sources(root)
    values, more = load_variables(source, variables)
    problems += more
    renderer = TemplateRenderer(source.base, source.display)
    out: list[tuple[str, str]] = []
    for rel in source.files:
        name = source.display(rel)
        try:
            if rel.endswith(TEMPLATE_SUFFIXES):
                text = renderer.render(rel, values).text
            else:
                text = decode((source.base / rel).read_bytes(), name)
        except ParseFailure as exc:
            problems += exc.problems
            continue
        except OSError as exc:
            problems.append(Problem(file=name, line=1, col=1, message=f"cannot read: {exc}"))
            continue
        out.append((name, text))
    if problems:
        raise ManifestError(problems)
    return out


def rendered_text(files: list[tuple[str, str]]) -> str:
    """One multi-document YAML stream, each file introduced by a `# Source:` comment."""
    parts = []
    for name, text in files:
        body = _without_first_marker(text if text.endswith("\n") or not text else text + "\n")
        parts.append(f"---\n# Source: {name}\n{body}")
    return "".join(parts)


def _without_first_marker(text: str) -> str:
    """The text without a `---` that opens its first document (the stream adds its own)."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.strip() == "---":
            return "".join(lines[:index] + lines[index + 1 :])
        if line.strip() and not line.lstrip().startswith("#"):
            break
    return text
