"""What the manifest cache's tests share: the roots every cold/warm comparison loads, and a
small vendor manifest to write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rampctl.manifest import loader as loader_module

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).parent / "corpus"
VENDOR = "apiVersion: rampctl/v1\nkind: Vendor\nmetadata:\n  name: {name}\nspec:\n  name: {title}\n"


def manifest_roots() -> list[tuple[str, Path]]:
    """Every corpus case, the bundled manifests and each example folder, by name."""
    cases = [(f"corpus/{p.name}", p) for p in sorted(CORPUS.iterdir()) if p.is_dir()]
    examples = [(f"examples/{p.name}", p) for p in sorted((REPO / "examples").iterdir())]
    return [("manifests", REPO / "manifests"), *cases, *[e for e in examples if e[1].is_dir()]]


def counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The manifest files a load reads (their paths), as it reads them."""
    reads: list[str] = []
    real, real_with_stat = loader_module._read_bytes, loader_module._stat_and_read

    def counting(path: str, size: int = -1) -> bytes:
        reads.append(path)
        return real(path, size)

    def counting_with_stat(path: str) -> tuple[os.stat_result, bytes]:
        reads.append(path)
        return real_with_stat(path)

    monkeypatch.setattr(loader_module, "_read_bytes", counting)
    monkeypatch.setattr(loader_module, "_stat_and_read", counting_with_stat)
    return reads
