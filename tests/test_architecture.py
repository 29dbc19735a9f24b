"""The package's layers: imports run one way only, and never hide inside functions.

DESIGN.md ("Architecture") fixes the direction::

    app → build → {checks, l10n} → pipeline → content → {formats, printing} → base

A module may import its own package and any package below its own; siblings in
braces never import each other. No module of ours is imported inside a function
(that is how an upward import hides); only heavy optional libraries may be.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import mobcontent

PACKAGE = Path(mobcontent.__file__).parent
LAYERS = {"app": 0, "build": 1, "checks": 2, "l10n": 2, "pipeline": 3, "content": 4,
          "formats": 5, "printing": 5, "base": 6}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path):
    """``(line, imported module, inside a function)`` for every import of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside = {id(node) for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
              for node in ast.walk(fn) if node is not fn}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                modules = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
            else:
                modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        else:
            continue
        for module in modules:
            yield node.lineno, module, id(node) in inside


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "mobcontent" and parts[1] in LAYERS else None


def _ours() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_lives_in_a_layer():
    loose = [p.relative_to(PACKAGE).as_posix() for p in _ours()
             if p.parent == PACKAGE and p.name not in ("__init__.py", "__main__.py")]
    assert loose == [], "modules outside the layer folders: " + ", ".join(loose)


def test_imports_run_one_way():
    wrong = []
    for path in _ours():
        own = _layer(_module_name(path))
        for line, module, _inside in _imports(path):
            other = _layer(module)
            if own is None or other is None or other == own:
                continue
            if LAYERS[other] <= LAYERS[own]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {own}/ imports {module} "
                             f"({other}/ is {'a sibling' if LAYERS[other] == LAYERS[own] else 'above it'})")
    assert wrong == [], "imports against the direction in DESIGN.md:\n" + "\n".join(wrong)


def test_no_import_of_ours_inside_a_function():
    hidden = []
    for path in _ours():
        for line, module, inside in _imports(path):
            if inside and (module == "mobcontent" or module.startswith("mobcontent.")):
                hidden.append(f"{path.relative_to(PACKAGE.parent)}:{line}: imports {module} inside a function")
    assert hidden == [], "move these imports to the top of the module:\n" + "\n".join(hidden)


def test_no_import_circles():
    graph: dict[str, set[str]] = {}
    for path in _ours():
        name = _module_name(path)
        edges = graph.setdefault(name, set())
        for _line, module, inside in _imports(path):
            if not inside and (module == "mobcontent" or module.startswith("mobcontent.")):
                while module not in {_module_name(p) for p in _ours()} and "." in module:
                    module = module.rpartition(".")[0]  # `from .po import read_po`: the package
                if module != name:
                    edges.add(module)
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(" → ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == [], "import circles:\n" + "\n".join(cycles)


def test_every_package_says_what_it_is_for():
    silent = [p.relative_to(PACKAGE.parent).as_posix() for p in _ours()
              if p.name == "__init__.py" and p.parent != PACKAGE and len(ast.get_docstring(
                  ast.parse(p.read_text(encoding="utf-8"))) or "") < 40]
    assert silent == [], "packages without a docstring that says what they are for and may import: " + \
        ", ".join(silent)


def test_the_direction_test_catches_an_upward_import(tmp_path, monkeypatch):
    """The checker itself: a base/ module importing build/ is reported with its file and line."""
    fake = tmp_path / "mobcontent"
    (fake / "base").mkdir(parents=True)
    (fake / "build").mkdir()
    for folder in (fake, fake / "base", fake / "build"):
        (folder / "__init__.py").write_text('"""A package docstring long enough to say what it is for."""\n')
    (fake / "base" / "files.py").write_text("import os\nfrom ..build import plan\n")
    (fake / "build" / "plan.py").write_text("def f():\n    from ..base import files\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    try:
        test_imports_run_one_way()
    except AssertionError as error:
        assert "mobcontent/base/files.py:2: base/ imports mobcontent.build" in str(error)
    else:
        raise AssertionError("the upward import was not reported")
    try:
        test_no_import_of_ours_inside_a_function()
    except AssertionError as error:
        assert "mobcontent/build/plan.py:2" in str(error)
    else:
        raise AssertionError("the import inside a function was not reported")
