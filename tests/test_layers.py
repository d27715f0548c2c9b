"""The package layering: imports run one way, and no module imports itself round a cycle.

```
cli -> github -> importer, render -> engine, manifest -> model -> ramp, state -> (errors, ...)
```
Every `import` counts, including those inside functions and under `TYPE_CHECKING`. The sandbox
imports nothing of rampctl outside itself, and only the CLI imports the sandbox.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rampctl"

#: Each package may import the packages of a lower rank, never one of its own rank or above.
RANK = {
    "__main__": 7,
    "cli": 6,
    "github": 5,
    "importer": 4,
    "render": 4,
    "engine": 3,
    "manifest": 3,
    "model": 2,
    "ramp": 1,
    "state": 1,
    "": 0,  # rampctl/__init__.py: the version
    "errors": 0,
    "words": 0,
    "logs": 0,
    "sensitive": -1,  # below logs, which masks sensitive fields
}
ISOLATED = "sandbox"


def module_name(path: Path) -> str:
    """`rampctl.engine.plan` for rampctl/engine/plan.py; `rampctl.state` for its __init__."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every rampctl module `path` imports, anywhere in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] == "rampctl"}


def graph() -> dict[str, set[str]]:
    """Module -> the rampctl modules it imports (names that are not modules are dropped)."""
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: imports_of(path) & set(files) for name, path in files.items()}


def package_of(module: str) -> str:
    """`engine` for `rampctl.engine.plan`; `errors` for `rampctl.errors`; `` for `rampctl`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer_violations(imports: dict[str, set[str]]) -> list[str]:
    """Imports that go sideways or upward, or into or out of the sandbox."""
    bad = []
    for module, targets in sorted(imports.items()):
        source = package_of(module)
        for target in sorted(targets):
            dest = package_of(target)
            if source == dest:
                continue
            if ISOLATED in (source, dest):
                if source == ISOLATED or source != "cli":
                    bad.append(f"{module} -> {target}")
                continue
            if RANK[dest] >= RANK[source]:
                bad.append(f"{module} -> {target}")
    return bad


def cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles between modules (a package's __init__ importing its own modules aside)."""
    edges = {
        m: {t for t in targets if not (t.startswith(m + ".") or m.startswith(t + "."))}
        for m, targets in imports.items()
    }
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def test_every_package_has_a_rank() -> None:
    packages = {package_of(m) for m in graph()} - {ISOLATED}
    assert packages <= set(RANK), packages - set(RANK)


def test_imports_run_one_way() -> None:
    assert layer_violations(graph()) == []


def test_no_import_cycle() -> None:
    assert cycles(graph()) == []


def test_manifest_does_not_reach_the_ramp_client() -> None:
    """Loading manifests needs no HTTP client: manifest reaches only Ramp's typed models."""
    imports = graph()
    seen: set[str] = set()
    todo = [m for m in imports if package_of(m) == "manifest"]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo += imports[module]
    assert "rampctl.ramp.client" not in seen
    assert {m for m in seen if package_of(m) == "ramp"} <= {"rampctl.ramp", "rampctl.ramp.models"}


@pytest.mark.parametrize(
    ("imports", "expected"),
    [
        ({"rampctl.model.x": {"rampctl.manifest.y"}}, ["rampctl.model.x -> rampctl.manifest.y"]),
        ({"rampctl.engine.x": {"rampctl.manifest.y"}}, ["rampctl.engine.x -> rampctl.manifest.y"]),
        ({"rampctl.sandbox.x": {"rampctl.errors"}}, ["rampctl.sandbox.x -> rampctl.errors"]),
        ({"rampctl.engine.x": {"rampctl.sandbox.y"}}, ["rampctl.engine.x -> rampctl.sandbox.y"]),
        ({"rampctl.cli.x": {"rampctl.sandbox.y", "rampctl.engine.z"}}, []),
        ({"rampctl.state.x": {"rampctl.sensitive"}}, []),
    ],
)
def test_layer_check_catches_upward_sideways_and_sandbox_imports(
    imports: dict[str, set[str]], expected: list[str]
) -> None:
    assert layer_violations(imports) == expected


def test_cycle_check_finds_a_cycle() -> None:
    imports = {"rampctl.a": {"rampctl.b"}, "rampctl.b": {"rampctl.c"}, "rampctl.c": {"rampctl.a"}}
    assert cycles(imports) == [["rampctl.a", "rampctl.b", "rampctl.c", "rampctl.a"]]
