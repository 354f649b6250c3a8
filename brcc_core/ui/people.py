"""People and roles: who may read, who may change, who decides (admins only)."""

from __future__ import annotations

import streamlit as st

from brcc_core.access import ROLE_LABELS, ROLES, AccessDenied
from brcc_core.boxoffice import BoxOffice
from brcc_core.formats import moment_label
from brcc_core.state import StateUnavailable
from brcc_core.ui.app import current_actor
from brcc_core.ui.tables import manager_table
from brcc_core.values import known

MESSAGE_KEY = "people_message"
NO_ROLE = "none"


def people_section(boxoffice: BoxOffice) -> None:
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        (st.success if message[0] == "ok" else st.error)(message[1])
    st.markdown("\n".join(f"- {ROLE_LABELS[r]}" for r in ROLES))
    st.caption(
        "People in BRCC_ADMINS are admins whatever this page says. Everyone else who signs "
        'in without a role here sees an "ask an admin" page. Every change is in the '
        "audit log (Inventory → Audit)."
    )
    try:
        people = boxoffice.people()
    except StateUnavailable as exc:
        st.error(str(exc), icon="🛠️")
        return
    people = people.assign(
        source=people["source"].map(lambda s: "this page" if s == "app" else s),
        updated_at=people["updated_at"].map(
            lambda t: moment_label(t, boxoffice.settings.timezone) if known(t) else None
        ),
    )
    manager_table(
        people,
        key="people_table",
        phone_columns=["email", "role"],
        config={"source": st.column_config.TextColumn("Role given on")},
    )
    with st.form("people_form", border=True):
        st.markdown("**Give a role, change it, or take it away**")
        cols = st.columns([3, 2])
        cols[0].text_input("E-mail (as their sign-in shows it)", key="people_email")
        cols[1].selectbox(
            "Role",
            [*ROLES, NO_ROLE],
            format_func=lambda r: "no role (no access)" if r == NO_ROLE else r,
            key="people_role",
        )
        st.form_submit_button("Save", type="primary", on_click=_save, args=(boxoffice,))


def _save(boxoffice: BoxOffice) -> None:
    email = (st.session_state.get("people_email") or "").strip()
    role = st.session_state.get("people_role")
    try:
        boxoffice.set_role(email, None if role == NO_ROLE else role, who=current_actor())
    except (AccessDenied, StateUnavailable, ValueError) as exc:
        st.session_state[MESSAGE_KEY] = ("error", str(exc))
        return
    done = "has no role now" if role == NO_ROLE else f"is a {role} now"
    st.session_state[MESSAGE_KEY] = ("ok", f"{email.lower()} {done}.")
    st.session_state["people_email"] = ""
