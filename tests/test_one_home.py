"""Rules with one home stay there: a source scan fails when a copy comes back (issue 24).

Whether a value is known is decided by ``brcc_core/common/values.py`` alone; a module that
tests ``pd.isna`` itself (or ``is pd.NA``) soon disagrees with it about ``None`` or ``""``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "brcc_core"

# pandas' own known-ness tests, as a function or as a column method, and identity with <NA>.
KNOWN_NESS = re.compile(
    r"\bpd\.(?:isna|notna|isnull|notnull)\(|\.(?:isna|notna|isnull|notnull)\(\)"
    r"|\bis\s+(?:not\s+)?pd\.NA\b"
)
KNOWN_NESS_HOME = PACKAGE / "common" / "values.py"


def _production_modules() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE.rglob("*.py")
        if p != KNOWN_NESS_HOME and "sandbox" not in p.relative_to(PACKAGE).parts
    )


def _known_ness_tests(text: str) -> list[str]:
    return [
        line.strip()
        for line in text.splitlines()
        if KNOWN_NESS.search(line.split("#", 1)[0])  # a comment may name the rule
    ]


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("    if pd.isna(row.product_id):", True),
        ("keep = starts.notna() & (starts >= start)", True),
        ('if rows["sold"].isna().any():', True),
        ("    if available is pd.NA:", True),
        ("    and available is not pd.NA", True),
        ("x = pd.isnull(v)", True),
        ("    if unknown(available):  # not pd.isna( here", False),
        ("keep = known_cells(starts)", False),
        ("value = pd.NA", False),
    ],
)
def test_the_scan_sees_each_way_of_asking_pandas(line, found) -> None:
    assert bool(_known_ness_tests(line)) is found


def test_only_common_values_asks_pandas_whether_a_value_is_known() -> None:
    modules = _production_modules()
    assert len(modules) > 50  # the scan reads the package, not an empty folder
    offences = {
        str(p.relative_to(ROOT)): lines
        for p in modules
        if (lines := _known_ness_tests(p.read_text(encoding="utf-8")))
    }
    assert offences == {}, "use brcc_core.common.values (known, unknown, known_cells)"
