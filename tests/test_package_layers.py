"""brcc_core is grouped by capability, and imports run one way (README, Layout).

A package may import the packages below it, never one above: the shared core knows no
channel, the channels know no page, and nothing but the facade opens the sandbox. The
graph is read from the source (every import, at the top of a module or inside a
function), so a lazy import cannot hide a crossing or a cycle.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "brcc_core"

# Lowest first. A package may import itself and what comes before it.
LAYERS = [
    "common",  # the club's facts, keys, known-ness, clock, formats: imports nothing of ours
    "settings",  # environment -> Settings
    "store",  # the app's own database
    "people",  # who may do what: roles, sign-ins, meeting links (kept in the store)
    "channels",  # the club's systems (the Eventbrite budget counts in the store)
    "catalog",
    "live",
    "sales",
    "capacity",
    "views",
    "boxoffice",  # the composition root: builds every service from settings
    # The unattended guard: a process beside the pages, a client of the facade like them
    # (its CLI builds a BoxOffice); the managers' say over it goes through boxoffice.
    "guard",
]
# The sandbox is a sibling: it copies the systems' formats (channels, common); only the
# facade opens it, in demo mode.
SANDBOX_MAY_IMPORT = {"common", "channels"}
# The pages' Streamlit helpers read through the facade, view-models and the shared core.
UI_MAY_IMPORT = {"boxoffice", "views", "common"}
# Where ui/ still reaches past the facade: each entry is work left (issue 24), not a
# rule. Remove an entry when its last import is gone; the test fails on a stale one.
# Empty since issue 24: the types and errors a page hands over or catches come from
# ``boxoffice.api``, what a page shows from ``views``.
UI_TOLERATED: set[str] = set()
# The Streamlit entry script and its pages draw through ui/, under the same rule.
ENTRY_SCRIPTS = [ROOT / "streamlit_app.py", *sorted((ROOT / "pages").glob("*.py"))]
# Module cycles still tolerated: none since issue 24 (a new one is untangled, not listed).
TOLERATED_CYCLES: list[set[str]] = []


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """The brcc_core modules ``path`` imports (a name imported from a package counts as
    its module when it is one)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("brcc_core"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in MODULES else node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("brcc_core"))
    return out


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "brcc_core"


def _crossings() -> dict[tuple[str, str], set[str]]:
    """(from package, to package) -> the modules making that import."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for module, imported in GRAPH.items():
        for target in imported:
            here, there = _package(module), _package(target)
            if here != there and there != "brcc_core":
                found[(here, there)].add(module)
    return found


def test_every_package_is_in_a_layer_or_named_as_a_sibling() -> None:
    packages = {_package(m) for m in MODULES} - {"brcc_core"}
    assert packages - set(LAYERS) - {"ui", "sandbox"} == set()


def test_imports_run_downwards_only() -> None:
    wrong = []
    for (here, there), modules in sorted(_crossings().items()):
        if here == "ui":
            allowed = UI_MAY_IMPORT | UI_TOLERATED
        elif here == "sandbox":
            allowed = SANDBOX_MAY_IMPORT
        elif there == "sandbox":
            allowed = {"sandbox"} if here == "boxoffice" else set()
        elif there == "ui":
            allowed = set()
        else:
            allowed = set(LAYERS[: LAYERS.index(here)])
        if there not in allowed:
            wrong.append(f"{here} -> {there}: {', '.join(sorted(modules))}")
    assert wrong == []


def test_the_ui_tolerances_are_all_still_needed() -> None:
    """A tolerance whose last import is gone is removed, so the list only shrinks."""
    used = {there for (here, there) in _crossings() if here == "ui"}
    assert UI_TOLERATED - used == set()


def test_the_pages_read_through_ui_the_facade_views_and_common() -> None:
    wrong = []
    for path in ENTRY_SCRIPTS:
        for target in sorted(_imports(path)):
            if _package(target) not in UI_MAY_IMPORT | {"ui"}:
                wrong.append(f"{path.relative_to(ROOT)} -> {target}")
    assert len(ENTRY_SCRIPTS) > 5  # the glob really found the pages
    assert wrong == []


def _cycles() -> list[set[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in MODULES:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for module in sorted(MODULES):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_anywhere() -> None:
    cycles = _cycles()
    assert [c for c in cycles if c not in TOLERATED_CYCLES] == []
    assert [c for c in TOLERATED_CYCLES if c not in cycles] == []  # fixed ones leave


def test_the_readme_layout_names_every_module() -> None:
    """One line per module in the README's layout (ui and sandbox by folder)."""
    readme = (ROOT / "README.md").read_text()
    layout = readme[readme.index("## Layout") :]
    missing = []
    for name, path in MODULES.items():
        package = _package(name)
        if package in ("ui", "sandbox") or path.name == "__init__.py":
            continue
        if f" {path.name} " not in layout and f" {path.name}\n" not in layout:
            missing.append(str(path.relative_to(ROOT)))
    assert missing == []


LONG_MODULE_LINES = 600


def test_every_module_over_600_lines_says_why_in_the_readme() -> None:
    """A module grows past 600 lines only with a sentence in the README saying why."""
    readme = (ROOT / "README.md").read_text()
    why = readme[readme.index("### Modules over 600 lines") :]
    why = why[: why.index("\nSee [")]
    unexplained = []
    for path in MODULES.values():
        if len(path.read_text().splitlines()) > LONG_MODULE_LINES:
            relative = path.relative_to(PACKAGE).as_posix()
            if f"`{relative}`" not in why:
                unexplained.append(relative)
    assert unexplained == []
