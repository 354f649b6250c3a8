"""Tonight at the door: per show and channel, seats sold, checked in, still to arrive and
pending, with the show's room capacity (pure). Website numbers come from live numbers
(read fresh on every refresh of the view); Eventbrite's sold and checked in from the
attendees of tonight's events, read on the same interval. Pending is each channel's part
of the show's pending as every other page counts it (``brcc_core.live.shows``): the site's
unfinished orders and Eventbrite's carts (as of the last refresh), so the two rows add up
to the Dashboard's figure. A channel that could not be read is unknown with the reason,
never 0."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pandas as pd

from brcc_core.common.club import Channel
from brcc_core.common.keys import is_eventbrite_key, occurrence_of_listing
from brcc_core.common.values import known_cells
from brcc_core.common.windows import club_night, club_nights

DOOR_COLUMNS = [
    "show_key",
    "starts_at",
    "title",
    "venue_capacity",
    "channel",
    "sold",
    "checked_in",
    "to_arrive",
    "pending",
    "error",
]


def tonight_shows(shows: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """Shows of ``now``'s night (``common.windows.club_night``: it runs past midnight until
    4am); ``now`` and the starts in the club's timezone."""
    if shows.empty:
        return shows
    starts = shows["starts_at"]
    keep = known_cells(starts) & (club_nights(starts) == club_night(now))
    return shows[keep].sort_values("starts_at")


def door_rows(
    shows: pd.DataFrame,
    listings: pd.DataFrame,
    eventbrite: Mapping[str, tuple[int, int]],
    eventbrite_errors: Mapping[str, str],
) -> pd.DataFrame:
    """``DOOR_COLUMNS``, one row per show and channel. ``eventbrite`` maps ``eb:<event>``
    to (seats sold, checked in) from its attendees; ``eventbrite_errors`` to a reason."""
    by_key = listings.set_index("listing_key") if not listings.empty else listings
    rows = []
    for show in shows.itertuples(index=False):
        wc = [k for k in show.listing_keys if not is_eventbrite_key(k)]
        eb = sorted({occurrence_of_listing(k) for k in show.listing_keys if is_eventbrite_key(k)})
        if wc:
            part = by_key.loc[[k for k in wc if k in by_key.index]]
            errors = [e for e in part["error"].dropna().unique()] if not part.empty else []
            # Known when its numbers are, as on the Dashboard: a note beside a number (stock
            # from the catalog, say) is shown, it does not unmake the number.
            known = not part.empty and known_cells(part["sold"]).all()
            sold = int(part["sold"].sum()) if known else pd.NA
            came = int(part["checked_in"].fillna(0).sum()) if known else pd.NA
            rows.append(
                {
                    "show_key": show.show_key,
                    "starts_at": show.starts_at,
                    "title": show.title,
                    "venue_capacity": show.venue_capacity,
                    "channel": Channel.WOOCOMMERCE,
                    "sold": sold,
                    "checked_in": came,
                    "to_arrive": sold - came if known else pd.NA,
                    "pending": _pending(part),
                    "error": "; ".join(map(str, errors)) or None,
                }
            )
        if eb:
            missing = [eventbrite_errors[k] for k in eb if k in eventbrite_errors]
            carts = by_key.loc[
                [k for k in show.listing_keys if is_eventbrite_key(k) and k in by_key.index]
            ]
            counts = [eventbrite.get(k) for k in eb]
            known = not missing and all(c is not None for c in counts)
            sold = sum(c[0] for c in counts) if known else pd.NA
            came = sum(c[1] for c in counts) if known else pd.NA
            rows.append(
                {
                    "show_key": show.show_key,
                    "starts_at": show.starts_at,
                    "title": show.title,
                    "venue_capacity": show.venue_capacity,
                    "channel": Channel.EVENTBRITE,
                    "sold": sold,
                    "checked_in": came,
                    "to_arrive": sold - came if known else pd.NA,
                    "pending": _pending(carts),
                    "error": "; ".join(missing) or (None if known else "not read"),
                }
            )
    frame = pd.DataFrame(rows, columns=DOOR_COLUMNS)
    for col in ("venue_capacity", "sold", "checked_in", "to_arrive", "pending"):
        frame[col] = frame[col].astype("Int64")
    return frame


def _pending(part: pd.DataFrame):
    """The listings' pending, unknown when one of them is (never a partial sum)."""
    if part.empty:
        return 0
    return int(part["pending"].sum()) if known_cells(part["pending"]).all() else pd.NA


def count_attendees(attendees: list[dict]) -> tuple[int, int]:
    """(seats sold, checked in) from an event's attendee objects."""
    sold = came = 0
    for a in attendees:
        if a.get("cancelled") or a.get("refunded") or a.get("status") == "Not Attending":
            continue
        sold += 1
        came += bool(a.get("checked_in"))
    return sold, came
