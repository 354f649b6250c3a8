"""App-wide pieces every page needs: settings, the one BoxOffice per process, the banner."""

from __future__ import annotations

import runpy

import streamlit as st

from brcc_core.boxoffice import BoxOffice, StartupError
from brcc_core.boxoffice.api import (
    ROLE_LABELS,
    ROLES,
    Actor,
    Role,
    Settings,
    SettingsError,
    StateUnavailable,
    load_settings,
)
from brcc_core.ui.text import plain


@st.cache_resource(show_spinner="Opening the club's systems…")
def _boxoffice(fingerprint: str, _settings: Settings) -> BoxOffice:
    # Keyed by the fingerprint: Settings hold secrets, which must never be hashed by
    # pickling (Secret refuses it) nor kept in a readable cache key.
    boxoffice = BoxOffice.from_settings(_settings)
    # State made for other systems (the demo's, on the club's) stops the app before any
    # page, sign-in or meeting link reads it. Not cached: moving it away is enough.
    refusal = boxoffice.state_refusal()
    if refusal:
        raise StartupError(refusal)
    return boxoffice


def route_through_entry_script() -> None:
    """Call first in every page. With a ``pages/`` folder beside the entry script,
    Streamlit runs ``pages/*.py`` on its own in its old multipage mode when a fresh
    server's first request is a page link (``/inventory``): raw file names in the sidebar,
    no page config. Then switch that mode off and run ``streamlit_app.py`` right here, in
    this same run (so a pressed button is not lost), and stop: its ``st.navigation``
    renders the requested page like any other. Streamlit keeps the flag on its
    PagesManager; ``st.navigation`` clears it the same way."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if not PagesManager.uses_pages_directory or ctx is None:
        return
    PagesManager.uses_pages_directory = False
    runpy.run_path(str(ctx.pages_manager.main_script_path), run_name="__main__")
    st.stop()


SETTINGS_HINT = "Remove every BRCC_ credential from .env to run on the demo sandbox instead."


def get_boxoffice() -> BoxOffice:
    """The process-wide BoxOffice, or a clear message and a stopped page."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        _cannot_start(str(exc), SETTINGS_HINT)
        st.stop()
    try:
        return _boxoffice(settings.fingerprint(), settings)
    except StartupError as exc:
        _cannot_start(str(exc))
        st.stop()


def _startup_problem() -> tuple[str, str | None] | None:
    """Why the app cannot start (settings, the club's systems, or state that belongs to
    other systems), and a hint; None when it can."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        return str(exc), SETTINGS_HINT
    try:
        _boxoffice(settings.fingerprint(), settings)
    except StartupError as exc:
        return str(exc), None
    return None


def _cannot_start(message: str, hint: str | None = None, *, title: bool = False) -> None:
    if title:  # the only page there is (otherwise the page has its own title)
        st.title(APP_NAME)
    st.error(message, icon="🛠️")
    if hint:
        st.info(hint)


def demo_banner(boxoffice: BoxOffice) -> None:
    if boxoffice.settings.is_demo:
        st.info(
            "Demo data from the built-in sandbox; set credentials in .env to connect "
            "the club's systems.",
            icon="🎭",
        )


APP_NAME = "BRCC Box Office"


def tab_title(page_title: str, demo: bool) -> str:
    """The browser tab's title: the page first (tabs are narrow), then the app, and
    "demo" when the numbers are the sandbox's, so a screenshot never passes for the club's."""
    return f"{page_title} · {APP_NAME}" + (" (demo)" if demo else "")


def name_the_tab(page_title: str) -> None:
    """Set the browser tab's title for the page about to run."""
    try:
        demo = load_settings().is_demo
    except SettingsError:
        demo = False  # the page itself says what is wrong with the settings
    st.set_page_config(page_title=tab_title(page_title, demo))


# --- who is at the box office ----------------------------------------------------------
DEMO_IDENTITY_KEY = "demo_identity"  # the demo identity switch (demo mode, no sign-in)
DEMO_DEFAULT_ROLE: Role = "manager"  # a newcomer can try every manager control at once
ACTOR_KEY = "actor"  # this run's acting person, set by ``navigation``


def sign_in_configured() -> bool:
    """True when ``[auth]`` in .streamlit/secrets.toml can sign people in (st.login)."""
    try:
        auth = st.secrets.get("auth")
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False
    return bool(auth) and "redirect_uri" in auth and "cookie_secret" in auth


def _sign_in_claims() -> dict:
    """What the provider said about the signed-in person (the ID token's claims: email,
    email_verified, iss, sub, ...); empty when nobody is signed in."""
    try:
        if st.user.is_logged_in:
            return dict(st.user.to_dict())
    except Exception:  # noqa: BLE001 - AppTest without a user, or no auth configured
        pass
    return {}


def signed_in() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except Exception:  # noqa: BLE001
        return False


def current_actor() -> Actor:
    """The person using this session, as ``navigation`` found them at the start of this
    run (read once per run; the facade reads the role again on every write)."""
    actor = st.session_state.get(ACTOR_KEY)
    return actor if isinstance(actor, Actor) else _resolve_actor()


