"""The Eventbrite preview knows when the event's capacity bounds a class (issue 21).

A manager's +1 on a ticket class whose event (custom capacity) was already at that
capacity was written, found not kept and rolled back ("buyers are offered 55 instead of
56"). The preview now says before Confirm that the event's capacity bounds it and what to
raise instead, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import BoxOffice
from brcc_core.capacity.preview import Change, ListingState, preview_change
from brcc_core.people.access import Actor
from brcc_core.settings import load_settings
from tests.app_env import clear_settings

APP = str(Path(__file__).parents[1] / "streamlit_app.py")


def a_class(**overrides) -> ListingState:
    base = dict(
        listing_key="eb:1:2",
        channel="eventbrite",
        kind="ticket_class",
        title="Late Show",
        capacity=55,
        sold=3,
        pending=0,
        available=52,
        event_seats_left=52,
        event_id="1",
        ticket_class_id="2",
        event_capacity=55,
    )
    return ListingState(**{**base, **overrides})


def test_a_class_raised_past_its_event_s_own_capacity_is_refused_with_what_to_do():
    preview = preview_change(Change("eb:1:2", seen_remaining=52, value=56), a_class())
    assert not preview.allowed
    assert "event's capacity (55) bounds this ticket class" in preview.refusal
    assert "Raise the event's capacity to 56 on Eventbrite" in preview.refusal
    # Remaining asked for the same way: 53 remaining is capacity 56.
    remaining = Change("eb:1:2", seen_remaining=52, value=53, field="remaining")
    assert "bounds this ticket class" in preview_change(remaining, a_class()).refusal


@pytest.mark.parametrize(
    ("listing", "value"),
    [
        (a_class(), 55),  # up to the event's capacity: allowed
        (a_class(), 40),  # lowering: allowed
        (a_class(event_capacity=None), 56),  # capacity the sum of classes: grows with it
        (a_class(series_id="9"), 56),  # series date: the engine sets the event instead
    ],
)
def test_changes_the_event_does_not_bound_stay_allowed(listing, value):
    assert preview_change(Change("eb:1:2", seen_remaining=52, value=value), listing).allowed


@pytest.fixture
def demo(monkeypatch, tmp_path) -> BoxOffice:
    clear_settings(monkeypatch)
    monkeypatch.setenv("BRCC_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    box = BoxOffice.from_settings(load_settings())
    box.refresh_catalog()
    return box


def a_class_at_its_event_s_capacity(box: BoxOffice) -> pd.Series:
    """A one-off event of the demo club whose custom capacity (55) is its class's."""
    listings = box.listings()
    custom = {e.event_id for e in box.catalog().events if e.capacity_is_custom}
    fit = listings[
        (listings["channel"] == "eventbrite")
        & listings["series_id"].isna()
        & listings["event_id"].isin(custom)
        & (listings["status"] == "on_sale")
        & (listings["capacity"] == 55)
    ]
    assert not fit.empty, "the demo club has one-off events with a custom capacity of 55"
    return fit.iloc[0]


def test_the_plus_one_the_issue_saw_roll_back_is_refused_before_confirm(demo):
    listings = demo.listings()
    row = a_class_at_its_event_s_capacity(demo)
    plus_one = Change(
        row.listing_key,
        seen_remaining=int(row.available),
        seen_capacity=int(row.capacity),
        value=int(row.capacity) + 1,
    )
    preview = demo.preview_change(plus_one, listings)
    assert "bounds this ticket class" in preview.refusal

    result = demo.apply_change(plus_one, listings, who=Actor.demo("manager"))
    assert result.status == "refused" and "bounds this ticket class" in result.message
    with demo.sandbox.engine.connect() as conn:
        own = conn.execute(
            text("SELECT capacity FROM sandbox_eb_ticket_classes WHERE id = :id"),
            {"id": row.ticket_class_id},
        ).scalar()
    assert own == 55  # nothing written, nothing rolled back
    assert demo.audit_log(results=["rolled_back"]).empty


def test_the_inventory_page_says_so_before_confirm_and_confirm_stays_off(demo):
    """What the manager sees on the page: the +1 opens the confirmation with the event's
    capacity named and what to raise, and Confirm cannot be pressed."""
    row = a_class_at_its_event_s_capacity(demo)
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()  # demo mode: the Demo identity is a manager at first
    at.switch_page("pages/inventory.py").run()
    at.selectbox(key="inv_channel").set_value("eventbrite").run()
    at.selectbox(key="inv_series").set_value("").run()  # one-off events
    at.selectbox(key="inv_event").set_value(str(row.event_id)).run()
    if any(box.key == "inv_class" for box in at.selectbox):  # more than one class
        at.selectbox(key="inv_class").set_value(row.listing_key).run()
    at.button(key="inv_plus").click().run()
    assert not at.exception
    errors = " ".join(str(e.value) for e in at.error).replace("\\", "")
    assert "The event's capacity (55) bounds this ticket class" in errors
    assert "Raise the event's capacity to 56 on Eventbrite" in errors
    assert at.button(key="inv_confirm").disabled
    assert "change" not in set(demo.audit_log()["action"])  # nothing tried, nothing written
