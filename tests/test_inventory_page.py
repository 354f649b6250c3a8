"""The Inventory page driven by AppTest on the demo sandbox: −, + and set through the
confirmation panel, a refused change, a sync of two shows, a confirmed show mapping, and
the audit tab."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import BoxOffice
from brcc_core.settings import load_settings

ROOT = Path(__file__).parents[1]
APP = str(ROOT / "streamlit_app.py")


@pytest.fixture
def demo_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("BRCC_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BRCC_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    return tmp_path


def inventory_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("pages/inventory.py")
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def a_boxoffice() -> BoxOffice:
    """A second BoxOffice on the same sandbox and app-state files, to look from outside."""
    box = BoxOffice.from_settings(load_settings())
    box.refresh_catalog()
    return box


def test_minus_plus_and_set_go_through_the_confirmation(demo_env):
    at = inventory_page()
    before = metrics(at)
    capacity, remaining = int(before["Capacity"]), int(before["Remaining"])

    click(at, "inv_minus")
    panel = texts(at.markdown)
    assert f"Capacity: {capacity} → {capacity - 1}" in panel
    assert f"Remaining: {remaining} → {remaining - 1}" in panel
    assert metrics(at)["Capacity"] == str(capacity)  # nothing written before confirming
    click(at, "inv_confirm")
    assert "Verified on WooCommerce" in texts(at.toast)
    assert metrics(at)["Capacity"] == str(capacity - 1)
    assert metrics(at)["Remaining"] == str(remaining - 1)

    click(at, "inv_plus")
    click(at, "inv_confirm")
    assert metrics(at)["Capacity"] == str(capacity)

    at.radio(key="inv_set_field").set_value("remaining")
    at.number_input(key="inv_set_value").set_value(10)
    click(at, "inv_set")
    assert "Remaining: " + str(remaining) + " → 10" in texts(at.markdown)
    click(at, "inv_confirm")
    assert metrics(at)["Remaining"] == "10"
    assert "✅" in [t.icon for t in at.toast]

    # Cancel closes the panel and writes nothing.
    click(at, "inv_minus")
    click(at, "inv_cancel")
    assert "inv_confirm" not in [b.key for b in at.button]
    assert metrics(at)["Remaining"] == "10"

    # Every confirmed change is in the audit tab, newest first.
    audit = at.dataframe[-1].value
    assert list(audit["result"][:3]) == ["ok", "ok", "ok"]
    assert list(audit["after"][:3]) == ["10", str(remaining), str(remaining - 1)]
    assert set(audit["who"]) == {"demo-manager@sandbox"}  # the demo identity by default


def test_a_change_below_sold_is_refused_in_the_panel(demo_env):
    at = inventory_page()
    sold = int(metrics(at)["Sold"])
    assert sold > 0
    at.number_input(key="inv_set_value").set_value(0)
    click(at, "inv_set")
    assert f"below the {sold} seats already sold" in texts(at.error)
    assert at.button(key="inv_confirm").disabled


def test_sync_two_shows_with_one_confirmation(demo_env):
    at = inventory_page()
    box = a_boxoffice()
    shows = box.saved_shows()
    now = pd.Timestamp.now(tz=box.settings.timezone)
    candidates = shows[
        (shows.starts_at > now)
        & (shows.channels.apply(len) == 2)
        & ~shows.oversold
        & (shows.errors.apply(len) == 0)
    ]
    keys = list(candidates.show_key[:2])

    at.multiselect(key="inv_sync_shows").select(keys[0]).select(keys[1])
    at.radio(key="inv_sync_policy").set_value("split")
    at.run()
    assert not at.exception, at.exception
    dry_run = next(d.value for d in at.dataframe if "target_remaining" in d.value.columns)
    assert set(dry_run["show"]) == set(candidates.title[:2])
    changes = dry_run[dry_run["action"] == "change"]
    assert len(changes) >= 2

    click(at, "inv_sync_apply")
    assert "inv_sync_confirm" in [b.key for b in at.button]
    click(at, "inv_sync_confirm")
    assert f"Sync: {len(changes)} of {len(changes)} row(s) verified." in texts(at.toast)
    results = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert set(results["result"]) == {"ok"}

    # From outside: both shows now offer exactly the room's remaining seats, split.
    box.refresh_catalog()  # Eventbrite's numbers as they are now
    again = box.plan_sync(keys, box_policy(), box.listings())
    for plan in again:
        assert plan.exposure == 0
        assert all(r.action in ("keep", "leave") for r in plan.rows), [
            (r.listing_key, r.remaining, r.target_remaining, r.action) for r in plan.rows
        ]
    log = box.audit_log()
    assert (log["action"] == "sync").sum() == len(changes)


def box_policy():
    from brcc_core.sync import SyncPolicy

    return SyncPolicy("split", {"woocommerce": 50, "eventbrite": 50})


def test_confirming_a_show_with_its_venue_capacity(demo_env):
    at = inventory_page()
    show_key = at.selectbox(key="inv_map_show").value
    at.number_input(key="inv_map_capacity").set_value(48)
    click(at, "inv_map_save")
    assert "Show confirmed" in texts(at.success)
    saved = a_boxoffice().saved_shows().set_index("show_key").loc[show_key]
    assert saved["source"] == "saved" and saved["venue_capacity"] == 48
    assert "inv_map_forget" in [b.key for b in at.button]


def test_audit_tab_filters_and_offers_csv(demo_env):
    at = inventory_page()
    at.number_input(key="inv_set_value").set_value(0)
    click(at, "inv_set")  # refused in the preview: nothing to confirm
    click(at, "inv_plus")
    click(at, "inv_confirm")
    at.multiselect(key="inv_audit_results").select("ok")
    at.run()
    audit = at.dataframe[-1].value
    assert len(audit) == 1 and audit["result"].iloc[0] == "ok"
    assert at.get("download_button")[0].proto.label == "Download CSV"