def _resolve_actor() -> Actor:
    """Who this is, with their role read now: a role an admin takes away applies on the
    next run. StateUnavailable when the roles cannot be read."""
    boxoffice = get_boxoffice()
    if sign_in_configured():
        claims = _sign_in_claims()
        return boxoffice.sign_in(claims) if claims else Actor.nobody("signed out")
    if boxoffice.settings.is_demo:
        role = st.session_state.get(DEMO_IDENTITY_KEY, DEMO_DEFAULT_ROLE)
        return Actor.demo(role if role in ROLES else DEMO_DEFAULT_ROLE)
    return Actor.unsigned()


def can_write() -> bool:
    """Whether this session may see write controls (the facade checks again on write)."""
    return current_actor().can("manager")


def read_only_reason(actor: Actor) -> str:
    if actor.via == "unsigned":
        return (
            "Read-only: sign-in is not configured, so nobody can change capacity, shows or "
            "Sync from this app. An administrator sets up sign-in in "
            '`.streamlit/secrets.toml` (README, "Sign-in and roles").'
        )
    return (
        f"Read-only: you are signed in as a {actor.role}. Changing capacity, shows and "
        "Sync needs the manager role: ask an admin of the app."
    )


def identity_sidebar(actor: Actor) -> None:
    """Who is acting, in the sidebar: the demo identity switch, or the signed-in person."""
    with st.sidebar:
        if actor.via == "demo":
            st.radio(
                "Demo identity",
                ROLES,
                index=ROLES.index(actor.role or DEMO_DEFAULT_ROLE),
                key=DEMO_IDENTITY_KEY,
                format_func=str.capitalize,
                help="Demo mode has no sign-in: switch to see what each role can do.",
            )
            st.caption(ROLE_LABELS[actor.role or DEMO_DEFAULT_ROLE])
        elif actor.via == "sign-in":
            st.markdown(f"Signed in as **{plain(actor.email)}**  \nRole: {actor.role or 'none'}")
            st.button("Sign out", key="sign_out", on_click=st.logout, icon="🚪")
        else:
            st.caption("Not signed in: read-only.")


def sign_in_page() -> None:
    st.title(APP_NAME)
    st.write("Sign in with the club account you use for e-mail to see the box office.")
    st.button("Sign in", key="sign_in", type="primary", on_click=st.login, icon="🔑")


def ask_an_admin_page() -> None:
    actor = current_actor()
    if actor.via == "refused":
        st.title("Sign-in not accepted")
        st.error(
            f"You signed in as **{plain(actor.email)}**, but the app does not accept this "
            f"sign-in: {plain(actor.note)}",
            icon="🔒",
        )
        st.button("Sign out", key="sign_out", on_click=st.logout, icon="🚪")
        return
    st.title("Ask an admin for access")
    if actor.via == "nobody":
        st.warning(
            "Your sign-in did not tell the app your e-mail address, and roles are given by "
            "e-mail. Ask an admin to check that the provider sends the `email` claim.",
            icon="🔒",
        )
    else:
        st.warning(
            f"You are signed in as **{plain(actor.email)}**, but nobody has given you a role "
            "in the box office yet. Ask an admin of the app to add you as a viewer or a "
            "manager; then reload this page.",
            icon="🔒",
        )
    st.button("Sign out", key="sign_out", on_click=st.logout, icon="🚪")


def _roles_unreadable(message: str) -> None:
    st.title(APP_NAME)
    st.error(f"Who may see the box office cannot be checked right now. {message}", icon="🛠️")


MEETING_PARAM = "meeting"  # ?meeting=<token>: the read-only meeting view, no sign-in


def navigation() -> tuple[list, str]:
    """The pages this session may open, and where the menu goes: the meeting view for a
    meeting link, the sign-in page, the "ask an admin" page, or the app by role."""
    st.session_state.pop(ACTOR_KEY, None)  # found again below, on every run
    problem = _startup_problem()
    if problem is not None:  # nothing else opens: no sign-in, no meeting link, no page
        page = st.Page(lambda: _cannot_start(*problem, title=True), title=APP_NAME, default=True)
        return [page], "hidden"
    if MEETING_PARAM in st.query_params:
        return [st.Page("pages/meeting.py", title="Meeting", icon="📽️", default=True)], "hidden"
    if sign_in_configured() and not signed_in():
        return [st.Page(sign_in_page, title="Sign in", icon="🔑", default=True)], "hidden"
    try:
        actor = _resolve_actor()
    except StateUnavailable as exc:
        message = str(exc)
        return [st.Page(lambda: _roles_unreadable(message), title="Box office", default=True)], (
            "hidden"
        )
    st.session_state[ACTOR_KEY] = actor
    if actor.role is None:
        title = "Sign-in not accepted" if actor.via == "refused" else "Ask an admin"
        return [st.Page(ask_an_admin_page, title=title, icon="🔒", default=True)], "hidden"
    identity_sidebar(actor)
    if actor.via == "unsigned":
        st.sidebar.info(read_only_reason(actor), icon="🔒")
    pages = [
        st.Page("pages/dashboard.py", title="Dashboard", icon="📊", default=True),
        st.Page("pages/comparison.py", title="Comparison", icon="⚖️"),
        st.Page("pages/sales.py", title="Sales & pace", icon="📈"),
        st.Page("pages/tonight.py", title="Tonight", icon="🚪"),
        st.Page("pages/inventory.py", title="Inventory", icon="🎚️"),
    ]
    if actor.can("manager"):
        pages.append(st.Page("pages/meeting_links.py", title="Meeting links", icon="📽️"))
    if actor.can("admin"):
        pages.append(st.Page("pages/people.py", title="People and roles", icon="🪪"))
    return pages, "sidebar"
