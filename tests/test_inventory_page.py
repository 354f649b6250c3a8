"""The Inventory page driven by AppTest on the demo sandbox: −, + and set through the
confirmation panel, a refused change, a sync of two shows, a confirmed show mapping, and
the audit tab."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import BoxOffice
from brcc_core.boxoffice.api import Actor, SyncPolicy
from brcc_core.common.formats import SYNC_ACTIONS
from brcc_core.common.windows import local_now
from brcc_core.settings import load_settings
from brcc_core.ui.layout import LAYOUT_KEY
from brcc_core.views.inventory import change_order
from tests.app_env import clear_settings

ROOT = Path(__file__).parents[1]
APP = str(ROOT / "streamlit_app.py")


@pytest.fixture
def demo_env(monkeypatch, tmp_path):
    clear_settings(monkeypatch)
    monkeypatch.setenv("BRCC_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    return tmp_path


def inventory_page(listing: pd.Series | None = None) -> AppTest:
    """The Inventory page, its Change tab on ``listing`` (by default a limited booking date
    with sales: the Change tab otherwise opens on whichever listing comes first that day,
    on a Sunday the unlimited 6pm show)."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("pages/inventory.py")
    at.run()
    assert not at.exception, at.exception
    return choose_listing(at, a_limited_booking_date() if listing is None else listing)


def a_limited_booking_date() -> pd.Series:
    """An upcoming WooCommerce booking date with a seat limit, seats sold and at least two
    seats left: one that −, + and a refusal below sold can all be tried on."""
    listings = a_boxoffice().listings()
    fit = listings[
        (listings["channel"] == "woocommerce")
        & (listings["kind"] == "bookings")
        & (listings["status"] == "on_sale")
        & listings["capacity"].notna()
        & (listings["sold"].fillna(0) > 0)
        & (listings["available"].fillna(0) >= 2)
    ]
    assert not fit.empty, "the seed has limited booking dates with sales"
    return fit.iloc[0]


def choose_listing(at: AppTest, listing: pd.Series) -> AppTest:
    """Channel → product → slot → date, as a manager picks a listing on the Change tab."""
    at.selectbox(key="inv_channel").set_value(listing["channel"]).run()
    at.selectbox(key="inv_product").set_value(int(listing["product_id"])).run()
    if listing["kind"] == "bookings":
        at.selectbox(key="inv_slot").set_value(str(listing["slot_id"])).run()
    at.selectbox(key="inv_date").set_value(listing["listing_key"]).run()
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
    # The panel says which kind of change it is: a capacity stands whatever sells before
    # it is written, remaining seats have the seats sold meanwhile come off (issue 23).
    assert "Capacity change: buyers are offered" in texts(at.caption)
    assert metrics(at)["Capacity"] == str(capacity)  # nothing written before confirming
    click(at, "inv_confirm")
    # The outcome is on the page where the manager confirmed, not only in a passing toast.
    assert "Verified on Website" in texts(at.success)
    assert not at.toast
    assert metrics(at)["Capacity"] == str(capacity - 1)
    assert metrics(at)["Remaining"] == str(remaining - 1)

    click(at, "inv_plus")
    click(at, "inv_confirm")
    assert metrics(at)["Capacity"] == str(capacity)

    at.radio(key="inv_set_field").set_value("remaining")
    at.text_input(key="inv_set_value").set_value("10")
    click(at, "inv_set")
    assert "Remaining: " + str(remaining) + " → 10" in texts(at.markdown)
    assert "Remaining-seats change: 10 seats left" in texts(at.caption)
    click(at, "inv_confirm")
    assert metrics(at)["Remaining"] == "10"
    assert "✅" in [s.icon for s in at.success]

    # Cancel closes the panel and writes nothing.
    click(at, "inv_minus")
    click(at, "inv_cancel")
    assert "inv_confirm" not in [b.key for b in at.button]
    assert metrics(at)["Remaining"] == "10"

    # Every confirmed change is in the audit tab, newest first.
    audit = at.dataframe[-1].value
    assert list(audit["result"][:3]) == ["ok", "ok", "ok"]
    # The capacity as the manager asked for it (capacity 55 → 54), the stock the platform
    # stores for it in the note; a remaining set is the stock itself (issue 26).
    assert list(audit["what"][:3]) == ["booking date stock", "capacity", "capacity"]
    assert list(audit["before"][1:3]) == [str(capacity - 1), str(capacity)]
    assert list(audit["after"][:3]) == ["10", str(capacity), str(capacity - 1)]
    assert list(audit["note"][1:3]) == [
        f"stored as booking date stock {remaining - 1} → {remaining}",
        f"stored as booking date stock {remaining} → {remaining - 1}",
    ]
    assert set(audit["who"]) == {"demo-manager@sandbox"}  # the demo identity by default


