"""The shape of core/ (issue 13): its imports form a tree you could draw, and none hides in a function.

Read from the source (AST), every import wherever it stands: at the top, under `if`, in a function.
An import of a core module inside a function hides a circle, so none is allowed; a function-level
import of a third-party or standard module is allowed only with `# deferred: <why>` on its line.
core/ is plain Python: Streamlit belongs to the pages.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"


@dataclass(frozen=True)
class Import:
    module: str  # the importing core module, e.g. core.workflow
    path: str  # core/workflow.py
    line: int
    targets: tuple[str, ...]  # dotted names as written, resolved against the package for relative imports
    in_function: bool
    source: str  # the import's own lines


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(CORE.rglob("*.py"))}


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> tuple[str, ...]:
    if isinstance(node, ast.Import):
        return tuple(alias.name for alias in node.names)
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    # `from core import workflow` names a module; `from core.db import rows` names a thing in one
    return (base, *(f"{base}.{alias.name}" for alias in node.names))


def imports_in(text: str, module: str, path: str) -> list[Import]:
    """Every import statement of one source file, and whether it stands inside a function."""
    found: list[Import] = []
    lines = text.splitlines()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append(Import(module, path, child.lineno,
                                    _targets(child, module, path.endswith("__init__.py")), in_function,
                                    "\n".join(lines[child.lineno - 1:child.end_lineno])))
            visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(ast.parse(text), False)
    return found


def _loaded_by_name() -> list[Import]:
    """The command line's registry (core/cli/__init__.py COMMANDS) names each command's module, imported only
    when that command runs (issue 16): no import statement shows those edges, so they are drawn from it."""
    source = (ROOT / "core/cli/__init__.py").read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Command":
            module = node.args[2].value
            found.append(Import("core.cli", "core/cli/__init__.py", node.lineno, (module,), False,
                                f"Command({node.args[0].value!r}, …, {module!r}, …)"))
    return found


IMPORTS = [imp for module, path in MODULES.items()
           for imp in imports_in(path.read_text(encoding="utf-8"), module, str(path.relative_to(ROOT)))]
IMPORTS += _loaded_by_name()


def _core_module(name: str) -> str | None:
    """The core module a dotted name lives in (core.db.rows → core.db), None outside core."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _core_targets(imp: Import) -> set[str]:
    hits = {m for m in map(_core_module, imp.targets) if m}
    if len(hits) > 1:
        hits.discard("core")  # `from core import x`: the package is only the way to x
    return hits - {imp.module}


def _graph() -> dict[str, dict[str, Import]]:
    graph: dict[str, dict[str, Import]] = {m: {} for m in MODULES}
    for imp in IMPORTS:
        for target in _core_targets(imp):
            graph[imp.module].setdefault(target, imp)
    return graph


def _strongly_connected(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """Tarjan's algorithm: every group of modules that reach one another."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [g for g in groups if len(g) > 1]


def _cycle_in(group: list[str], graph: dict[str, dict[str, Import]]) -> list[str]:
    """One circle through the group's first module, as a path back to it."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node]):
            if nxt == start:
                return [*paths[node], start]
            if nxt in members and nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    return group


def _describe(cycle: list[str], graph: dict[str, dict[str, Import]]) -> str:
    steps = [f"{a} → {b} ({graph[a][b].path}:{graph[a][b].line})" for a, b in zip(cycle, cycle[1:], strict=False)]
    return "\n  ".join(steps)


def test_core_modules_import_one_another_without_a_circle():
    graph = _graph()
    circles = [_describe(_cycle_in(group, graph), graph) for group in _strongly_connected(graph)]
    assert not circles, "import circles in core/ (move the code to the module it belongs to):\n  " + \
        "\n\n  ".join(circles)


def test_no_core_module_is_imported_inside_a_function():
    hidden = [f"{imp.path}:{imp.line}: {imp.source.strip()}" for imp in IMPORTS
              if imp.in_function and _core_targets(imp)]
    assert not hidden, "core imports inside functions (lift them to the top of the file):\n" + "\n".join(hidden)


def test_every_other_function_level_import_says_why_it_waits():
    silent = [f"{imp.path}:{imp.line}: {imp.source.strip()}" for imp in IMPORTS
              if imp.in_function and not _core_targets(imp) and "# deferred:" not in imp.source]
    assert not silent, "function-level imports without `# deferred: <why>` (lift them, or say why):\n" + \
        "\n".join(silent)


def test_the_command_lines_registry_is_drawn():
    """Every command's module is an edge from core.cli, a module that exists (a typo would hide a circle)."""
    registry = _loaded_by_name()
    assert len(registry) >= 17 and {"core.cli.build", "core.cli.workbench"} <= {i.targets[0] for i in registry}
    assert all(i.targets[0] in MODULES for i in registry), [i.source for i in registry if i.targets[0] not in MODULES]
    assert {"core.cli.build", "core.cli.ops"} <= set(_graph()["core.cli"])


def test_core_never_imports_streamlit():
    found = [f"{imp.path}:{imp.line}: {imp.source.strip()}" for imp in IMPORTS
             if any(t == "streamlit" or t.startswith("streamlit.") for t in imp.targets)]
    assert not found, "core/ is plain Python; Streamlit belongs to pages/:\n" + "\n".join(found)


def test_the_checks_see_what_they_are_meant_to_see():
    """The reader itself, on a made-up module: a hidden core import, a deferred one, an unexplained one."""
    source = (
        "from core import db\n"
        "from core.text import clean_text\n"
        "def f():\n"
        "    from core import workflow\n"
        "    import pandas as pd  # deferred: heavy\n"
        "    class Inner:\n"
        "        import json\n"
        "    from . import audit\n")
    found = imports_in(source, "core.toy", "core/toy.py")
    assert [(i.line, i.in_function, sorted(_core_targets(i))) for i in found] == [
        (1, False, ["core.db"]), (2, False, ["core.text"]), (4, True, ["core.workflow"]),
        (5, True, []), (7, True, []), (8, True, ["core.audit"])]
    assert "# deferred:" in found[3].source and "# deferred:" not in found[4].source
    edge = found[0]
    toy = {"a": {"b": edge}, "b": {"c": edge}, "c": {"a": edge}, "d": {"a": edge}}
    assert _strongly_connected(toy) == [["a", "b", "c"]]
    assert _cycle_in(["a", "b", "c"], toy) == ["a", "b", "c", "a"]


if __name__ == "__main__":  # `python tests/test_structure.py`: the drawing itself, floor by floor
    edges = _graph()
    floors: dict[str, int] = {}

    def floor(module: str, seen: frozenset = frozenset()) -> int:
        if module not in floors:
            below = [floor(m, seen | {module}) for m in edges[module] if m not in seen]
            floors[module] = 1 + max(below, default=-1)
        return floors[module]

    for module in sorted(edges, key=lambda m: (floor(m), m)):
        print(f"{floor(module):2d}  {module:28s} → {', '.join(sorted(edges[module])) or '-'}")
    for group in _strongly_connected(edges):
        print("circle:", _describe(_cycle_in(group, edges), edges).replace("\n  ", " | "))
