"""The Audit tab: every capacity change attempt, filtered, with a CSV download."""

from __future__ import annotations

import streamlit as st

from brcc_core.boxoffice import BoxOffice
from brcc_core.club import channel_name
from brcc_core.state import StateUnavailable

RESULTS = [
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
]


def _person(who: str | None) -> str:
    return "everyone" if who is None else who


def audit_section(boxoffice: BoxOffice) -> None:
    st.subheader("Audit log")
    st.caption(
        "Every attempt to change a platform, successful or not, and every change to shows, "
        "rules, roles and meeting links, with who did it, newest first. The app only ever "
        "adds to this log."
    )
    cols = st.columns(4)
    contains = cols[0].text_input("Listing contains", key="inv_audit_listing")
    results = cols[1].multiselect("Result", RESULTS, key="inv_audit_results")
    channels = cols[2].multiselect(
        "Channel",
        ["woocommerce", "eventbrite"],
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
    log = log.assign(at=log["at"].dt.tz_convert(boxoffice.settings.timezone))
    if log.empty:
        st.info("No changes recorded yet (or none match these filters).", icon="📒")
    st.dataframe(
        log.drop(columns=["audit_id", "batch"]),
        hide_index=True,
        key="inv_audit_table",
        column_config={"at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm:ss")},
    )
    st.download_button(
        "Download CSV",
        log.to_csv(index=False),
        file_name="brcc-audit-log.csv",
        mime="text/csv",
        key="inv_audit_csv",
        icon="⬇️",
        on_click="ignore",
    )