def test_a_change_below_sold_is_refused_in_the_panel(demo_env):
    at = inventory_page()
    sold = int(metrics(at)["Sold"])
    assert sold > 0
    at.text_input(key="inv_set_value").set_value("0")
    click(at, "inv_set")
    assert f"below the {sold} seats already sold" in texts(at.error)
    assert at.button(key="inv_confirm").disabled


def test_sync_two_shows_with_one_confirmation(demo_env):
    at = inventory_page()
    box = a_boxoffice()
    shows = box.saved_shows()
    now = local_now(box.settings.timezone)
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
    changes = dry_run[dry_run["action"] == SYNC_ACTIONS["change"]]
    assert len(changes) >= 2

    click(at, "inv_sync_apply")
    assert "inv_sync_confirm" in [b.key for b in at.button]
    click(at, "inv_sync_confirm")
    assert f"Sync applied: {len(changes)} row(s) verified" in texts(at.success)
    assert not at.toast
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
    from brcc_core.capacity.sync import SyncPolicy

    return SyncPolicy("split", {"woocommerce": 50, "eventbrite": 50})


def a_show(held: str) -> str:
    """An upcoming show with none (``"none"``) or some (``"some"``) seats sold or pending,
    at most 40 either way so that a venue capacity of 48 fits it."""
    shows = a_boxoffice().saved_shows()
    total = shows["sold"].fillna(0) + shows["pending"].fillna(0)
    fit = shows[
        (shows["starts_at"] > local_now("America/Toronto"))
        & shows["sold"].notna()
        & ((total == 0) if held == "none" else total.between(1, 40))
    ]
    assert not fit.empty, f"the seed has an upcoming show with {held} seats held"
    return fit["show_key"].iloc[0]


def test_confirming_a_show_with_its_venue_capacity(demo_env):
    at = inventory_page()
    show_key = a_show("some")
    at.selectbox(key="inv_map_show").set_value(show_key).run()
    at.text_input(key="inv_map_capacity").set_value("48")
    click(at, "inv_map_save")
    assert "Show confirmed" in texts(at.success)
    saved = a_boxoffice().saved_shows().set_index("show_key").loc[show_key]
    assert saved["source"] == "saved" and saved["venue_capacity"] == 48
    assert "inv_map_forget" in [b.key for b in at.button]


def test_audit_tab_filters_and_offers_csv(demo_env):
    at = inventory_page()
    at.text_input(key="inv_set_value").set_value("0")
    click(at, "inv_set")  # refused in the preview: nothing to confirm
    click(at, "inv_plus")
    click(at, "inv_confirm")
    at.multiselect(key="inv_audit_results").select("ok")
    at.run()
    audit = at.dataframe[-1].value
    audit = audit[audit["action"] == "change"]  # the page's first catalog build is "ok" too
    assert len(audit) == 1 and audit["result"].iloc[0] == "ok"
    assert at.get("download_button")[0].proto.label == "Download CSV"


