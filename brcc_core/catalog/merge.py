"""What a refresh keeps of the last catalog, and how a capacity change's reads patch it
(pure: the keeper decides when, these say what)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from brcc_core.catalog.build import Catalog
from brcc_core.channels.eventbrite_records import CapacityTier, TicketClass
from brcc_core.channels.http import no_answer_within
from brcc_core.common import clock
from brcc_core.common.club import Channel, seat_number
from brcc_core.common.formats import age_label


def patch_catalog(
    catalog: Catalog,
    classes: Iterable[TicketClass | None],
    tiers: Mapping[str, CapacityTier] | None = None,
) -> Catalog:
    """``catalog`` with the Eventbrite numbers of these ticket classes and capacity tiers
    (event id -> tier, as just read from Eventbrite) in place of the last refresh's, so a
    page shows what the engine saw: a manager refused because another manager changed an
    event sees that change at once, not after the next refresh."""
    fresh = {(tc.event_id, tc.ticket_class_id): tc for tc in classes if tc is not None}
    tiers = {str(e): t for e, t in (tiers or {}).items() if t is not None}
    if not fresh and not tiers:
        return catalog
    classes = tuple(
        fresh.get((tc.event_id, tc.ticket_class_id), tc) for tc in catalog.ticket_classes
    )
    events = tuple(
        replace(e, tier=tiers[e.event_id], tier_error=None) if e.event_id in tiers else e
        for e in catalog.events
    )
    return replace(catalog, ticket_classes=classes, events=events)


# The seat fields a ticket class must give as numbers no room exceeds: a number beyond it
# from an API is a fault, not a fact.
_SEAT_FIELDS = ("capacity", "quantity_total", "quantity_sold")


def impossible_seats(classes: dict[str, list[dict]]) -> dict[str, str]:
    """Events whose ticket classes carry a seat number no room has (or not a number):
    their numbers are unknown, rather than a figure that breaks a total or a chart."""
    bad: dict[str, str] = {}
    for event_id, tcs in classes.items():
        for tc in tcs:
            for name in _SEAT_FIELDS:
                _, problem = seat_number(tc.get(name) if isinstance(tc, dict) else None, name)
                if problem:
                    bad[event_id] = f"Eventbrite gave an {problem}; not used"
                    break
            if event_id in bad:
                break
    return bad


def kept_part(channel: str, previous: Catalog | None) -> str:
    """What the catalog shows of a channel instead of a suspect answer."""
    if previous is None:
        return "."
    read_at = (
        previous.eventbrite_fetched_at
        if channel == Channel.EVENTBRITE
        else previous.products_read_at
    )
    age = "" if read_at is None else f", read {age_label(clock.now() - read_at)} ago"
    return (
        f". The numbers shown are the last catalog's{age}; refresh again later, or apply the "
        "answer if that many really are gone."
    )


def late_reason(channel: str, deadline: float, previous: Catalog | None) -> str:
    """Why a channel's part of the catalog was not refreshed: it did not answer in time."""
    reason = f"{no_answer_within(deadline)}; the refresh went on without it"
    if previous is None:
        return f"{reason}, and there is no earlier catalog to keep: its numbers are unknown."
    read_at = (
        previous.eventbrite_fetched_at
        if channel == Channel.EVENTBRITE
        else previous.products_read_at
    )
    if read_at is None:
        return f"{reason}; it was never read before: its numbers are unknown."
    age = age_label(clock.now() - read_at)
    return f"{reason}, keeping the part read {age} ago."


def keep_earlier_tiers(fresh: Catalog, previous: Catalog, kept: set[str]) -> Catalog:
    """Events whose ticket classes this refresh kept (not read again) keep the holds and
    carts read with those classes, rather than showing their seats as not read."""
    earlier = {e.event_id: e for e in previous.events}
    events = tuple(
        replace(e, tier=earlier[e.event_id].tier, tier_error=earlier[e.event_id].tier_error)
        if e.event_id in kept and e.tier is None and e.event_id in earlier
        else e
        for e in fresh.events
    )
    return replace(fresh, events=events)


def keep_failed_parts(
    fresh: Catalog, previous: Catalog, woocommerce_failed: bool, eventbrite_failed: bool
) -> Catalog:
    if woocommerce_failed:
        fresh = replace(
            fresh, products=previous.products, woocommerce_fetched_at=previous.products_read_at
        )
    if eventbrite_failed:
        fresh = replace(
            fresh,
            events=previous.events,
            ticket_classes=previous.ticket_classes,
            ticket_class_errors=previous.ticket_class_errors,
            eventbrite_fetched_at=previous.eventbrite_fetched_at,
            ticket_classes_read_at=getattr(previous, "ticket_classes_read_at", {}),
            stale_events=previous.stale_events,
        )
    return fresh


def keep_earlier_ticket_classes(fresh: Catalog, previous: Catalog) -> Catalog:
    """Events whose ticket classes failed this time keep the ones read before, marked
    with when they were read: a known, dated number beats an unknown one."""
    earlier_stale = {event_id: read_at for event_id, read_at, _ in previous.stale_events}
    kept, stale, still_failed = [], [], {}
    for event_id, reason in fresh.ticket_class_errors.items():
        classes = [tc for tc in previous.ticket_classes if tc.event_id == event_id]
        read_at = earlier_stale.get(event_id, previous.eventbrite_fetched_at)
        if not classes or read_at is None:
            still_failed[event_id] = reason
            continue
        kept.extend(classes)
        stale.append((event_id, read_at, reason))
    return replace(
        fresh,
        ticket_classes=fresh.ticket_classes + tuple(kept),
        ticket_class_errors=still_failed,
        stale_events=tuple(stale),
    )


def catalog_changes(previous: Catalog | None, fresh: Catalog) -> dict[str, tuple[int, int]]:
    """(added, removed) products, events and listings between two catalogs."""

    def keys(catalog: Catalog | None) -> dict[str, set]:
        if catalog is None:
            return {"products": set(), "events": set(), "listings": set()}
        listings = {
            (p.product_id, sd.slot_id, sd.date_id) for p in catalog.products for sd in p.slot_dates
        }
        listings |= {(p.product_id,) for p in catalog.products if p.kind == "single"}
        listings |= {(tc.event_id, tc.ticket_class_id) for tc in catalog.ticket_classes}
        return {
            "products": {p.product_id for p in catalog.event_products},
            "events": {e.event_id for e in catalog.events if not e.is_series_parent},
            "listings": listings,
        }

    old, new = keys(previous), keys(fresh)
    return {name: (len(new[name] - old[name]), len(old[name] - new[name])) for name in new}
