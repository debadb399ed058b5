"""The package's layout: no import cycle between its modules, and no module grown into a warehouse."""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "extractor"
MAX_LINES = 850  # "about 800": the segmenter class alone is some 760 lines


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts}


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that ``path`` imports, at any depth of the file (lazy imports count too)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [mod] + [f"{mod}.{a.name}" for a in node.names]
        else:
            continue
        for t in targets:
            if t in known and t != name:
                found.add(t)
    # a package's __init__ is not a dependency of its own submodules' import
    return {t for t in found if not (name.startswith(t + ".") and known[t].name == "__init__.py")}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_finds_a_cycle_and_passes_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle_between_modules():
    known = modules()
    # the top package only re-exports names lazily; its submodules never need it
    graph = {m: imports_of(p, known) - {"extractor"} for m, p in known.items()}
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph) or [])


def test_stages_do_not_import_outputs_analysis_or_engines():
    known = modules()
    for m, p in known.items():
        if m.startswith("extractor.stages"):
            bad = {t for t in imports_of(p, known) if t.split(".")[1] in {"output", "analysis", "engines", "cli"}}
            assert not bad, (m, bad)


def test_output_writers_do_not_import_the_analysis():
    known = modules()
    for m, p in known.items():
        if m.startswith("extractor.output"):
            bad = {t for t in imports_of(p, known) if t.startswith("extractor.analysis")}
            assert not bad, (m, bad)


def test_no_module_over_the_size_limit():
    sizes = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in modules().items()}
    assert max(sizes.values()) <= MAX_LINES, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]
    assert {"extractor.stages", "extractor.output", "extractor.analysis", "extractor.engines"} <= set(sizes)