def test_switching_sync_policies_and_applying_each(demo_env):
    """Mirror → split → buffer → split → mirror, applying each: no error, the row picker
    always shows the current policy's targets, and right after each applied sync a dry
    run of the same policy proposes nothing."""
    from brcc_core.capacity.sync import SyncPolicy
    from brcc_core.ui.inventory_sync import row_labels

    at = inventory_page()
    box = a_boxoffice()
    shows = box.saved_shows()
    now = local_now(box.settings.timezone)
    candidates = shows[
        (shows.starts_at > now)
        & (shows.channels.apply(len) == 2)
        & (shows.listing_keys.apply(len) == 2)
        & ~shows.oversold
        & (shows.errors.apply(len) == 0)
    ]
    key = candidates.show_key.iloc[0]
    at.multiselect(key="inv_sync_shows").select(key)
    at.run()
    policies = {
        "mirror": SyncPolicy("mirror"),
        "split": SyncPolicy("split", {"woocommerce": 50, "eventbrite": 50}),
        "buffer": SyncPolicy("buffer", buffer=4),
    }
    for kind in ["mirror", "split", "buffer", "split", "mirror"]:
        at.radio(key="inv_sync_policy").set_value(kind)
        at.run()
        assert not at.exception, at.exception
        assert "Something went wrong" not in texts(at.error)
        box.refresh_catalog()
        plans = box.plan_sync([key], policies[kind], box.listings())
        expected = row_labels(plans)
        if not expected:
            assert "nothing to apply" in texts(at.success)
            continue
        picker = at.multiselect(key="inv_sync_rows")
        assert picker.value == list(expected), kind  # this policy's rows, all chosen
        assert [picker.format_func(k) for k in picker.value] == list(expected.values())
        click(at, "inv_sync_apply")
        click(at, "inv_sync_confirm")
        assert f"Sync applied: {len(expected)} row(s) verified" in texts(at.success)
        box.refresh_catalog()
        (again,) = box.plan_sync([key], policies[kind], box.listings())
        assert not again.changes, [
            (r.listing_key, r.remaining, r.target_remaining) for r in again.rows
        ]


@pytest.mark.parametrize("typed", ["-5", "12.5", "abc", ""])
def test_an_invalid_entry_blocks_set_and_confirm_with_a_visible_message(demo_env, typed):
    at = inventory_page()
    at.text_input(key="inv_set_value").set_value("50")
    click(at, "inv_set")  # a panel is open for 50
    at.text_input(key="inv_set_value").set_value(typed)
    at.run()
    assert not at.exception, at.exception
    shown = texts(at.error)
    assert any(w in shown for w in ("negative", "whole number", "not a number", "Enter a number"))
    assert at.button(key="inv_set").disabled
    assert at.button(key="inv_confirm").disabled  # never confirms the earlier value


def test_a_venue_capacity_below_sold_is_refused_on_the_shows_tab(demo_env):
    at = inventory_page()
    show_key = a_show("some")
    at.selectbox(key="inv_map_show").set_value(show_key).run()
    show = a_boxoffice().saved_shows().set_index("show_key").loc[show_key]
    held = int(show.sold + show.pending)
    assert held > 0
    at.text_input(key="inv_map_capacity").set_value(str(held - 1))
    click(at, "inv_map_save")
    assert f"below the {held} seats already sold or pending" in texts(at.error)
    assert "Show confirmed" not in texts(at.success)


def headers(frame) -> list[str]:
    """The headers a manager sees on a dataframe: its shown columns under their labels."""
    import json

    config = json.loads(frame.proto.columns or "{}")
    shown = list(frame.proto.column_order) or list(frame.value.columns)
    return [(config.get(f"col:{c}") or config.get(c) or {}).get("label") or c for c in shown]


def test_inventory_tables_speak_the_managers_language(demo_env):
    import re

    at = inventory_page()
    click(at, "inv_plus")
    click(at, "inv_confirm")
    show_key = at.multiselect(key="inv_sync_shows").options[0]
    at.multiselect(key="inv_sync_shows").select(show_key)
    at.run()
    assert not at.exception, at.exception

    def table(column: str):
        return next(d.value for d in at.dataframe if column in d.value.columns)

    shown = [h for d in at.dataframe for h in headers(d)]
    assert len(at.dataframe) == 3, "the Shows, Sync and Audit tables"
    assert not [h for h in shown if "_" in h or h == "None"], shown
    for developer_word in ("starts_at", "venue_capacity", "listing_key", "target_capacity"):
        assert developer_word not in shown
    # The dry run says what it will do in words, never the engine's change/keep/leave.
    actions = set(table("target_remaining")["action"])
    assert actions and actions <= set(SYNC_ACTIONS.values()), actions

    # The audit row names the show, the channel and the date; its key never stands alone.
    audit = table("who")
    listing = audit["listing"].iloc[0]
    titles = set(a_boxoffice().listings()["title"].astype(str))
    # (the title isolated: its direction cannot spill onto the date, formats.isolate)
    title = listing.split(" · ")[0]
    assert title.startswith("\u2068") and title.endswith("\u2069")
    assert title[1:-1] in titles and " · Website · " in listing
    assert re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} \d\d:\d\d", listing)
    assert not re.fullmatch(r"wc:[\w:]+", listing)
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d", audit["at"][0])

    # The Shows tab says when a show is in the club's one format, never ISO with an offset.
    when = table("venue_capacity")["when"]
    assert not when.str.contains(r"\d{4}-\d\d-\d\d").any()
    assert when.str.fullmatch(r"[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d\d:\d\d").all()


