"""No module of placespend imports itself back, however indirectly, counting imports inside functions too.

Why beside import-linter: its contracts see package-level cycles (`acyclic_siblings`, `layers`), but a circle of
modules inside one package, kept alive by an import moved inside a function, passes them and still ties the
modules together (DESIGN.md §2). This walks every import statement of src/ (module level, function level,
relative or absolute) and looks for strongly connected components of the module graph. A module that imports
by name (`importlib.import_module`, as the CLI's entry point does to load a command only when it runs) is taken
to import every module of src/ it names in a string.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def module_names(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py under `root` (a package is its __init__)."""
    found = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imported(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """Every name an import statement may load: `from a.b import c` loads a.b and, if c is a module, a.b.c."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = package.split(".")
        base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def _imports_by_name(tree: ast.Module) -> bool:
    """Whether a module calls `import_module(...)` (as `importlib.import_module` or imported alone)."""
    return any(isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None))
               == "import_module" for node in ast.walk(tree))


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of `root` it imports anywhere in its body (a name resolves to its nearest module)."""
    modules = module_names(root)
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _imported(node, package):
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
        if _imports_by_name(tree):
            graph[name] |= {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                            and node.value in modules and node.value != name}
    for name in modules:
        graph.setdefault(name, set())
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(graph) + 100))
    try:
        for v in sorted(graph):
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(limit)
    return sorted(found)


def test_no_module_of_placespend_is_in_an_import_cycle():
    graph = import_graph(SRC)
    assert "placespend.app.workspace" in graph  # the walk saw the source tree, not an empty folder
    assert cycles(graph) == []


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_cycle_closed_by_an_import_inside_a_function_is_found(tmp_path):
    """The circle the test exists for: a -> b at module level, b -> a only inside a function."""
    root = _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg import b\n",
        "pkg/b.py": "def late():\n    from pkg.a import thing\n    return thing\n",
        "pkg/c.py": "import pkg.a\n",
    })
    assert cycles(import_graph(root)) == [["pkg.a", "pkg.b"]]


def test_a_cycle_closed_by_an_import_by_name_is_found(tmp_path):
    """A module loaded by `importlib.import_module("pkg.b")` that imports its loader back is a circle too."""
    root = _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "import importlib\nTABLE = {'b': 'pkg.b'}\n\ndef load(key):\n"
                    "    return importlib.import_module(TABLE[key])\n",
        "pkg/b.py": "from pkg.a import TABLE\n",
        "pkg/c.py": "NAMES = ['pkg.a', 'pkg.b']\n",  # names in strings, never imported by name: no edge
    })
    graph = import_graph(root)
    assert graph["pkg.a"] == {"pkg.b"} and graph["pkg.c"] == set()
    assert cycles(graph) == [["pkg.a", "pkg.b"]]


def test_relative_imports_and_package_inits_resolve(tmp_path):
    """`from . import x` in a package's __init__ and `from ..y import z` in a subpackage are edges too."""
    root = _write(tmp_path, {
        "pkg/__init__.py": "from . import sub\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/leaf.py": "from ..top import value\n",
        "pkg/top.py": "from pkg.sub import leaf\nvalue = 1\n",
    })
    graph = import_graph(root)
    assert graph["pkg"] == {"pkg.sub"}
    assert graph["pkg.sub.leaf"] == {"pkg.top"}
    assert cycles(graph) == [["pkg.sub.leaf", "pkg.top"]]


def test_an_acyclic_tree_has_no_cycle(tmp_path):
    root = _write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "import pkg.b\n", "pkg/b.py": "import json\n"})
    assert cycles(import_graph(root)) == []
