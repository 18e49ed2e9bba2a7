"""Every report template is thin: a typed parameters cell, then headings and calls to iaobs.

A template is a jupytext percent-format ``.py`` file shipped in the package; what a cell may do
is show something: no function or class, no reshaping of data, no file write, a few lines.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jupytext
import pytest

from iaobs.core.resources import templates_dir

TEMPLATES = sorted(templates_dir().glob("*.py"))
MAX_CODE_LINES = 8
FORBIDDEN_CALLS = {"open", "exec", "eval", "compile", "__import__"}
RESHAPING = re.compile(r"\.(groupby|pivot|pivot_table|merge|melt|apply|agg|to_\w+)\(|\bpd\.")


def test_templates_are_found() -> None:
    assert len(TEMPLATES) >= 6, TEMPLATES


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.stem for p in TEMPLATES])
def test_the_parameters_cell_comes_first_and_is_typed(path: Path) -> None:
    code = [c for c in jupytext.read(path).cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), path.name
    tree = ast.parse(code[0].source)
    assert tree.body, path.name
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), f"{path.name}: untyped parameter"
        assert isinstance(node.value, ast.Constant | ast.List), f"{path.name}: parameter default"
    names = {n.target.id for n in tree.body if isinstance(n.target, ast.Name)}  # type: ignore[union-attr]
    assert {"study_dir", "language"} <= names or path.stem == "comparaison", path.name


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.stem for p in TEMPLATES])
def test_every_cell_only_calls_iaobs(path: Path) -> None:
    cells = [c for c in jupytext.read(path).cells if c.cell_type == "code"][1:]
    for cell in cells:
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda)), path.name
            assert not isinstance(node, (ast.For, ast.While, ast.With)), (path.name, cell.source)
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                assert (module or "").startswith(("iaobs", "IPython.display")), (path.name, module)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in FORBIDDEN_CALLS, (path.name, node.func.id)
        assert not RESHAPING.search(cell.source), (path.name, cell.source)
        lines = [line for line in cell.source.splitlines() if line.strip()]
        assert len(lines) <= MAX_CODE_LINES, (path.name, cell.source)
