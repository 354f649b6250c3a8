"""Production code stands without the sandbox: it is loaded only where demo mode builds the
twin, so a live deployment never imports (or depends on) the emulated systems."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from brcc_core.boxoffice import BoxOffice, StartupError
from brcc_core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

# Runs in a fresh interpreter: a meta-path finder refuses brcc_core.sandbox, then every
# production module is imported. Prints the modules that failed, and whether any sandbox
# module got loaded anyway.
HIDDEN_SANDBOX = textwrap.dedent(
    """
    import importlib, pkgutil, sys

    class RefuseSandbox:
        def find_spec(self, name, path=None, target=None):
            if name == "brcc_core.sandbox" or name.startswith("brcc_core.sandbox."):
                raise ModuleNotFoundError(f"{name} is hidden", name=name)
            return None

    sys.meta_path.insert(0, RefuseSandbox())
    import brcc_core

    def walk_error(name):
        # walk_packages imports each package to list it; the hidden one is refused.
        if not name.startswith("brcc_core.sandbox"):
            print(f"FAILED {name}")

    names = [
        "brcc_core.boxoffice",
        "brcc_core.views.dashboard",
        "brcc_core.views.comparison",
    ] + sorted(
        info.name
        for info in pkgutil.walk_packages(
            brcc_core.__path__, "brcc_core.", onerror=walk_error
        )
        if not info.name.startswith("brcc_core.sandbox")
    )
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:
            print(f"FAILED {name}: {type(exc).__name__}: {exc}")
    loaded = sorted(m for m in sys.modules if m.startswith("brcc_core.sandbox"))
    print("IMPORTED", len(names))
    print("SANDBOX LOADED:" + ",".join(loaded))
    """
)


def test_production_modules_import_with_the_sandbox_hidden() -> None:
    result = subprocess.run(
        [sys.executable, "-c", HIDDEN_SANDBOX],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("FAILED")] == []
    imported = int(next(line for line in lines if line.startswith("IMPORTED")).split()[1])
    assert imported > 10  # the walk really found the production modules
    assert "SANDBOX LOADED:" in lines  # and nothing after the colon: no sandbox module


def test_a_sandbox_that_cannot_open_is_a_startup_error_with_its_reason(tmp_path: Path) -> None:
    # Settings refuse such a URL when read; one that reaches the sandbox all the same (a
    # copy made in code) still stops the start with a reason, not a traceback.
    settings = Settings(mode="demo", data_dir=tmp_path).model_copy(
        update={"sandbox_db_url": "not a database url"}
    )
    with pytest.raises(StartupError, match="sandbox database URL is not valid"):
        BoxOffice.from_settings(settings)


def test_the_inventory_tabs_share_a_helpers_module_instead_of_importing_each_other() -> None:
    import ast

    ui = ROOT / "brcc_core" / "ui"
    for tab in ("inventory_shows", "inventory_sync", "inventory_audit", "inventory_common"):
        tree = ast.parse((ui / f"{tab}.py").read_text())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                imported.add(node.module)
                imported.update(f"{node.module}.{alias.name}" for alias in node.names)
        assert "brcc_core.ui.inventory" not in imported, tab
