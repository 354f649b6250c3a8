"""People and roles: who may read, who may change, who decides (admins only)."""

from __future__ import annotations

import streamlit as st

from brcc_core.boxoffice import BoxOffice
from brcc_core.boxoffice.api import ROLE_LABELS, ROLES, AccessDenied, StateUnavailable, a_role
from brcc_core.common.formats import moment_label
from brcc_core.common.values import known
from brcc_core.ui.app import current_actor
from brcc_core.ui.tables import manager_table
from brcc_core.ui.text import plain

MESSAGE_KEY = "people_message"
NO_ROLE = "none"


def people_section(boxoffice: BoxOffice) -> None:
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        (st.success if message[0] == "ok" else st.error)(plain(message[1]))
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
    _sign_in_accounts(boxoffice)


def _sign_in_accounts(boxoffice: BoxOffice) -> None:
    """Which provider account each e-mail is tied to, and a way to untie one (a person
    with a new account, or a club moving to another provider)."""
    st.subheader("Sign-in accounts")
    st.caption(
        "The first account that signs in with an e-mail keeps it: another account at the "
        "provider claiming the same e-mail later is refused. Forget an account here when "
        "the person really has a new one; their next sign-in is tied anew."
    )
    try:
        accounts = boxoffice.sign_in_accounts()
    except StateUnavailable as exc:
        st.error(plain(exc), icon="🛠️")
        return
    if accounts.empty:
        st.info("Nobody has signed in yet.", icon="🪪")
        return
    tz = boxoffice.settings.timezone
    manager_table(
        accounts.assign(first_at=accounts["first_at"].map(lambda t: moment_label(t, tz))),
        key="people_accounts",
        phone_columns=["email", "first_at"],
        config={"first_at": st.column_config.TextColumn("First signed in")},
    )
    cols = st.columns([3, 1], vertical_alignment="bottom")
    cols[0].selectbox("E-mail", list(accounts["email"]), key="people_forget_email")
    cols[1].button("Forget its account", key="people_forget", on_click=_forget, args=(boxoffice,))


def _forget(boxoffice: BoxOffice) -> None:
    email = st.session_state.get("people_forget_email") or ""
    try:
        boxoffice.forget_sign_in(email, who=current_actor())
    except (AccessDenied, StateUnavailable) as exc:
        st.session_state[MESSAGE_KEY] = ("error", str(exc))
        return
    st.session_state[MESSAGE_KEY] = (
        "ok",
        f"{email} is not tied to an account any more: their next sign-in ties it anew.",
    )


def _save(boxoffice: BoxOffice) -> None:
    email = (st.session_state.get("people_email") or "").strip()
    role = st.session_state.get("people_role")
    try:
        boxoffice.set_role(email, None if role == NO_ROLE else role, who=current_actor())
    except (AccessDenied, StateUnavailable, ValueError) as exc:
        st.session_state[MESSAGE_KEY] = ("error", str(exc))
        return
    done = "has no role now" if role == NO_ROLE else f"is {a_role(role)} now"
    st.session_state[MESSAGE_KEY] = ("ok", f"{email.lower()} {done}.")
    st.session_state["people_email"] = ""
