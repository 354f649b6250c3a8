"""The unattended guard (issue 27): which plan rows it takes by itself (pure, table-tested),
and its rounds on the seeded sandbox: exposure closed on a split show, a manager's change
in flight wins, a paused guard and unknown numbers write nothing, two guards never run
at once, a killed guard's leases expire and the next round converges, and with sales
landing between rounds no guarded show is oversold and every guard change is audited."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pandas as pd
import pytest

from brcc_core.boxoffice import BoxOffice
from brcc_core.capacity.engine import lock_resource
from brcc_core.capacity.guard_choice import choose, guard_undo
from brcc_core.capacity.sync import SyncListing, SyncPolicy, SyncShow, plan_sync
from brcc_core.catalog.cache import CatalogCache
from brcc_core.common import clock
from brcc_core.guard.__main__ import duration
from brcc_core.guard.rounds import Guard
from brcc_core.people.access import GUARD_EMAIL, AccessDenied, Actor
from brcc_core.sandbox.fooevents_sim import SaleError, sell_booking, sell_eventbrite, sell_single
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.store.guard_records import GuardPolicy, GuardStatus
from brcc_core.store.state import State
from brcc_core.views.inventory import guard_undo_warning
from tests.club_time import PINNED_MOMENT, SUITE_DAY, club_moment

MANAGER = Actor.demo("manager")
SPLIT = SyncPolicy("split", {"woocommerce": 1, "eventbrite": 1})


# --- which rows the guard takes: pure ----------------------------------------------------------
def _show(wc_available: int | None, eb_available: int, *, wc_sold: int | None = 20) -> SyncShow:
    wc = SyncListing(
        "wc:1:s:d",
        "woocommerce",
        sold=wc_sold,
        pending=2,
        capacity=None if wc_available is None or wc_sold is None else wc_available + wc_sold + 2,
        available=wc_available,
        kind="bookings",
    )
    eb = SyncListing(
        "eb:9:91",
        "eventbrite",
        sold=13,
        pending=0,
        capacity=eb_available + 13,
        available=eb_available,
        kind="ticket_class",
        event_id="9",
    )
    return SyncShow("show:x", "Friday", 55, (wc, eb))  # room: 55 - 35 - 2 = 20 (split 10/10)


@pytest.mark.parametrize(
    "wc_available, eb_available, allow_raise, taken",
    [
        (30, 42, False, {"wc:1:s:d": 10, "eb:9:91": 10}),  # both above their half: both lowered
        (30, 4, False, {"wc:1:s:d": 10}),  # Eventbrite below its half: a raise, held back
        (30, 4, True, {"wc:1:s:d": 10, "eb:9:91": 10}),  # unless the policy allows raising
        (10, 10, False, {}),  # at target: nothing to do
        (3, 2, False, {}),  # both below: only raises, none taken
        (None, 42, False, {"wc:1:s:d": 10, "eb:9:91": 10}),  # unlimited stock is lowered too
    ],
)
def test_the_guard_takes_only_the_rows_that_lower(wc_available, eb_available, allow_raise, taken):
    if wc_available is None:  # a site listing without stock management: unlimited
        show = _show(None, eb_available)
        show = SyncShow(
            show.show_key,
            show.title,
            show.venue_capacity,
            (
                SyncListing(
                    "wc:1:s:d", "woocommerce", sold=20, pending=2, kind="bookings", available=None
                ),
                show.listings[1],
            ),
        )
    else:
        show = _show(wc_available, eb_available)
    choice = choose(plan_sync(show, SPLIT), allow_raise=allow_raise)
    assert {r.listing_key: r.target_remaining for r in choice.apply} == taken
    assert choice.unknown is None
    held = {r.listing_key for r, why in choice.held}
    assert all("manager's decision" in why for _, why in choice.held)
    assert not held & set(taken)


def test_a_plan_on_unknown_numbers_gives_the_guard_nothing():
    choice = choose(plan_sync(_show(30, 42, wc_sold=None), SPLIT))
    assert choice.apply == () and choice.unknown and "unknown" in choice.unknown


# --- whether the guard would undo a manager's change: pure -------------------------------------
NOW = club_moment(PINNED_MOMENT)
RAN = GuardStatus(
    last_round_at=NOW - timedelta(seconds=30), next_round_at=NOW + timedelta(seconds=90)
)
MIRROR = GuardPolicy("show:x", "mirror")
HALVES = GuardPolicy("show:x", "split", {"woocommerce": 1, "eventbrite": 1})


@pytest.mark.parametrize(
    "listing, remaining_after, saved, status, written_back",
    [
        ("wc:1:s:d", 30, MIRROR, RAN, 20),  # raised above the room's 20: lowered back
        ("eb:9:91", 25, MIRROR, RAN, 20),  # the same on Eventbrite
        ("wc:1:s:d", 20, MIRROR, RAN, None),  # set to the rule's own target: left alone
        ("wc:1:s:d", 12, MIRROR, RAN, None),  # lowered below it: raising is a manager's say
        ("wc:1:s:d", 12, replace(MIRROR, allow_raise=True), RAN, 20),  # unless allowed
        (
            "wc:1:s:d",
            12,
            GuardPolicy("show:x", "split", {"woocommerce": 1, "eventbrite": 1}),
            RAN,
            10,
        ),
        ("wc:1:s:d", 30, MIRROR, replace(RAN, paused=True), None),  # a paused guard writes nothing
        ("wc:1:s:d", 30, MIRROR, GuardStatus(), 20),  # saved, never run: active once it runs
        ("wc:1:s:d", 30, None, RAN, None),  # no saved policy: the guard leaves the show alone
        ("wc:1:s:d", None, MIRROR, RAN, None),  # remaining after the change not known
    ],
)
def test_the_guard_would_undo_a_change_its_active_rule_does_not_allow(
    listing, remaining_after, saved, status, written_back
):
    undo = guard_undo(
        _show(30, 42),
        listing,
        remaining_after=remaining_after,
        capacity_after=None if remaining_after is None else remaining_after + 22,
        saved=saved,
        status=status,
        now=NOW,
        guard_days=14,
    )
    if written_back is None:
        assert undo is None
        return
    assert undo is not None and undo.row.listing_key == listing
    assert undo.row.target_remaining == written_back
    assert undo.ran == (status.last_round_at is not None)


def test_a_change_on_unknown_numbers_is_not_judged():
    assert (
        guard_undo(
            _show(30, 42, wc_sold=None),
            "eb:9:91",
            remaining_after=30,
            capacity_after=43,
            saved=MIRROR,
            status=RAN,
            now=NOW,
            guard_days=14,
        )
        is None
    )


def test_the_warning_says_the_rule_when_the_guard_comes_and_what_it_sets():
    undo = guard_undo(
        _show(30, 42),
        "eb:9:91",
        remaining_after=44,
        capacity_after=57,
        saved=MIRROR,
        status=RAN,
        now=NOW,
        guard_days=14,
    )
    said = guard_undo_warning(undo, now=NOW, timezone="America/Toronto")
    assert said == (
        "The guard keeps this show on a mirror sync: its next round (within 2 min) would set "
        "this listing back to 20 seats on sale on Eventbrite (capacity 33). Pause the guard or "
        "change the show's sync rule first (Dashboard, Unattended guard)."
    )
    never = replace(undo, ran=False)
    assert "its first round, once it is started, would set" in guard_undo_warning(
        never, now=NOW, timezone="America/Toronto"
    )
    later = guard_undo(
        replace(_show(30, 42), starts_at=NOW + timedelta(days=20)),
        "eb:9:91",
        remaining_after=44,
        capacity_after=57,
        saved=MIRROR,
        status=RAN,
        now=NOW,
        guard_days=14,
    )
    assert "from Tue 8 Dec 14:00, when the show comes within the days it watches" in (
        guard_undo_warning(later, now=NOW, timezone="America/Toronto")
    )


@pytest.mark.parametrize(("text", "seconds"), [("10s", 10), ("2m", 120), ("1h", 3600), ("90", 90)])
def test_durations(text, seconds):
    assert duration(text) == seconds


# --- rounds on the sandbox ---------------------------------------------------------------------
@pytest.fixture
def sandbox(engine) -> Sandbox:
    box = Sandbox(engine)
    box.seed(scale="club", seed_number=7, today=SUITE_DAY)
    return box


@pytest.fixture
def boxoffice(sandbox, db_url, tmp_path) -> BoxOffice:
    state = State.open(db_url)
    state.drop_all()
    settings = load_settings({"BRCC_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path), state=state)
    box.refresh_catalog()
    yield box
    state.drop_all()
    state.engine.dispose()


def shows_now(box: BoxOffice) -> pd.DataFrame:
    box.live.changed()
    return box.saved_shows(box.listings()).set_index("show_key", drop=False)


def exposed_shows(box: BoxOffice, count: int = 2) -> list[str]:
    """Upcoming shows sold on both channels with seats over-offered (the seed's are)."""
    shows = shows_now(box)
    fit = shows[
        (shows.channels.apply(len) == 2)
        & (shows.errors.apply(len) == 0)
        & (shows.starts_at > clock.now())
        & (shows.exposure > 0)
        & ~shows.oversold
    ]
    return fit.show_key.tolist()[:count]


def guard_rows(box: BoxOffice) -> pd.DataFrame:
    log = box.audit_log()
    return log[log["action"] == "guard"]


def guarded(box: BoxOffice, policy: SyncPolicy = SPLIT, count: int = 2) -> list[str]:
    keys = exposed_shows(box, count)
    assert len(keys) == count
    for key in keys:
        box.save_guard_policy(key, policy, who=MANAGER)
    return keys


def test_a_round_closes_the_exposure_of_a_split_show_and_audits_it(boxoffice):
    keys = guarded(boxoffice)
    guard = Guard(boxoffice, every=5)
    report = guard.round()

    assert report.ran and report.changes >= 2 and report.error is None, report.summary
    shows = shows_now(boxoffice)
    assert shows.loc[keys, "exposure"].tolist() == [0, 0]
    rows = guard_rows(boxoffice)
    assert len(rows) == report.changes
    assert set(rows["who"]) == {GUARD_EMAIL}
    assert rows["note"].str.contains("split").all()
    assert rows["note"].str.contains("lowers remaining").all()
    assert (rows["result"] == "ok").all()
    status = boxoffice.guard_status()
    assert status.rounds == 1 and status.changes == report.changes and not status.paused
    assert status.next_round_at is not None and status.next_round_at > status.last_round_at
    # The next round finds nothing to lower: it converged.
    again = guard.round()
    assert again.ran and again.changes == 0 and again.error is None


def test_shows_without_a_policy_are_left_alone(boxoffice):
    report = Guard(boxoffice, every=5).round()
    assert report.changes == 0 and "no show has a saved policy" in report.summary
    assert guard_rows(boxoffice).empty


def test_a_managers_change_in_flight_wins_and_the_guard_retries_next_round(boxoffice):
    keys = guarded(boxoffice, count=1)
    listings = boxoffice.listings()
    show = shows_now(boxoffice).loc[keys[0]]
    site = next(k for k in show.listing_keys if k.startswith("wc:"))
    resource = lock_resource(boxoffice.capacity.listing_state(site, listings))
    lease = boxoffice.locks.try_acquire(resource, "manager@club", f"change {site}")
    assert lease is not None

    guard = Guard(boxoffice, every=5, lock_wait=0.2)
    first = guard.round()
    assert any(site in s and "in flight" in s for s in first.skipped), first.skipped
    tried = guard_rows(boxoffice)
    tried = tried[tried["listing_key"] == site]  # the attempt is on record, refused
    assert tried["result"].tolist() == ["refused"]
    assert "in progress (manager@club" in tried["error"].iloc[0]

    boxoffice.locks.release(lease)
    second = guard.round()
    assert second.ran and second.changes >= 1
    assert shows_now(boxoffice).loc[keys[0], "exposure"] == 0


def test_a_paused_guard_writes_nothing_and_says_so(boxoffice):
    guarded(boxoffice)
    boxoffice.pause_guard(who=MANAGER)
    guard = Guard(boxoffice, every=5)
    report = guard.round()
    assert report.paused and report.changes == 0 and "paused by" in report.summary
    assert guard_rows(boxoffice).empty
    assert boxoffice.guard_status().paused
    # Pausing is a person's: audited, and refused to the guard itself.
    log = boxoffice.audit_log()
    paused = log[log["action"] == "pause"]
    assert paused[["who", "before", "after"]].values.tolist() == [
        [MANAGER.email, "running", "paused"]
    ]
    with pytest.raises(AccessDenied):
        boxoffice.resume_guard(who=Actor.guard())
    boxoffice.resume_guard(who=MANAGER)
    assert guard.round().changes >= 2


def test_unknown_eventbrite_numbers_mean_no_write_to_that_show(sandbox, boxoffice):
    keys = guarded(boxoffice)
    sandbox.faults.inject("eventbrite", "timeout", method="GET", times=1000)
    report = Guard(boxoffice, every=5).round()
    assert report.changes == 0
    assert guard_rows(boxoffice).empty
    assert all(any(k in s for s in report.skipped) for k in keys), report.skipped
    assert "eventbrite" in report.failures and "backing off" in report.summary
    status = boxoffice.guard_status()
    assert status.last_error and "eventbrite" in status.last_error
    # Backing off: the next round waits longer than the interval.
    assert (report.next_round_at - report.at).total_seconds() > 5


def test_two_guards_never_run_at_once(boxoffice):
    guarded(boxoffice)
    one, two = Guard(boxoffice, every=5, runner="one"), Guard(boxoffice, every=5, runner="two")
    assert one.round().ran
    standby = two.round()
    assert not standby.ran and "another guard is running (one)" in standby.summary
    assert one.round().ran  # the one running keeps its lease between rounds
    one.release()
    assert two.round().ran


def test_a_killed_guard_leaves_leases_that_expire_and_the_next_round_converges(
    boxoffice, monkeypatch
):
    keys = guarded(boxoffice)
    killed = Guard(boxoffice, every=5, runner="killed")
    real = boxoffice.capacity.apply_change
    made: list[str] = []

    def dies_after_one_write(change, *args, **kwargs):
        if made:
            raise KeyboardInterrupt  # the process is killed before its second write
        made.append(change.listing_key)
        return real(change, *args, **kwargs)

    monkeypatch.setattr(boxoffice.capacity, "apply_change", dies_after_one_write)
    with pytest.raises(KeyboardInterrupt):
        killed.round()
    monkeypatch.setattr(boxoffice.capacity, "apply_change", real)
    # Half-done: one listing lowered, the shows still exposed; and a listing's write lease
    # the killed guard had taken is never given back either.
    assert len(guard_rows(boxoffice)) == 1
    assert shows_now(boxoffice).loc[keys, "exposure"].max() > 0
    listings = boxoffice.listings()
    site = next(k for k in shows_now(boxoffice).loc[keys[1]].listing_keys if k.startswith("wc:"))
    resource = lock_resource(boxoffice.capacity.listing_state(site, listings))
    assert boxoffice.locks.try_acquire(resource, GUARD_EMAIL, "guard mid-round") is not None

    successor = Guard(boxoffice, every=5, runner="successor")
    assert not successor.round().ran  # the killed guard's lease still holds
    # From the clock as it stands, not the suite's first moment: the suite's clock has run
    # on by however long the tests before this one took, and so have the leases.
    later = clock.now() + timedelta(seconds=killed.lease_seconds + 130)
    monkeypatch.setenv(clock.NOW_VARIABLE, later.isoformat())
    report = successor.round()
    assert report.ran and report.error is None and report.changes >= 2, report.summary
    assert shows_now(boxoffice).loc[keys, "exposure"].tolist() == [0, 0]
    assert not guard_rows(boxoffice)["result"].isin(["started"]).any()
    assert not Guard(boxoffice, every=5).round().ran  # the successor holds it now
    successor.release()


def _sell(sandbox: Sandbox, row: pd.Series, quantity: int) -> int:
    """Sell like a buyer; returns the seats sold (0 when the platform refused)."""
    try:
        with sandbox.engine.begin() as conn:
            if row.channel == "eventbrite":
                sell_eventbrite(conn, row.ticket_class_id, quantity)
            elif row.kind == "bookings":
                sell_booking(conn, int(row.product_id), row.slot_id, row.date_id, quantity)
            else:
                sell_single(conn, int(row.product_id), quantity)
    except SaleError:
        return 0
    return quantity


def test_sales_between_rounds_never_oversell_a_guarded_show(sandbox, boxoffice):
    """Two buyers (one per channel) buy between rounds; after every round the guarded
    shows have no exposure and none is oversold; every guard change is audited and no
    sale is lost."""
    keys = guarded(boxoffice)
    guard = Guard(boxoffice, every=5)
    rng = random.Random(27)
    sold_before = shows_now(boxoffice).loc[keys, "sold"].sum()
    bought = changes = 0
    for _ in range(6):
        report = guard.round()
        changes += report.changes
        assert report.error is None, report.summary
        shows = shows_now(boxoffice).loc[keys]
        assert not shows.oversold.any()
        assert shows.exposure.tolist() == [0, 0]
        listings = boxoffice.listings().set_index("listing_key", drop=False)
        for key in keys:
            for listing_key in shows.loc[key, "listing_keys"]:
                bought += _sell(sandbox, listings.loc[listing_key], rng.randint(1, 4))
    guard.round()
    shows = shows_now(boxoffice).loc[keys]
    assert not shows.oversold.any()
    assert shows.sold.sum() == sold_before + bought  # every sale kept
    rows = guard_rows(boxoffice)
    assert len(rows[rows["result"].isin(["ok", "reconciled"])]) >= changes
    assert set(rows["who"]) == {GUARD_EMAIL}
    assert not rows["result"].isin(["started", "failed", "rollback_failed"]).any()
