"""The checks that keep the code in shape: lint, format, types, the layers of the pipeline, no cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from helpers import edit

ROOT = Path(__file__).resolve().parent.parent
# The tools of the environment the tests run in (a venv, or CI after `pip install -e '.[test]'`), not whatever
# version happens to be first on PATH.
BIN = Path(sys.executable).parent
CODE = ["sitegen", "tests", "benchmarks", "tools"]


def run_tool(name: str, *args: str) -> subprocess.CompletedProcess:
    tool = BIN / name
    if not tool.exists():
        pytest.fail(f"{name} is not installed next to {sys.executable}: pip install -e '.[test]'")
    return subprocess.run([str(tool), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def assert_clean(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, f"{' '.join(result.args)} failed:\n{result.stdout}{result.stderr}"


def test_ruff_finds_nothing_to_lint():
    assert_clean(run_tool("ruff", "check", *CODE))


def test_code_is_formatted_as_ruff_formats_it():
    assert_clean(run_tool("ruff", "format", "--check", *CODE))


def test_mypy_finds_no_type_errors():
    # files and options come from [tool.mypy] in pyproject.toml
    assert_clean(run_tool("mypy"))


def test_each_stage_imports_only_the_stages_below_it():
    # the layers contract is [tool.importlinter] in pyproject.toml
    assert_clean(run_tool("lint-imports", "--no-cache"))


def _imports_of_sitegen_inside_functions(path: Path, root: Path = ROOT) -> list[str]:
    """The lines of `path` that import a sitegen module inside a function, where an import hides a dependency."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = ["." * node.level + (node.module or "")]
            else:
                continue
            if any(name == "sitegen" or name.startswith(("sitegen.", ".")) for name in names):
                found.append((node.lineno, f"{path.relative_to(root)}:{node.lineno}: {', '.join(names)}"))
    return [line for _, line in sorted(set(found))]


def test_no_function_imports_a_sitegen_module():
    found = [
        line for path in sorted((ROOT / "sitegen").rglob("*.py")) for line in _imports_of_sitegen_inside_functions(path)
    ]
    assert not found, "imports of sitegen inside a function (move them to the top of the module):\n" + "\n".join(found)


def test_the_inner_import_check_finds_one(tmp_path):
    # the check above must be able to fail
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import sitegen\n\ndef f():\n    from sitegen import model\n    from . import urls\n    import json\n"
    )
    assert _imports_of_sitegen_inside_functions(sample, root=tmp_path) == ["sample.py:4: sitegen", "sample.py:5: ."]


def _cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(imports.get(module, ())):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return sorted(groups)


def test_cycle_finder():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_no_import_cycle_between_sitegen_modules():
    graph = grimp.build_graph("sitegen", exclude_type_checking_imports=True, cache_dir=None)
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    cycles = _cycles(imports)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(group) for group in cycles)


def test_a_fixture_edit_fails_loudly_when_its_text_is_not_there():
    assert edit("a: 1\nb: 1\n", "a: 1", "a: 2") == "a: 2\nb: 1\n"
    assert edit(b"x x", b"x", b"y", count=None) == b"y y"
    for old, count in (("c: 1", 1), (": 1", 1), ("a: 1", 2)):
        with pytest.raises(AssertionError, match="edit: "):
            edit("a: 1\nb: 1\n", old, "z", count=count)
