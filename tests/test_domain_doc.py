"""docs/domain.md is where docstrings send a newcomer: every section they cite must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "domain.md"
CITATION = re.compile(r"docs/domain\.md\s+sections?\s+([\d\s,\-–and]+)")


def _cited_sections() -> dict[int, list[str]]:
    cited: dict[int, list[str]] = {}
    for folder in ("brcc_core", "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for match in CITATION.finditer(text):
                spec = match.group(1)
                numbers: set[int] = set()
                for lo, hi in re.findall(r"(\d+)\s*[-–]\s*(\d+)", spec):
                    numbers.update(range(int(lo), int(hi) + 1))
                numbers.update(int(n) for n in re.findall(r"\d+", spec))
                for n in numbers:
                    cited.setdefault(n, []).append(str(path.relative_to(ROOT)))
    return cited


def test_every_cited_section_of_the_domain_doc_exists():
    headings = {int(n) for n in re.findall(r"^## (\d+)\. ", DOC.read_text(encoding="utf-8"), re.M)}
    cited = _cited_sections()
    assert cited, "no module cites docs/domain.md any more"
    missing = {n: files for n, files in cited.items() if n not in headings}
    assert not missing, f"cited sections missing from docs/domain.md: {missing}"


def test_no_module_points_at_the_shared_folder_copy():
    stale = [
        str(path.relative_to(ROOT))
        for folder in ("brcc_core", "tests", "benchmarks")
        for path in (ROOT / folder).rglob("*.py")
        if path != Path(__file__).resolve() and "DOMAIN.md" in path.read_text(encoding="utf-8")
    ]
    assert not stale, f"cite docs/domain.md instead of DOMAIN.md in {stale}"