def test_on_a_phone_the_inventory_tables_show_their_main_columns_only(demo_env):
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["layout"] = "phone"
    at.run()
    at.switch_page("pages/inventory.py")
    at.run()
    assert not at.exception, at.exception
    choose_listing(at, a_limited_booking_date())
    click(at, "inv_plus")
    click(at, "inv_confirm")
    at.multiselect(key="inv_sync_shows").select(at.multiselect(key="inv_sync_shows").options[0])
    at.run()
    assert not at.exception, at.exception

    def columns() -> list[list[str]]:
        return [list(d.value.columns) for d in at.dataframe]

    # Shows, Sync and Audit: three or four columns a 390 px screen reads without scrolling.
    assert columns() == [
        ["when", "title", "remaining", "oversold"],
        ["listing", "action", "target_capacity"],
        ["at", "what", "after", "result"],
    ]
    assert "Phone layout: the main columns" in texts(at.caption)
    # The desk layout, chosen in the sidebar, shows every column again.
    at.sidebar.radio(key=LAYOUT_KEY).set_value("Desk").run()
    assert not at.exception, at.exception
    assert all(len(c) > 4 for c in columns()), columns()


def _show_with_both_channels(box: BoxOffice) -> pd.Series:
    """An upcoming show sold on both channels whose Eventbrite listing comes first in the
    show's listing keys (the order the Change tab used to open on)."""
    listings = box.listings()
    shows = box.shows(listings)
    now = local_now(box.settings.timezone)
    both = shows[
        (shows["starts_at"] > now)
        & shows["listing_keys"].apply(
            lambda ks: any(k.startswith("wc:") for k in ks) and any(k.startswith("eb:") for k in ks)
        )
    ]
    assert not both.empty, "the seed sells shows on both channels"
    return both.iloc[0]


def test_change_its_capacity_opens_on_the_website_listing_without_its_key(demo_env):
    box = a_boxoffice()
    show = _show_with_both_channels(box)
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["show"] = show["show_key"]
    at.query_params["act"] = "change"
    at.run()
    at.switch_page("pages/inventory.py")
    at.run()
    assert not at.exception, at.exception
    # The site's listing first when the show has both (issue 26), and a limited one.
    label = at.selectbox(key="inv_show_listing").format_func(
        at.selectbox(key="inv_show_listing").value
    )
    assert " · Website · " in label, label
    assert at.text_input(key="inv_set_value").value not in ("", "0")
    assert not at.button(key="inv_plus").disabled
    # No listing key on the tab: the label names the listing.
    shown = texts(at.caption) + texts(at.markdown)
    assert "wc:" not in shown and "eb:" not in shown, shown


def test_an_unlimited_listing_says_so_and_offers_set_not_a_zero(demo_env):
    listings = a_boxoffice().listings()
    unlimited = listings[
        (listings["channel"] == "woocommerce")
        & listings["unlimited"]
        & (listings["status"] == "unlimited")
    ]
    assert not unlimited.empty, "the seed has an unlimited website listing"
    at = inventory_page(unlimited.iloc[0])
    assert metrics(at)["Capacity"] == "unlimited"
    # The box is empty (a "0" would read as a capacity of nothing), no error is shown yet,
    # and the page says how to give the listing a number.
    assert at.text_input(key="inv_set_value").value == ""
    assert not at.error
    assert "Capacity is unlimited here" in texts(at.info)
    assert at.button(key="inv_plus").disabled and at.button(key="inv_set").disabled
    at.text_input(key="inv_set_value").set_value("40").run()
    assert not at.button(key="inv_set").disabled


