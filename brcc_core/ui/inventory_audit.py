"""The Audit tab: every capacity change attempt, filtered, with a CSV download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from brcc_core.boxoffice import BoxOffice
from brcc_core.boxoffice.api import StateUnavailable
from brcc_core.common.club import Channel, channel_name
from brcc_core.common.downloads import csv_bytes
from brcc_core.common.formats import header, listing_names, moment_label
from brcc_core.common.keys import link_key
from brcc_core.ui.tables import manager_table

RESULTS = [
    "started",
    "ok",
    "reconciled",
    "reconcile_failed",
    "unchanged",
    "refused",
    "failed",
    "unverified",
    "verify_failed",
    "rolled_back",
    "rollback_failed",
    "stopped",
]


def _person(who: str | None) -> str:
    return "everyone" if who is None else who


def audit_section(boxoffice: BoxOffice, listings: pd.DataFrame | None = None) -> None:
    st.subheader("Audit log")
    st.caption(
        "Every attempt to change a platform, successful or not, every change to shows, "
        "rules, roles and meeting links, every refused attempt or sign-in, and every "
        "Refresh data and Eventbrite orders sync, with who did it, newest first. The app "
        "only ever adds to this log; a write is recorded as started before the platform is "
        "touched and completed after (one still started: check that listing on its platform)."
    )
    cols = st.columns(4)
    contains = cols[0].text_input("Listing contains", key="inv_audit_listing")
    results = cols[1].multiselect("Result", RESULTS, key="inv_audit_results")
    channels = cols[2].multiselect(
        "Channel",
        list(Channel),
        format_func=channel_name,
        key="inv_audit_channels",
    )
    try:
        person = cols[3].selectbox(
            "Person", [None, *boxoffice.audit_people()], format_func=_person, key="inv_audit_who"
        )
        log = boxoffice.audit_log(
            who=person,
            listing_contains=contains.strip() or None,
            results=results or None,
            channels=channels or None,
            limit=1000,
        )
    except StateUnavailable as exc:
        st.error(str(exc), icon="🛠️")
        return
    log = audit_rows(log, listings, boxoffice.settings.timezone, _link_titles(boxoffice))
    if log.empty:
        st.info("No changes recorded yet (or none match these filters).", icon="📒")
    # Who, when, what, before, after and the result first: what a manager scans the log
    # for fits a desk's width; the long text (the listing, the error, the note) comes last.
    manager_table(
        log,
        key="inv_audit_table",
        phone_columns=["at", "what", "after", "result"],
        columns=AUDIT_ORDER,
        config={
            "at": st.column_config.TextColumn("When", width="medium"),
            # Short in this log ("capacity", "meeting link"): no room taken from Result.
            "what": st.column_config.TextColumn(header("what"), width="small"),
            "before": st.column_config.TextColumn(header("before"), width="small"),
            "after": st.column_config.TextColumn(header("after"), width="small"),
        },
    )
    st.download_button(
        "Download CSV",
        csv_bytes(log[AUDIT_ORDER].rename(columns=header)),
        file_name="brcc-audit-log.csv",
        mime="text/csv",
        key="inv_audit_csv",
        icon="⬇️",
        on_click="ignore",
    )


AUDIT_ORDER = [
    "who",
    "at",
    "what",
    "before",
    "after",
    "result",
    "listing",
    "error",
    "note",
    "action",
]


def _link_titles(boxoffice: BoxOffice) -> dict[str, str]:
    """Meeting links' titles by their audit key, so a link's rows name it; none when the
    links cannot be read (the rows then say "a meeting link")."""
    try:
        links = boxoffice.meeting_links()
    except StateUnavailable:
        return {}
    return {link_key(i): str(t) for i, t in zip(links["link_id"], links["title"], strict=True)}


def audit_rows(
    log: pd.DataFrame,
    listings: pd.DataFrame | None,
    timezone: str,
    link_titles: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The log as a manager reads it: the time in the club's format and zone, and each
    listing by its show's name, channel and date (its key only beside them); a show, a
    rule or a meeting link in words, never by its key."""
    names = listing_names(log["listing_key"], listings, link_titles)
    return log.assign(
        at=log["at"].map(lambda t: moment_label(t, timezone)),
        listing=log["listing_key"].map(names),
        channel=log["channel"].map(lambda c: channel_name(c) if isinstance(c, str) else c),
    )
