"""The layout is the architecture: stages import only downwards, no cycle, sizes a reader holds.

Every rule is checked on the source tree with :mod:`ast`, imports inside functions included.
"""

from __future__ import annotations

import ast
import functools
import itertools
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "iaobs"

# The stages in the order data flows; a module may import its own stage and the ones before it.
LAYERS = (
    ("errors", "core"),
    ("study",),
    ("ingest",),
    ("prepare",),
    ("stats",),
    ("frame",),
    ("actors",),
    ("reports",),
    ("render",),
    ("pipeline",),
    ("tools",),
    ("cli", "__init__", "__main__"),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
MAX_MODULE_LINES = 900
MAX_FUNCTION_LINES = 120

# Debts still being paid off, listed so that they can only shrink: a module or function may not
# grow past the size written here, and no new cycle, upward import or inner import may appear.
# Remove an entry when its debt is paid (a test below fails while a paid entry is still listed).
DEBT_MODULES: dict[str, int] = {}
DEBT_FUNCTIONS: dict[str, int] = {}
DEBT_IMPORTS: frozenset[tuple[str, str]] = frozenset()


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def _modules() -> dict[str, ast.Module]:
    return {_module_name(p): ast.parse(p.read_text("utf-8")) for p in sorted(SRC.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return (SRC.parent / name.replace(".", "/") / "__init__.py").is_file()


def _targets(name: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The iaobs modules an import statement loads."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "iaobs"]
    if node.level:
        base = name.split(".") if _is_package(name) else name.split(".")[:-1]
        base = base[: len(base) - node.level + 1]
        module = ".".join([*base, node.module] if node.module else base)
    else:
        module = node.module or ""
    if module.split(".")[0] != "iaobs":
        return []
    found = []
    names_only = False
    for alias in node.names:  # `from iaobs.stats import weights` imports a module
        candidate = f"{module}.{alias.name}"
        if (SRC.parent / candidate.replace(".", "/")).with_suffix(".py").is_file() or _is_package(
            candidate
        ):
            found.append(candidate)
        else:
            names_only = True
    # `from package import submodule` depends on the submodule, not on what the package exports
    return [module, *found] if names_only or not found else found


def _lazy(path_lines: list[str], node: ast.stmt) -> bool:
    """An import inside a function documented as a lazy import (``# lazy: why``)."""
    return "# lazy:" in path_lines[node.lineno - 1]


@functools.cache
def _graph() -> tuple[dict[str, set[str]], list[tuple[str, str, int]]]:
    """The import graph of iaobs (every import, lazy ones included) and the undocumented
    imports inside functions."""
    graph: dict[str, set[str]] = defaultdict(set)
    inner: list[tuple[str, str, int]] = []
    sources = {_module_name(p): p.read_text("utf-8").splitlines() for p in SRC.rglob("*.py")}
    for name, tree in _modules().items():
        functions = [
            n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        nested = {id(x) for f in functions for x in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _targets(name, node):
                    if target != name and target != "iaobs":
                        graph[name].add(target)
                        if id(node) in nested and not _lazy(sources[name], node):
                            inner.append((name, target, node.lineno))
    return graph, inner


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_no_import_cycle() -> None:
    graph, _ = _graph()
    seen: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            # a package's __init__ is its own module: `iaobs.stats` -> its submodules is no cycle
            if seen.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for module in sorted(graph):
        if module not in seen:
            visit(module)
    new = [c for c in cycles if all(pair not in DEBT_IMPORTS for pair in itertools.pairwise(c))]
    assert not new, "import cycles: " + "; ".join(" -> ".join(c) for c in new)


def test_imports_point_down_the_stages() -> None:
    graph, _ = _graph()
    upward = [
        f"{src} -> {dst}"
        for src, targets in graph.items()
        for dst in targets
        if RANK.get(_stage(dst), 0) > RANK.get(_stage(src), len(LAYERS))
        and (src, dst) not in DEBT_IMPORTS
    ]
    assert not upward, "imports pointing up the stages: " + ", ".join(sorted(upward))


def test_no_undocumented_import_inside_a_function() -> None:
    _, inner = _graph()
    found = [
        f"{src}:{line} imports {dst}" for src, dst, line in inner if (src, dst) not in DEBT_IMPORTS
    ]
    assert not found, "imports of iaobs inside functions: " + ", ".join(found)


def test_modules_a_reader_can_hold() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text("utf-8").splitlines()))
        > DEBT_MODULES.get(str(p.relative_to(SRC)), MAX_MODULE_LINES)
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_functions_a_reader_can_hold() -> None:
    long = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                where = f"{path.relative_to(SRC)}:{node.name}"
                if size > DEBT_FUNCTIONS.get(where, MAX_FUNCTION_LINES):
                    long.append(f"{path.relative_to(SRC)}:{node.name} ({size})")
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: " + ", ".join(sorted(long))


def test_paid_debts_are_struck_off() -> None:
    """A debt that no longer exists is removed from the lists, so that it cannot come back."""
    graph, _ = _graph()
    sizes = {
        str(p.relative_to(SRC)): len(p.read_text("utf-8").splitlines()) for p in SRC.rglob("*.py")
    }
    paid = [m for m, cap in DEBT_MODULES.items() if sizes.get(m, 0) <= MAX_MODULE_LINES]
    functions: dict[str, int] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                where = f"{path.relative_to(SRC)}:{node.name}"
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                functions[where] = max(functions.get(where, 0), size)
    paid += [f for f in DEBT_FUNCTIONS if functions.get(f, 0) <= MAX_FUNCTION_LINES]
    edges = {(src, dst) for src, targets in graph.items() for dst in targets}
    paid += [f"{a} -> {b}" for a, b in DEBT_IMPORTS if (a, b) not in edges]
    assert not paid, "debts paid, strike them off: " + ", ".join(sorted(paid))


@pytest.mark.parametrize(
    "stage",
    [s for names in LAYERS for s in names if s not in {"cli", "__init__", "__main__", "errors"}],
)
def test_every_stage_is_a_package_or_absent(stage: str) -> None:
    folder = SRC / stage
    assert not folder.exists() or (folder / "__init__.py").is_file()
