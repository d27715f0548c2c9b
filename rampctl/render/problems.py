"""Manifest problems for machines: JSON, and GitHub workflow annotations on the diff."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from rampctl.errors import Problem


def problems_json(problems: Sequence[Problem], summaries: Sequence[dict[str, object]]) -> str:
    """`{"valid", "problems": [...], "roots": [...]}` as indented JSON text with a newline."""
    document = {
        "valid": not problems,
        "problems": [asdict(p) for p in problems],
        "roots": list(summaries),
    }
    return json.dumps(document, indent=2) + "\n"


def github_annotations(problems: Sequence[Problem]) -> str:
    """One `::error file=…,line=…,col=…::message` workflow command per problem."""
    lines = []
    for problem in problems:
        where = ",".join(
            [
                f"file={_property(problem.file)}",
                f"line={problem.line}",
                f"col={problem.col}",
                f"title={_property('rampctl validate')}",
            ]
        )
        message = ": ".join(p for p in (problem.address, problem.field, problem.message) if p)
        lines.append(f"::error {where}::{_data(message)}")
    return "".join(line + "\n" for line in lines)


def _data(text: str) -> str:
    """Escape a workflow command's message (GitHub's own escaping rules)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """Escape a workflow command's property value."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")
