"""Sales history read from the sandbox's systems of record against the sandbox's own plan
(``SeedSummary.history``): seats per show and per day before it, money, cancellations,
check-ins, on SQLite and MariaDB; the Eventbrite order sync's calls, first and
incremental; and pace through the facade."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import create_engine, delete, event, select, text, update

from brcc_core.boxoffice import BoxOffice
from brcc_core.catalog.cache import CatalogCache
from brcc_core.channels.eventbrite import EventbriteClient
from brcc_core.common import clock
from brcc_core.sales import takings
from brcc_core.sales.eventbrite_orders import EventbriteSales, PartialSync, sync_state
from brcc_core.sales.site_history import WooCommerceHistory
from brcc_core.sandbox.constants import SANDBOX_TIMEZONE
from brcc_core.sandbox.eventbrite_orders import ATTENDEES, ORDERS, place_order
from brcc_core.sandbox.schema import drop_schema, make_engine
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.store.state import State
from brcc_core.views import comparison
from tests.club_time import SUITE_DAY
from tests.eventbrite_pages import incremental_sync_calls

TZ = ZoneInfo(SANDBOX_TIMEZONE)
WEEKS = 7  # three weeks beyond the catalog's own four past weeks: the moved show is in them


@pytest.fixture(scope="module", params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def seeded(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('hist') / 'sandbox.db'}"
    else:
        url = request.getfixturevalue("mysql_url")
    engine = make_engine(url)
    drop_schema(engine)
    sandbox = Sandbox(engine)
    today = SUITE_DAY
    summary = sandbox.seed(scale="club", seed_number=3, today=today, history_weeks=WEEKS)
    yield sandbox, summary
    engine.dispose()


@pytest.fixture(scope="module")
def wc_sales(seeded):
    sandbox, _ = seeded
    with sandbox.engine.connect() as conn:
        ids = [
            r[0] for r in conn.execute(text("SELECT ID FROM wp_posts WHERE post_type='product'"))
        ]
    reader = WooCommerceHistory(sandbox.engine)
    frame = reader.sales(ids, timezone=SANDBOX_TIMEZONE)
    return reader, frame


def _truth(summary, channel):
    return {k: v for k, v in summary.history.shows.items() if v.channel == channel}


def test_history_has_the_cases_that_matter(seeded):
    _, summary = seeded
    truth = summary.history
    wc = _truth(summary, "woocommerce")
    assert truth.past_weekly_dates > 0
    assert any(s.cancelled for s in wc.values()), "cancelled sales"
    assert any(s.refunded for s in wc.values()), "refunded sales"
    assert any(s.start.weekday() in (4, 5) and s.sold >= 20 for s in wc.values())
    assert len(truth.moved) == 2  # one show, on both channels
    eb = _truth(summary, "eventbrite")
    assert any(s.cancelled for s in eb.values()), "refunded Eventbrite orders"
    past = [
        s
        for s in wc.values()
        if s.start < clock.now().astimezone(TZ) - timedelta(days=1) and s.sold
    ]
    assert 0 < sum(s.checked_in for s in past) < sum(s.sold for s in past), "some no-shows"
    # Seeded history (older than the catalog's four past weeks) sells late. Its lead times
    # (sandbox/history.py) put about a third of the seats in the last two days:
    # 0.35 x (1 - e^(-2/1.5)) + 0.65 x (1 - e^(-2/16)) = 0.33; over about 46 shows a seed
    # day lands between 0.29 and 0.40 (measured over 14 days), where seats spread evenly
    # over the 90-day lead would put 2% there.
    old = [s for s in past if s.start < clock.now().astimezone(TZ) - timedelta(weeks=4, days=1)]
    late = sum(s.sold - s.sold_by(s.start - timedelta(days=2)) for s in old)
    assert 0.25 < late / sum(s.sold for s in old) < 0.45


def test_woocommerce_history_matches_the_seed_per_show(seeded, wc_sales):
    _, summary = seeded
    reader, frame = wc_sales
    assert reader.statements == 3
    truth = _truth(summary, "woocommerce")
    sold = frame[frame["state"] == "sold"].groupby("occurrence_key")["seats"].sum()
    cancelled = frame[frame["state"] == "cancelled"].groupby("occurrence_key")["seats"].sum()
    checked = frame.groupby("occurrence_key")["checked_in"].sum()
    gross = frame[frame["state"] == "sold"].groupby("occurrence_key")["gross"].sum()
    assert set(sold.index) == {k for k, s in truth.items() if s.sold}
    for key, show in truth.items():
        assert sold.get(key, 0) == show.sold, key
        assert cancelled.get(key, 0) == show.cancelled, key
        assert checked.get(key, 0) == show.checked_in, key
        assert round(float(gross.get(key, 0)) * 100) == show.gross_cents, key


def test_woocommerce_history_places_every_show_in_time(seeded, wc_sales):
    """Start times for dates still in the booking options and for dates pruned from them
    (from the tickets' labels), including the moved show and legacy label-only tickets."""
    _, summary = seeded
    _, frame = wc_sales
    truth = _truth(summary, "woocommerce")
    starts = frame.groupby("occurrence_key")["starts_at"].first()
    bookings = {k: s for k, s in truth.items() if k.count(":") == 3 and s.sold}
    for key, show in bookings.items():
        assert starts[key] == pd.Timestamp(show.start), key
    moved = next(k for k in summary.history.moved if k.startswith("wc:"))
    assert starts[moved].weekday() == 1  # a Monday show played on the Tuesday


def test_counts_per_day_before_the_show_match_the_seed(seeded, wc_sales):
    _, summary = seeded
    _, frame = wc_sales
    sold = frame[frame["state"] == "sold"]
    truth = _truth(summary, "woocommerce")
    checked = 0
    for key, show in sorted(truth.items())[::7]:
        rows = sold[sold["occurrence_key"] == key]
        for days in (0, 1, 2, 7, 30):
            moment = pd.Timestamp(show.start - timedelta(days=days))
            assert int(rows.loc[rows["sold_at"] <= moment, "seats"].sum()) == show.sold_by(
                show.start - timedelta(days=days)
            ), (key, days)
            checked += 1
    assert checked > 50


def _client(sandbox) -> EventbriteClient:
    return EventbriteClient(
        sandbox.eb_token,
        sandbox.eb_organization_id,
        base_url=sandbox.eb_api_url,
        session=sandbox.session(),
    )


def test_eventbrite_sync_first_then_only_what_changed(seeded, tmp_path):
    sandbox, summary = seeded
    store = EventbriteSales(create_engine(f"sqlite:///{tmp_path / 'state.db'}"))
    client = _client(sandbox)
    first = store.sync(client)
    assert first.first and first.orders == summary.history.eb_orders
    assert first.calls == -(-summary.history.eb_orders // 50)  # 50 orders a page
    expected = incremental_sync_calls(sandbox, store)  # orders + attendees since the cursors
    again = store.sync(client)
    assert not again.first and again.calls == expected

    frame = store.sales(timezone=SANDBOX_TIMEZONE)
    truth = _truth(summary, "eventbrite")
    sold = frame[frame["state"] == "sold"].groupby("occurrence_key")["seats"].sum()
    cancelled = frame[frame["state"] == "cancelled"].groupby("occurrence_key")["seats"].sum()
    checked = frame.groupby("occurrence_key")["checked_in"].sum()
    net = frame[frame["state"] == "sold"].groupby("occurrence_key")[["gross", "fees"]].sum()
    starts = frame.groupby("occurrence_key")["starts_at"].first()
    for key, show in truth.items():
        assert sold.get(key, 0) == show.sold, key
        assert cancelled.get(key, 0) == show.cancelled, key
        assert checked.get(key, 0) == show.checked_in, key
        if show.sold:
            assert round(net.loc[key, "gross"] * 100) == show.gross_cents
            assert round(net.loc[key, "fees"] * 100) == show.fees_cents
            assert starts[key] == pd.Timestamp(show.start)
    by_type = frame[frame["state"] == "sold"].groupby(["occurrence_key", "ticket_type"])["seats"]
    counts = by_type.sum()
    for key, show in truth.items():
        for name, seats in show.by_type.items():
            assert counts[(key, name)] == seats

    # A sale and a check-in land after the sync: the next sync brings exactly those.
    event_key, show = next((k, s) for k, s in truth.items() if s.start > clock.now().astimezone(TZ))
    event_id = event_key.split(":")[1]
    now = clock.now_naive_utc().replace(microsecond=0)
    with sandbox.engine.begin() as conn:
        attendee = conn.execute(
            select(ATTENDEES.c.id).where(
                ATTENDEES.c.event_id == event_id, ATTENDEES.c.cancelled.is_(False)
            )
        ).first()[0]
        conn.execute(
            update(ATTENDEES)
            .where(ATTENDEES.c.id == attendee)
            .values(checked_in=True, status="Checked In", changed=now)
        )
        place_order(
            conn, order_id="99000000001", attendee_id="990000000011", event_id=event_id, when=now
        )
    try:
        expected = incremental_sync_calls(sandbox, store)  # the sale and check-in included
        later = store.sync(client)
        assert later.calls == expected
        frame = store.sales(timezone=SANDBOX_TIMEZONE)
        mine = frame[frame["occurrence_key"] == event_key]
        assert int(mine.loc[mine["state"] == "sold", "seats"].sum()) == show.sold + 1
        assert int(mine["checked_in"].sum()) == show.checked_in + 1
    finally:  # the sandbox is shared by this module's tests
        with sandbox.engine.begin() as conn:
            conn.execute(delete(ATTENDEES).where(ATTENDEES.c.id == "990000000011"))
            conn.execute(delete(ORDERS).where(ORDERS.c.id == "99000000001"))
            conn.execute(
                update(ATTENDEES)
                .where(ATTENDEES.c.id == attendee)
                .values(checked_in=False, status="Attending")
            )


def test_history_weeks_leave_the_rest_of_the_club_unchanged(tmp_path):
    today = SUITE_DAY
    summaries = []
    for weeks in (0, 5):
        sandbox = Sandbox(make_engine(f"sqlite:///{tmp_path / f'w{weeks}.db'}"))
        summaries.append(sandbox.seed(seed_number=4, today=today, history_weeks=weeks))
    without, with_history = summaries
    assert without.history.past_weekly_dates == 0
    assert with_history.history.past_weekly_dates > 0
    assert without.products == with_history.products
    assert without.slot_dates == with_history.slot_dates
    assert without.tickets == with_history.tickets
    assert without.eb_occurrences == with_history.eb_occurrences


def test_pace_through_the_facade_matches_the_seed(seeded, tmp_path):
    sandbox, summary = seeded
    settings = load_settings({"BRCC_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    state = State.open(f"sqlite:///{tmp_path / 'state.db'}")
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path), state=state)
    box.refresh_catalog()
    listings = box.listings()
    shows = box.shows(listings)
    before_sync = box.pace(listings=listings, shows=shows)
    assert before_sync["reason"].str.contains("not been synced", na=False).any()

    box.sync_eventbrite_sales()
    seen: list[tuple[int, int]] = []
    history = box.sales_history(listings=listings, progress=lambda d, n: seen.append((d, n)))
    # The pace before the sync copied the website's sales into the app-state database
    # (sales/site_copy.py): this read asks WordPress only what changed, nothing to build.
    assert box.sales.site_sales.last_read == "incremental" and not history.unknown
    assert 0 < history.statements <= 8 and seen == []
    pace = box.pace(listings=listings, shows=shows, history=history, horizon_days=14)
    together = pace[pace["scope"] == "together"]
    assert len(together) > 10
    truth = summary.history.shows
    for row in together.itertuples(index=False):
        keys = shows.loc[shows["show_key"] == row.show_key, "listing_keys"].iloc[0]
        occurrences = {":".join(k.split(":")[:2]) if k.startswith("eb:") else k for k in keys}
        expected = sum(truth[k].sold for k in occurrences if k in truth)
        assert row.sold_now == expected, row.show_key
    weekly = together[together["title"].str.contains("Friday 8pm", na=False)]
    # Every past Friday is there (seven weeks of history, more for later Fridays), at most
    # the last eight (BRCC_PACE_OCCURRENCES).
    assert weekly["past_shows"].iloc[0] == WEEKS
    assert weekly["past_shows"].between(WEEKS, 8).all()


def _synced_box(sandbox, tmp_path) -> tuple[BoxOffice, State]:
    """A BoxOffice on the seeded sandbox with its catalog and Eventbrite orders read."""
    settings = load_settings({"BRCC_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    state = State.open(f"sqlite:///{tmp_path / 'state.db'}")
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path), state=state)
    box.refresh_catalog()
    box.sync_eventbrite_sales()
    return box, state


def test_a_rerun_of_the_pace_costs_no_sql_until_a_sync(seeded, tmp_path):
    """The sales history and the pace of every coming show, asked again as every click
    reruns the page: the second time costs no statement on the WordPress or the app-state
    database; a sync of Eventbrite orders makes the next run read the history again."""
    sandbox, _ = seeded
    box, state = _synced_box(sandbox, tmp_path)
    listings = box.listings()
    shows = box.shows(listings)
    now = clock.now()
    sent: list[str] = []
    for engine in (sandbox.engine, state.engine):
        event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, *a: sent.append(sql))

    def pace_of_every_coming_show():
        history = box.sales_history(listings=listings)
        table = box.pace(
            listings=listings, shows=shows, history=history, now=now, horizon_days=None
        )
        return history, table

    first_history, first = pace_of_every_coming_show()
    assert len(sent) >= 3, "the first run reads the history"
    sent.clear()
    again_history, again = pace_of_every_coming_show()
    assert sent == []
    assert again_history is first_history
    pd.testing.assert_frame_equal(again, first)

    box.sync_eventbrite_sales()
    sent.clear()
    synced_history, _ = pace_of_every_coming_show()
    assert synced_history is not first_history
    # The website's history read again: only what changed since, in a few statements.
    assert box.sales.site_sales.last_read == "incremental"
    assert 0 < synced_history.statements <= 8
    assert synced_history.read_at > first_history.read_at


def _expected_takings(truth, listing_keys):
    """Net per channel, seats per ticket type, gross and average price from the seed."""
    occurrences = {":".join(k.split(":")[:2]) if k.startswith("eb:") else k for k in listing_keys}
    net, types, gross_cents, sold = {}, Counter(), 0, 0
    for key in occurrences:
        show = truth.get(key)
        channel = "eventbrite" if key.startswith("eb:") else "woocommerce"
        net.setdefault(channel, 0)
        if show is None:  # on sale, nothing sold yet
            continue
        net[channel] += show.gross_cents - show.fees_cents
        types.update(show.by_type)
        gross_cents += show.gross_cents
        sold += show.sold
    return net, dict(types), gross_cents, sold


def test_comparison_takes_money_and_ticket_types_and_last_weeks_shows(seeded, tmp_path):
    """Comparison of a Friday the catalog no longer lists (history only), last Friday
    and this Friday: sold, net per channel (Eventbrite after fees), average price and
    seats per ticket type agree with the seed, on the cards and in the CSV."""
    sandbox, summary = seeded
    box, _ = _synced_box(sandbox, tmp_path)
    listings = box.listings()
    shows = box.shows(listings)
    history = box.sales_history(listings=listings)
    now = clock.now().astimezone(TZ)
    past = takings.past_shows(history.frame, before=now)
    fridays = shows[shows["title"].str.contains("Friday 8pm", na=False)].sort_values("starts_at")
    last_friday = fridays[fridays["starts_at"] < now].iloc[-1]
    this_friday = fridays[fridays["starts_at"] > now].iloc[0]
    gone = past[
        ~past["show_key"].isin(shows["show_key"])
        & (past["starts_at"].dt.day_of_week == 4)
        & (past["starts_at"].dt.hour == 20)
    ].iloc[-1]
    assert gone["starts_at"] < fridays["starts_at"].min()  # older than anything listed

    candidates = comparison.comparison_candidates(
        shows, listings, start=gone["starts_at"].date(), end=now.date(), past=past
    )
    assert gone["show_key"] in set(candidates["key"])
    keys = [gone["show_key"], last_friday["show_key"], this_friday["show_key"]]
    cards = comparison.comparison_cards(
        keys, listings, shows, sales=history.frame, sales_unknown=history.unknown, past=past
    )
    assert [c.kind for c in cards] == ["past", "show", "show"]
    csv = pd.read_csv(io.BytesIO(comparison.comparison_csv(cards)), encoding="utf-8-sig")
    truth = summary.history.shows
    for card, listing_keys, row in zip(
        cards,
        [gone["listing_keys"], last_friday["listing_keys"], this_friday["listing_keys"]],
        csv.to_dict("records"),
        strict=True,
    ):
        net, types, gross_cents, sold = _expected_takings(truth, listing_keys)
        money = card.takings
        assert sold and set(money.net) == set(net) == {"woocommerce", "eventbrite"}, card.key
        for channel, cents in net.items():
            assert round(money.net[channel] * 100) == cents, (card.key, channel)
        assert dict(money.ticket_types) == types, card.key
        assert round(money.gross * 100) == gross_cents
        assert money.average_price == round(gross_cents / 100 / sold, 2)  # to the cent
        assert card.sold == sold or card.kind == "show"  # a show's sold is the live number
        # The CSV's headers are the manager's words (formats.header).
        assert round(row["Net · Eventbrite"] * 100) == net["eventbrite"]
        assert round(row["Net · Website"] * 100) == net["woocommerce"]
        assert round(row["Average price"], 2) == round(gross_cents / 100 / sold, 2)
        for name, seats in types.items():
            assert row[f"Sold · {name}"] == seats
    # The live numbers of a listed show and its history agree.
    assert cards[1].sold == sum(v for v in cards[1].takings.sold.values())


_DONE = datetime(2026, 11, 30, 22, 8, 41, tzinfo=UTC)
_PART = PartialSync("orders", 100, None, _DONE, _DONE, first=True)


@pytest.mark.parametrize(
    ("synced_at", "partial", "state"),
    [
        (None, None, "Eventbrite orders have not been synced yet"),
        (None, _PART, "Eventbrite orders are only partly synced (100 orders read so far)"),
        (_DONE, None, "Eventbrite orders last synced Mon 30 Nov 2026 17:08:41"),
        (
            _DONE,
            _PART,
            "Eventbrite orders last synced Mon 30 Nov 2026 17:08:41; a later sync stopped "
            "part-way (100 orders read so far)",
        ),
    ],
)
def test_the_sync_state_has_one_wording(synced_at, partial, state):
    # The Sales page's caption and every reason Eventbrite sales are unknown start with it.
    assert sync_state(synced_at, partial, "America/Toronto") == state
