"""The app-state DB on SQLite and MariaDB: the audit log keeps every attempt and offers no
way to rewrite history; saved shows and recurring rules round-trip."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from brcc_core.common import clock
from brcc_core.live.shows import SHOW_COLUMNS, map_shows, suggest_shows
from brcc_core.store.saved_shows import RecurringRule, RuleMember, SavedShow
from brcc_core.store.state import AUDIT_COLUMNS, AuditEntry, State, StateUnavailable


@pytest.fixture
def state(db_url) -> State:
    st = State.open(db_url)
    st.drop_all()
    yield st
    st.drop_all()
    st.engine.dispose()


def entry(**kw) -> AuditEntry:
    base = dict(
        who="anonymous",
        action="change",
        listing_key="wc:1:s:d",
        channel="woocommerce",
        what="booking date stock",
        before="10",
        after="12",
        result="ok",
    )
    return AuditEntry(**{**base, **kw})


def test_audit_log_keeps_every_attempt_newest_first(state):
    state.append_audit(entry(result="refused", error="Changed since you looked", after="9"))
    state.append_audit(entry(result="verify_failed", error="read back 10 instead of 12"))
    state.append_audit(entry(action="rollback", before="12", after="10", result="rolled_back"))
    log = state.audit_log()
    assert list(log.columns) == AUDIT_COLUMNS
    assert list(log["result"]) == ["rolled_back", "verify_failed", "refused"]
    assert log.iloc[2]["error"] == "Changed since you looked"
    assert str(log["at"].dt.tz) == "UTC"


def test_audit_log_filters(state):
    state.append_audit(entry(listing_key="eb:1:2", channel="eventbrite", result="ok"))
    state.append_audit(entry(listing_key="wc:7", result="refused", who="sam@club"))
    state.append_audit(entry(listing_key="wc:8", result="ok"))
    assert list(state.audit_log(channels=["eventbrite"])["listing_key"]) == ["eb:1:2"]
    assert set(state.audit_log(results=["ok"])["listing_key"]) == {"eb:1:2", "wc:8"}
    assert list(state.audit_log(listing_contains="wc:7")["who"]) == ["sam@club"]
    assert list(state.audit_log(who="sam@club")["listing_key"]) == ["wc:7"]
    assert len(state.audit_log(limit=2)) == 2
    future = clock.now() + timedelta(days=1)
    assert state.audit_log(since=future).empty


def test_audit_log_offers_no_update_or_delete(state):
    public = {name for name in dir(state) if not name.startswith("_")}
    writes = {"append_audit", "start_audit", "finish_audit", "flush_audit"}
    assert not {n for n in public if "audit" in n} - writes - {"audit_log", "audit_waiting"}


def test_a_started_attempt_is_completed_once_and_never_changed_after(state):
    started = state.start_audit(entry(result="ok"))
    assert state.audit_log().iloc[0]["result"] == "started"  # on record before the write
    assert state.finish_audit(started, entry(result="ok", after="12"))
    assert state.finish_audit(started, entry(result="failed", after="99"))  # a second try
    row = state.audit_log().iloc[0]
    assert (row["result"], row["after"]) == ("ok", "12")
    assert len(state.audit_log()) == 1


def test_saved_show_round_trip_and_a_listing_belongs_to_one_show(state):
    state.save_show(SavedShow("show:2026-06-05T20:00", ("wc:1:a:b", "eb:9:1"), 50, "Fri 8"))
    state.save_show(SavedShow("show:2026-06-05T22:00", ("eb:9:1", "wc:1:c:d")), who="sam")
    shows = {s.show_key: s for s in state.saved_shows()}
    assert shows["show:2026-06-05T20:00"].listing_keys == ("wc:1:a:b",)
    assert shows["show:2026-06-05T20:00"].venue_capacity == 50
    assert shows["show:2026-06-05T22:00"].listing_keys == ("eb:9:1", "wc:1:c:d")
    assert shows["show:2026-06-05T22:00"].updated_by == "sam"
    # Saving again replaces the listings and capacity.
    state.save_show(SavedShow("show:2026-06-05T22:00", ("wc:1:c:d",), 45))
    again = {s.show_key: s for s in state.saved_shows()}["show:2026-06-05T22:00"]
    assert again.listing_keys == ("wc:1:c:d",) and again.venue_capacity == 45
    state.forget_show("show:2026-06-05T22:00")
    assert [s.show_key for s in state.saved_shows()] == ["show:2026-06-05T20:00"]


def test_a_show_emptied_by_a_move_is_dropped(state):
    state.save_show(SavedShow("show:a", ("wc:1",)))
    state.save_show(SavedShow("show:b", ("wc:1", "eb:2:3")))
    assert [s.show_key for s in state.saved_shows()] == ["show:b"]


def test_recurring_rules_round_trip_and_validation(state):
    rule = RecurringRule(
        "Wednesday 8pm",
        2,
        "20:00",
        (
            RuleMember("woocommerce", product_id=4050, slot_id="abc"),
            RuleMember("eventbrite", series_id="77"),
        ),
        venue_capacity=50,
    )
    rule_id = state.save_rule(rule, who="sam")
    (loaded,) = state.recurring_rules()
    assert loaded.rule_id == rule_id and loaded.members == rule.members
    assert loaded.venue_capacity == 50
    with pytest.raises(ValueError, match="HH:MM"):
        state.save_rule(RecurringRule("bad", 2, "8pm", rule.members))
    with pytest.raises(ValueError, match="series"):
        state.save_rule(RecurringRule("bad", 2, "20:00", (RuleMember("eventbrite"),)))
    state.delete_rule(rule_id)
    assert state.recurring_rules() == []


def test_unreachable_state_db_says_so_without_the_password(tmp_path):
    state = State.open("mysql+pymysql://app:hunter2-secret@127.0.0.1:1/state")
    with pytest.raises(StateUnavailable) as err:
        state.ping()
    assert "hunter2" not in str(err.value)
    assert "hunter2" not in repr(state)


def test_sqlite_file_folder_is_created(tmp_path):
    state = State.open(f"sqlite:///{tmp_path / 'deep' / 'state.db'}")
    state.append_audit(entry())
    assert (tmp_path / "deep" / "state.db").exists()


# --- saved mappings in effect (brcc_core.live.shows.map_shows over what State stores) ----------
TZ = "America/Toronto"


def listings_frame() -> pd.DataFrame:
    rows = [
        # key, channel, product, slot, series, event, starts_at, sold, pending
        ("wc:1:s8:d1", "woocommerce", 1, "s8", None, None, "2026-06-05 20:00", 30, 2),
        ("eb:91:1", "eventbrite", None, None, "s9", "91", "2026-06-05 20:00", 20, 0),
        ("wc:1:s10:d1", "woocommerce", 1, "s10", None, None, "2026-06-05 22:00", 10, 0),
        ("wc:1:s8:d2", "woocommerce", 1, "s8", None, None, "2026-06-12 20:00", 5, 0),
        ("eb:92:1", "eventbrite", None, None, "s9", "92", "2026-06-12 20:00", 6, 0),
        ("eb:93:1", "eventbrite", None, None, "s7", "93", "2026-06-12 20:05", 1, 0),
    ]
    df = pd.DataFrame(
        rows,
        columns=[
            "listing_key",
            "channel",
            "product_id",
            "slot_id",
            "series_id",
            "event_id",
            "starts_at",
            "sold",
            "pending",
        ],
    )
    df["starts_at"] = pd.to_datetime(df["starts_at"]).dt.tz_localize(TZ)
    df["product_id"] = df["product_id"].astype("Int64")
    for col in ("sold", "pending"):
        df[col] = df[col].astype("Int64")
    df["title"] = df["listing_key"]
    df["slot_label"] = None
    df["error"] = None
    return df


def by_key(shows: pd.DataFrame) -> dict[str, dict]:
    return {row["show_key"]: row for row in shows.to_dict("records")}


def test_without_mappings_the_suggestion_stands():
    listings = listings_frame()
    mapped = map_shows(listings)
    suggested = suggest_shows(listings)
    assert mapped[SHOW_COLUMNS].equals(suggested)
    assert set(mapped["source"]) == {"suggested"}


def test_saved_show_takes_its_listings_and_venue_capacity(state):
    # The manager moves the 8pm Eventbrite listing to the 10pm show, with 50 seats.
    state.save_show(SavedShow("show:2026-06-05T22:00", ("wc:1:s10:d1", "eb:91:1"), 50))
    shows = by_key(map_shows(listings_frame(), saved=state.saved_shows()))
    late = shows["show:2026-06-05T22:00"]
    assert late["source"] == "saved" and late["listing_keys"] == ("eb:91:1", "wc:1:s10:d1")
    assert late["venue_capacity"] == 50 and late["remaining"] == 50 - 30
    early = shows["show:2026-06-05T20:00"]
    assert early["source"] == "suggested" and early["listing_keys"] == ("wc:1:s8:d1",)


def test_recurring_rule_maps_new_dates_by_itself(state):
    members = (
        RuleMember("woocommerce", product_id=1, slot_id="s8"),
        RuleMember("eventbrite", series_id="s9"),
    )
    state.save_rule(RecurringRule("Friday 8pm", 4, "20:00", members, venue_capacity=45))
    shows = by_key(map_shows(listings_frame(), rules=state.recurring_rules()))
    for day, keys in (("06-05", ("wc:1:s8:d1", "eb:91:1")), ("06-12", ("wc:1:s8:d2", "eb:92:1"))):
        show = shows[f"show:2026-{day}T20:00"]
        assert show["source"] == "rule" and show["listing_keys"] == keys
        assert show["venue_capacity"] == 45
    # Another series at nearly the same time is not taken by the rule: kept apart.
    assert shows["show:2026-06-12T20:05"]["listing_keys"] == ("eb:93:1",)


def test_a_confirmed_show_is_not_merged_with_a_newcomer(state):
    state.save_show(SavedShow("show:2026-06-05T20:00", ("wc:1:s8:d1",)))
    shows = by_key(map_shows(listings_frame(), saved=state.saved_shows()))
    assert shows["show:2026-06-05T20:00"]["listing_keys"] == ("wc:1:s8:d1",)
    newcomer = shows["show:2026-06-05T20:00+new"]
    assert newcomer["listing_keys"] == ("eb:91:1",) and newcomer["source"] == "suggested"
