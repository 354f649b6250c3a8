"""Eventbrite ticket classes per refresh: past events read once, upcoming events within
the refresh horizon on every refresh, the rest kept with the time they were read; each
refresh says how many calls it made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import text

from brcc_core.boxoffice import BoxOffice
from brcc_core.capacity.preview import Change
from brcc_core.catalog.cache import CatalogCache
from brcc_core.catalog.refresh_plan import KeptClasses, plan_class_reads, plan_read_budget
from brcc_core.common import clock
from brcc_core.people.access import Actor
from brcc_core.sandbox import fooevents_sim as sim
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.ui.live_age import eventbrite_kept_text
from tests.club_time import SUITE_DAY

NOW = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)
HORIZON = timedelta(days=14)
MANAGER = Actor.demo("manager")


def event(event_id: str, starts_in: timedelta, hours: int = 2) -> dict:
    start = NOW + starts_in
    end = start + timedelta(hours=hours)
    return {
        "id": event_id,
        "start": {"utc": start.strftime("%Y-%m-%dT%H:%M:%SZ")},
        "end": {"utc": end.strftime("%Y-%m-%dT%H:%M:%SZ")},
        "changed": (NOW - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def kept(read: timedelta) -> KeptClasses:
    return KeptClasses(NOW + read, ({"id": "tc", "quantity_sold": 3},))


@pytest.mark.parametrize(
    ("name", "starts_in", "previous", "read"),
    [
        ("never read, upcoming beyond the horizon", timedelta(days=40), None, True),
        ("never read, past", timedelta(days=-3), None, True),
        ("past, read after it ended: final", timedelta(days=-3), kept(timedelta(days=-1)), False),
        ("past, last read before it ended", timedelta(days=-3), kept(timedelta(days=-4)), True),
        ("running now", timedelta(hours=-1), kept(timedelta(hours=-2)), True),
        ("within the horizon's first half", timedelta(days=6), kept(timedelta(minutes=-5)), True),
        ("second half, read minutes ago", timedelta(days=13), kept(timedelta(minutes=-5)), False),
        ("second half, read an hour ago", timedelta(days=8), kept(timedelta(minutes=-60)), True),
        ("upcoming beyond the horizon, read before", timedelta(days=15), kept(-HORIZON), False),
    ],
)
def test_which_events_a_refresh_reads(name, starts_in, previous, read):
    previous_reads = {} if previous is None else {"e1": previous}
    plan = plan_class_reads([event("e1", starts_in)], previous_reads, now=NOW, horizon=HORIZON)
    assert (plan.read == ["e1"]) is read, name
    assert ("e1" in plan.keep) is (not read), name
    if not read:
        assert plan.keep["e1"] is previous


def test_reads_go_nearest_first_and_an_unreadable_start_is_read():
    events = [event("later", timedelta(days=9)), event("soon", timedelta(days=1))]
    events.append({"id": "odd", "start": {"utc": "not a date"}})
    plan = plan_class_reads(events, {"odd": kept(timedelta(days=-1))}, now=NOW, horizon=HORIZON)
    assert plan.read == ["odd", "soon", "later"]  # no start: read first, it may be soon


def test_kept_counts_say_why():
    events = [event("past", timedelta(days=-5)), event("far", timedelta(days=30))]
    events.append(event("next week", timedelta(days=10)))
    previous = {
        "past": kept(timedelta(days=-1)),
        "far": kept(timedelta(hours=-3)),
        "next week": kept(timedelta(minutes=-20)),
    }
    plan = plan_class_reads(events, previous, now=NOW, horizon=HORIZON)
    assert (plan.read, plan.past_kept, plan.beyond_kept, plan.hourly_kept) == ([], 1, 1, 1)


def test_the_horizons_second_half_is_read_once_an_hour_and_not_charged_again():
    events = [event("tomorrow", timedelta(days=1)), event("in 9 days", timedelta(days=9))]
    previous = {"tomorrow": kept(timedelta(hours=-2)), "in 9 days": kept(timedelta(hours=-2))}
    plan = plan_class_reads(events, previous, now=NOW, horizon=HORIZON)
    assert plan.read == ["tomorrow", "in 9 days"] and plan.hourly_reads == {"in 9 days"}
    budget = plan_read_budget(plan, events, list_calls=3, calls_left=2000, reserve=300)
    assert budget.tiers == ["tomorrow", "in 9 days"]  # read with its holds and carts
    assert budget.next_refresh_calls == 3 + 2  # within the hour: only tomorrow again


def test_one_off_reads_are_marked_so_the_next_refresh_is_not_charged_for_them():
    events = [event("new far", timedelta(days=40)), event("new near", timedelta(days=3))]
    events += [event("kept near", timedelta(days=5)), event("new past", timedelta(days=-2))]
    events.append(event("ended since", timedelta(days=-1)))
    previous = {
        "kept near": kept(timedelta(hours=-1)),
        "ended since": kept(timedelta(days=-2)),
    }
    plan = plan_class_reads(events, previous, now=NOW, horizon=HORIZON)
    assert plan.first_beyond == {"new far"}
    assert plan.final_reads == {"new past", "ended since"}


def _plan(far: int, near: int, past: int = 0):
    """``near`` events within the horizon's first half (read before), ``past`` never read
    and over, ``far`` never read beyond the horizon; all but the past still selling."""
    near_events = [event(f"n{i}", timedelta(hours=2 + 8 * i)) for i in range(near)]
    far_events = [event(f"f{i}", timedelta(days=20 + i)) for i in range(far)]
    past_events = [event(f"p{i}", timedelta(days=-3)) for i in range(past)]
    previous = {f"n{i}": kept(timedelta(hours=-1)) for i in range(near)}
    plan = plan_class_reads(
        near_events + far_events + past_events, previous, now=NOW, horizon=HORIZON
    )
    return plan, near_events + far_events


def _budget(plan, selling, calls_left):
    return plan_read_budget(
        plan,
        selling,
        list_calls=10,
        calls_left=calls_left,
        reserve=300,
    )


@pytest.mark.parametrize(
    ("case", "far", "calls_left", "far_read"),
    [
        ("club scale, fresh hour: every later show read", 200, 1990, 200),
        # 1,990 - 30 classes (near, past) - 20 near tiers - 300 reserve - (10 list pages
        # + 20 near classes + 20 near tiers) next refresh = 1,590 calls: 795 events
        ("large first build: room runs out", 1400, 1990, 795),
        ("hour nearly spent: no later show", 1400, 380, 0),
    ],
)
def test_later_shows_are_read_nearest_first_while_the_hour_allows(case, far, calls_left, far_read):
    plan, selling = _plan(far=far, near=20, past=10)
    budget = _budget(plan, selling, calls_left)
    must = [f"n{i}" for i in range(20)] + [f"p{i}" for i in range(10)]
    assert sorted(budget.classes[:30]) == sorted(must), case  # always read
    assert budget.classes[30:] == [f"f{i}" for i in range(far_read)], case
    assert budget.unread == [f"f{i}" for i in range(far_read, far)], case
    assert budget.next_refresh_calls == 10 + 20 + 20, case  # past ones are final now
    spent = len(budget.classes) + len(budget.tiers)
    assert calls_left - spent >= 300 + budget.next_refresh_calls or far_read == 0, case


def test_holds_and_carts_are_read_with_every_class_read_of_a_selling_event():
    plan, selling = _plan(far=2, near=6, past=2)
    budget = _budget(plan, selling, 2000)
    # Every selling event read now brings its tier (holds and carts): seats left are what
    # Eventbrite sells, whether the show is tonight or next week; past events have none.
    assert budget.tiers == [f"n{i}" for i in range(6)] + ["f0", "f1"]
    assert _budget(plan, selling[:1], 2000).tiers == ["n0"]  # only selling events


# --- through BoxOffice on the seeded sandbox -------------------------------------------


@pytest.fixture
def sandbox(engine) -> Sandbox:
    box = Sandbox(engine)
    box.seed(scale="club", seed_number=4, today=SUITE_DAY)
    return box


def _boxoffice(sandbox: Sandbox, tmp_path, days: int = 14, reserve: int = 300) -> BoxOffice:
    env = {
        "BRCC_DATA_DIR": str(tmp_path),
        "BRCC_EB_REFRESH_DAYS": str(days),
        "BRCC_EB_WRITE_RESERVE": str(reserve),
    }
    settings = load_settings(env, dotenv_path=None)
    return BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path))


def _eventbrite_rows(listings):
    rows = listings[listings.channel == "eventbrite"].set_index("listing_key")
    return rows[["capacity", "sold", "available"]]


def test_a_second_refresh_reads_only_what_can_move_and_builds_the_same_catalog(sandbox, tmp_path):
    box = _boxoffice(sandbox, tmp_path)
    first = box.refresh_catalog()
    assert first.classes_kept == 0 and first.classes_read > 100
    assert first.eventbrite_calls >= first.classes_read  # pages + one call an event

    second = box.refresh_catalog()
    assert second.classes_read + second.classes_kept == first.classes_read
    assert second.classes_kept > second.classes_read  # past and later events kept
    assert second.eventbrite_calls < first.eventbrite_calls / 2
    assert second.catalog.counts() == first.catalog.counts()
    assert _eventbrite_rows(box.listings(second.catalog)).equals(
        _eventbrite_rows(box.listings(first.catalog))
    )

    # A new process over the same data dir keeps the reads too.
    again = _boxoffice(sandbox, tmp_path).refresh_catalog()
    assert again.classes_read == second.classes_read


def test_a_sale_within_the_horizon_shows_one_beyond_it_waits_and_is_said_to(sandbox, tmp_path):
    box = _boxoffice(sandbox, tmp_path)
    catalog = box.refresh_catalog().catalog
    now = clock.now()
    soon = next(
        e
        for e in catalog.events
        if e.starts_at and now + timedelta(days=2) < e.starts_at < now + timedelta(days=6)
    )
    later = next(
        e for e in catalog.events if e.starts_at and e.starts_at > now + timedelta(days=20)
    )
    classes = {tc.event_id: tc for tc in catalog.ticket_classes}
    with sandbox.engine.begin() as conn:
        sim.sell_eventbrite(conn, classes[soon.event_id].ticket_class_id, 1)
        sim.sell_eventbrite(conn, classes[later.event_id].ticket_class_id, 1)

    refreshed = box.refresh_catalog().catalog
    sold = {tc.event_id: tc.quantity_sold for tc in refreshed.ticket_classes}
    assert sold[soon.event_id] == classes[soon.event_id].quantity_sold + 1
    assert sold[later.event_id] == classes[later.event_id].quantity_sold  # kept, older
    assert later.event_id in refreshed.ticket_classes_read_at
    text = eventbrite_kept_text(refreshed, "America/Toronto")
    assert text is not None and "older" in text

    # With a horizon that covers it, the next refresh reads it.
    wide = _boxoffice(sandbox, tmp_path, days=120).refresh_catalog().catalog
    sold = {tc.event_id: tc.quantity_sold for tc in wide.ticket_classes}
    assert sold[later.event_id] == classes[later.event_id].quantity_sold + 1
    assert later.event_id not in wide.ticket_classes_read_at  # read now, not kept


def test_a_first_build_short_of_calls_leaves_later_shows_unread_and_refreshes_again(
    sandbox, tmp_path
):
    # Keeping 1,750 calls for writes leaves the club's first build the room a large
    # club's has: not enough for every later show.
    box = _boxoffice(sandbox, tmp_path, reserve=1750)
    first = box.refresh_catalog()
    assert not first.errors
    assert first.classes_unread > 0, "every show was read: the test needs a tighter hour"
    horizon = clock.now() + timedelta(days=14)
    unread = {e: r for e, r in first.catalog.ticket_class_errors.items() if "not read" in r}
    assert len(unread) == first.classes_unread
    starts = {e.event_id: e.starts_at for e in first.catalog.events}
    assert all(starts[e] > horizon for e in unread)
    classes = first.catalog.ticket_classes
    read_later = {tc.event_id for tc in classes if starts[tc.event_id] > horizon}
    assert read_later and max(starts[e] for e in read_later) < min(starts[e] for e in unread)
    listings = box.listings(first.catalog)
    rows = listings[listings.event_id.isin(list(unread))]
    assert rows.available.isna().all() and rows.error.str.contains("not read yet").all()

    planned = box.refresh_cost()  # what the next refresh reads again, said beside the button
    second = box.refresh_catalog()  # within the hour: costs what it reads again
    assert "eventbrite" not in second.errors
    assert second.eventbrite_calls <= planned < first.eventbrite_calls / 2
    assert box.eventbrite.calls_left_this_hour() >= 1750  # the writes' calls untouched
    assert second.catalog.counts() == first.catalog.counts()


def test_after_a_restart_a_refresh_is_costed_at_what_it_reads_again(sandbox, tmp_path):
    first = _boxoffice(sandbox, tmp_path, reserve=1800).refresh_catalog()
    restarted = _boxoffice(sandbox, tmp_path, reserve=1800)  # a new process, same data
    # It restarts in the next hour of calls: the first build's are the token's, counted
    # in the app-state database for every process, and took the hour to its reserve.
    later = restarted.eventbrite.clock() + timedelta(hours=1, minutes=1)
    restarted.eventbrite.clock = lambda: later
    cost = restarted.refresh_cost()
    dates = sum(1 for e in first.catalog.events if not e.is_series_parent)
    assert cost < dates / 2  # not one call per date: later ones are kept
    again = restarted.refresh_catalog()
    assert "eventbrite" not in again.errors  # not refused for the reserve
    assert again.classes_read > 0
    assert restarted.eventbrite.calls_left_this_hour() >= 1800  # the reserve kept


def test_refresh_days_setting_is_read_and_checked():
    assert load_settings({}, dotenv_path=None).eb_refresh_days == 14
    assert load_settings({"BRCC_EB_REFRESH_DAYS": "35"}, dotenv_path=None).eb_refresh_days == 35
    with pytest.raises(ValueError, match="BRCC_EB_REFRESH_DAYS"):
        load_settings({"BRCC_EB_REFRESH_DAYS": "soon"}, dotenv_path=None)


def test_a_sale_next_week_shows_once_its_numbers_are_an_hour_old(sandbox, tmp_path):
    """Events 8-14 days out are read on a refresh once their numbers are an hour old: a
    refresh within the hour keeps them (and says their numbers are older), a later one
    shows the sale."""
    box = _boxoffice(sandbox, tmp_path)
    catalog = box.refresh_catalog().catalog
    now = clock.now()
    next_week = next(
        e
        for e in catalog.events
        if e.starts_at and now + timedelta(days=8) < e.starts_at < now + timedelta(days=13)
    )
    sold_before = {tc.event_id: tc for tc in catalog.ticket_classes}[next_week.event_id]
    with sandbox.engine.begin() as conn:
        sim.sell_eventbrite(conn, sold_before.ticket_class_id, 2)

    within_hour = box.refresh_catalog()
    sold = {tc.event_id: tc.quantity_sold for tc in within_hour.catalog.ticket_classes}
    assert sold[next_week.event_id] == sold_before.quantity_sold  # kept, not read again
    assert next_week.event_id in within_hour.catalog.ticket_classes_read_at
    text = eventbrite_kept_text(within_hour.catalog, "America/Toronto")
    assert text is not None and "older" in text

    # An hour on: what was read then is due again.
    box.catalogs._kept_classes = {
        event_id: KeptClasses(kept.read_at - timedelta(minutes=61), kept.classes)
        for event_id, kept in box.catalogs._kept_classes.items()
    }
    later = box.refresh_catalog()
    sold = {tc.event_id: tc.quantity_sold for tc in later.catalog.ticket_classes}
    assert sold[next_week.event_id] == sold_before.quantity_sold + 2
    assert next_week.event_id not in later.catalog.ticket_classes_read_at
    assert later.classes_read > within_hour.classes_read


def test_a_change_refused_next_week_is_read_again_by_the_next_refresh(sandbox, tmp_path):
    """Someone lowers a show next week's capacity on Eventbrite after the refresh: the
    change is refused as changed since the manager looked, and the next refresh (within
    the hour, when next week's numbers are otherwise kept) reads that event again, so
    trying again works."""
    box = _boxoffice(sandbox, tmp_path)
    box.refresh_catalog()
    listings = box.listings()
    now = pd.Timestamp(clock.now())
    rows = listings[
        (listings.channel == "eventbrite")
        & (listings.starts_at > now + pd.Timedelta(days=8))
        & (listings.starts_at < now + pd.Timedelta(days=13))
        & listings.available.notna()
        & (listings.available > 3)
        & listings.error.isna()
    ]
    row = rows.iloc[0]
    with sandbox.engine.begin() as conn:  # one seat less on both bounds: capacity - 1
        sim.sell_eventbrite(conn, row.ticket_class_id, 1)
        conn.execute(
            text(
                "UPDATE sandbox_eb_ticket_classes SET capacity = capacity - 1 "
                "WHERE id = :tc AND capacity IS NOT NULL"
            ),
            {"tc": row.ticket_class_id},
        )
        conn.execute(
            text(
                "UPDATE sandbox_eb_events SET capacity = capacity - 1 "
                "WHERE id = :e AND capacity IS NOT NULL"
            ),
            {"e": row.event_id},
        )

    def change(row) -> Change:
        seen = int(row.available)
        return Change(row.listing_key, seen_remaining=seen, value=seen - 2, field="remaining")

    refused = box.apply_change(change(row), listings, who=MANAGER)
    assert refused.status == "refused" and "Changed since you looked" in refused.message

    again = box.refresh_catalog()
    assert row.event_id not in again.catalog.ticket_classes_read_at  # read, not kept
    fresh = box.listings().set_index("listing_key").loc[row.listing_key]
    assert int(fresh.sold) == int(row.sold) + 1
    fresh = fresh.copy()
    fresh["listing_key"] = row.listing_key
    done = box.apply_change(change(fresh), box.listings(), who=MANAGER)
    assert done.status == "ok", done.message