def test_the_audit_reads_who_when_what_before_after_result_first_in_words(demo_env):
    box = a_boxoffice()
    box.create_meeting_link([], "1 hour", title="Monday programming", who=Actor.demo("manager"))
    at = inventory_page()
    capacity = int(metrics(at)["Capacity"])
    click(at, "inv_plus")
    click(at, "inv_confirm")
    audit = next(d for d in at.dataframe if "who" in d.value.columns)
    assert list(audit.value.columns[:6]) == ["who", "at", "what", "before", "after", "result"]
    log = audit.value
    change = log[log["action"] == "change"].iloc[0]
    # The capacity as the manager asked for it, the platform's stored number in the note.
    assert (change["what"], change["before"], change["after"]) == (
        "capacity",
        str(capacity),
        str(capacity + 1),
    )
    assert change["note"].startswith("stored as booking date stock ")
    link = log[log["action"] == "link"].iloc[0]
    assert link["listing"] == "meeting link «\u2068Monday programming\u2069»"
    assert not log["listing"].astype(str).str.contains(r"\blink:|\bshow:\d").any()


def _change_preview_of_a_guarded_show(box: BoxOffice) -> tuple[AppTest, pd.Series]:
    """The Change tab opened from a show with both channels, its website listing set to 3
    seats more than the room has left: what a mirror rule would write back at once."""
    show = _show_with_both_channels(box)
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["show"] = show["show_key"]
    at.query_params["act"] = "change"
    at.run()
    at.switch_page("pages/inventory.py")
    at.run()
    assert not at.exception, at.exception
    at.radio(key="inv_set_field").set_value("remaining")
    at.text_input(key="inv_set_value").set_value(str(int(show["remaining"]) + 3))
    click(at, "inv_set")
    assert "inv_confirm" in [b.key for b in at.button]
    return at, show


def guard_warnings(at: AppTest) -> list[str]:
    return [str(w.value) for w in at.warning if w.icon == "🛡️"]


def test_the_preview_warns_when_the_guards_rule_would_undo_the_change(demo_env):
    box = a_boxoffice()
    show = _show_with_both_channels(box)
    box.save_guard_policy(show["show_key"], SyncPolicy("mirror"), who=Actor.demo("manager"))
    at, show = _change_preview_of_a_guarded_show(box)
    # Saved and not paused, the guard never ran here: its first round would write it back,
    # to the room's seats left, before the next sale.
    assert guard_warnings(at) == [
        "The guard keeps this show on a mirror sync: its first round, once it is started, "
        f"would set this listing back to {int(show['remaining'])} seats on sale on Website "
        f"(capacity {guard_capacity(box, show)}). Pause the guard or change the show's sync "
        "rule first (Dashboard, Unattended guard)."
    ]
    assert not at.button(key="inv_confirm").disabled  # a warning, not a refusal

    # Paused, the guard writes nothing: no warning.
    box.pause_guard(who=Actor.demo("manager"))
    at.run()
    assert guard_warnings(at) == []


def guard_capacity(box: BoxOffice, show: pd.Series) -> int:
    """The capacity the website listing of ``show`` would have at the room's seats left."""
    listings = box.listings()
    first = change_order(listings[listings["listing_key"].isin(show["listing_keys"])]).iloc[0]
    assert first["channel"] == "woocommerce"
    return int(first["sold"]) + int(first["pending"]) + int(show["remaining"])


def test_the_preview_says_nothing_of_the_guard_for_a_show_without_a_policy(demo_env):
    at, _ = _change_preview_of_a_guarded_show(a_boxoffice())
    assert guard_warnings(at) == []
    assert "guard" not in texts(at.warning).lower()


def test_the_sync_tab_says_which_policy_the_guard_keeps_the_show_on(demo_env):
    box = a_boxoffice()
    show = _show_with_both_channels(box)
    box.save_guard_policy(
        show["show_key"], SyncPolicy("buffer", buffer=2), who=Actor.demo("manager")
    )
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["show"] = show["show_key"]
    at.query_params["act"] = "sync"
    at.run()
    at.switch_page("pages/inventory.py")
    at.run()
    assert not at.exception, at.exception
    assert (
        "Unattended guard: keeps this show on buffer: 2 seat(s) held back, every channel "
        "shows the rest; it only lowers what is on sale." in texts(at.caption)
    )
