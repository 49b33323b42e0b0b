"""The package's layout (issue 10 §3): a folder per part of the work, and no import cycle
among the modules as they load (imports made inside a function, on use, are left out:
they run after every module has loaded)."""

from __future__ import annotations

import ast
from pathlib import Path

import levyrules

ROOT = Path(levyrules.__file__).parent
FOLDERS = ("engine", "steps", "rules", "tariff", "collection", "batch", "population",
           "simulate", "render", "authoring", "serve", "dask", "cli")
TOP_LEVEL = {"__init__", "__main__", "errors", "version"}


def _modules() -> dict[str, tuple[Path, list[str]]]:
    mods = {}
    for f in ROOT.rglob("*.py"):
        parts = list(f.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            mods[".".join(parts[:-1])] = (f, parts[:-1])
        else:
            mods[".".join(parts)] = (f, parts[:-1])
    return mods


def _load_time_imports(mods) -> dict[str, set[str]]:
    """module -> the levyrules modules it imports at module level."""
    def known(parts):
        for i in range(len(parts), -1, -1):
            if ".".join(parts[:i]) in mods:
                return ".".join(parts[:i])
        return None
    graph = {}
    for name, (path, package) in mods.items():
        out = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            for s in ast.walk(node) if isinstance(node, (ast.If, ast.Try)) else (node,):
                if not isinstance(s, ast.ImportFrom):
                    continue
                if s.level:
                    base = package[:len(package) - (s.level - 1)]
                    base = base + (s.module.split(".") if s.module else [])
                elif s.module and s.module.split(".")[0] == "levyrules":
                    base = s.module.split(".")[1:]
                else:
                    continue
                for a in s.names:
                    target = known(base + [a.name])
                    if target is not None and target != name:
                        out.add(target)
        graph[name] = out
    return graph


def _cycle(graph) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(v):
        state[v] = 1
        path.append(v)
        for w in sorted(graph[v]):
            if state.get(w) == 1:
                return path[path.index(w):] + [w]
            if w not in state and (found := visit(w)):
                return found
        state[v] = 2
        path.pop()
        return None
    for v in sorted(graph):
        if v not in state and (found := visit(v)):
            return found
    return None


def test_every_folder_is_a_package_and_only_the_shared_modules_stay_on_top():
    for folder in FOLDERS:
        assert (ROOT / folder / "__init__.py").is_file(), folder
    top = {f.stem for f in ROOT.glob("*.py")}
    assert top == TOP_LEVEL, sorted(top - TOP_LEVEL)


def test_no_import_cycle_as_modules_load():
    graph = _load_time_imports(_modules())
    assert "engine.assess" in graph and "steps.pipeline" in graph["engine.assess"]
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(m or "levyrules" for m in cycle)


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


# issue 10 §3: "no module over ~400 lines; no function over ~60" (a function's lines from
# its `def` to its last line, docstring included)
MODULE_LINES, FUNCTION_LINES = 400, 60


def _sizes():
    for name, (path, _) in sorted(_modules().items()):
        text = path.read_text(encoding="utf-8")
        yield name, len(text.splitlines()), [
            (node.name, node.end_lineno - node.lineno + 1)
            for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def test_modules_and_functions_stay_short():
    long_modules = [(m, n) for m, n, _ in _sizes() if n > MODULE_LINES]
    long_functions = [(m, f, n) for m, _, fs in _sizes() for f, n in fs if n > FUNCTION_LINES]
    assert long_modules == [] and long_functions == []
