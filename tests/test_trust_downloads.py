"""Downloads that spreadsheets cannot run (issue 21, hole 3).

An event named ``=HYPERLINK("http://evil.example/x","csv")`` landed unchanged in the
Comparison and Audit CSVs, and the revenue CSV was built the same way. Every download now
goes through ``brcc_core.common.downloads.csv_bytes``: a cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets OWASP's leading single quote, and a real number
stays a number. The three downloads are taken from the pages themselves (AppTest), with
every product and event of the demo club named with that formula.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
import streamlit
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import BoxOffice
from brcc_core.capacity.preview import Change
from brcc_core.common import clock
from brcc_core.common.downloads import csv_bytes, safe_cell
from brcc_core.people.access import Actor
from brcc_core.settings import load_settings
from tests.app_env import clear_settings

ROOT = Path(__file__).parents[1]
APP = str(ROOT / "streamlit_app.py")
FORMULA = '=HYPERLINK("http://evil.example/x","csv")'


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        (FORMULA, "'" + FORMULA),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        # real numbers stay numbers, written as text or not
        ("-5", "-5"),
        ("-3.5", "-3.5"),
        ("+2", "+2"),
        ("-1e3", "-1e3"),
        (-5, -5),
        (-3.5, -3.5),
        # everything else as it was
        ("Friday Late Show", "Friday Late Show"),
        ("a=b", "a=b"),
        ("", ""),
        (None, None),
    ],
)
def test_a_cell_that_would_start_a_formula_is_text_and_a_number_stays_one(cell, safe):
    assert safe_cell(cell) == safe


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_bytes_escapes_text_cells_and_headers_and_leaves_numbers_alone():
    frame = pd.DataFrame(
        {
            "show": [FORMULA, "Late"],
            "drift": pd.array([-5, 3], dtype="Int64"),
            "net": [-3.5, 12.0],
            "before": ["-5", "@x"],
            "=type": [1, 2],  # a ticket type's name becomes a header
        }
    )
    rows = read_csv(csv_bytes(frame))
    assert list(rows[0]) == ["show", "drift", "net", "before", "'=type"]
    assert [r["show"] for r in rows] == ["'" + FORMULA, "Late"]
    assert [r["drift"] for r in rows] == ["-5", "3"]  # numbers: a spreadsheet sums them
    assert [r["net"] for r in rows] == ["-3.5", "12.0"]
    assert [r["before"] for r in rows] == ["-5", "'@x"]


# --- one place ------------------------------------------------------------------------------
# What writes CSV: pandas' writer and the standard library's. Only common/downloads.py may.
CSV_WRITERS = re.compile(r"\.to_csv\(|\bcsv\.(?:writer|DictWriter)\(")
CSV_HOME = ROOT / "brcc_core" / "common" / "downloads.py"


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("    data = money.to_csv(index=False).encode()", True),
        ("writer = csv.writer(buffer)", True),
        ("out = csv.DictWriter(f, fieldnames)", True),
        ("    data = csv_bytes(money)", False),
        ("rows = csv.DictReader(io.StringIO(text))", False),
    ],
)
def test_the_scan_sees_each_way_of_writing_csv(line, found):
    assert bool(CSV_WRITERS.search(line)) is found


def test_only_common_downloads_writes_csv():
    """A download built on its own (as the revenue CSV once was) would skip the escaping."""
    sources = [ROOT / "streamlit_app.py", *(ROOT / "pages").rglob("*.py")]
    sources += [p for p in (ROOT / "brcc_core").rglob("*.py") if "sandbox" not in p.parts]
    assert CSV_HOME in sources and len(sources) > 50  # the scan reads the app, not nothing
    offences = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in sources
        if p != CSV_HOME
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if CSV_WRITERS.search(line.split("#", 1)[0])
    ]
    assert offences == [], "offer CSV through brcc_core.common.downloads.csv_bytes"


# --- the three downloads, from the pages ----------------------------------------------------
@pytest.fixture(scope="module")
def formula_club(tmp_path_factory):
    """The demo club with every product and event named with the formula, a refused
    change of an Eventbrite listing in the audit log, and the settings to serve it."""
    data_dir = tmp_path_factory.mktemp("formula-club")
    with pytest.MonkeyPatch.context() as mp:
        clear_settings(mp)
        mp.setenv("BRCC_DATA_DIR", str(data_dir))
        mp.chdir(data_dir)
        box = BoxOffice.from_settings(load_settings())
        with box.sandbox.engine.begin() as conn:
            conn.execute(
                text("UPDATE wp_posts SET post_title = :t WHERE post_type = 'product'"),
                {"t": FORMULA},
            )
            conn.execute(text("UPDATE sandbox_eb_events SET name = :t"), {"t": FORMULA})
        box.refresh_catalog()
        listings = box.listings()
        sold = listings[(listings["channel"] == "eventbrite") & (listings["sold"] > 0)]
        row = sold.iloc[0]
        result = box.apply_change(  # below what is sold: refused, and on record
            Change(row.listing_key, seen_remaining=int(row.available), value=0),
            listings,
            who=Actor.demo("manager"),
        )
        assert result.status == "refused"
        box.sync_eventbrite_sales()  # revenue per show names Eventbrite's events
        upcoming = listings[
            (listings["channel"] == "eventbrite") & (listings["starts_at"] > clock.now())
        ]
        yield data_dir, upcoming["listing_key"].iloc[0]


@pytest.fixture
def offered(formula_club, monkeypatch):
    """What each download button of a page run offers, by key."""
    data_dir, _ = formula_club
    clear_settings(monkeypatch)
    monkeypatch.setenv("BRCC_DATA_DIR", str(data_dir))
    monkeypatch.chdir(data_dir)
    found: dict[str, bytes] = {}
    real = streamlit.download_button

    def recording(label, data, *args, **kwargs):
        found[kwargs.get("key")] = data if isinstance(data, bytes) else str(data).encode()
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    return found


def formula_cells(data: bytes) -> list[str]:
    return [cell for row in read_csv(data) for cell in row.values() if "HYPERLINK" in cell]


def assert_escaped(data: bytes) -> None:
    cells = formula_cells(data)
    assert cells, "the download has no cell with the event's name"
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_the_comparison_csv_offers_the_event_s_name_as_text(formula_club, offered):
    _, listing_key = formula_club
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["listings"] = listing_key
    at.run()
    at.switch_page("pages/comparison.py").run()
    assert not at.exception
    assert_escaped(offered["comparison_csv"])
    # the card's title, "<event> · <ticket class>", as the spreadsheet will show it
    assert formula_cells(offered["comparison_csv"])[0].startswith("'" + FORMULA)


def test_the_audit_csv_offers_the_event_s_name_as_text(formula_club, offered):
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("pages/inventory.py").run()
    assert not at.exception
    rows = read_csv(offered["inv_audit_csv"])
    assert any(r["Result"] == "refused" for r in rows)
    assert_escaped(offered["inv_audit_csv"])


def test_the_revenue_csv_offers_the_show_s_name_as_text(formula_club, offered):
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("pages/sales.py").run()
    assert not at.exception
    assert_escaped(offered["revenue_csv"])
