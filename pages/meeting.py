"""The read-only meeting view a meeting link opens (no sign-in, no write controls)."""

from brcc_core.ui.app import demo_banner, get_boxoffice, route_through_entry_script
from brcc_core.ui.boundary import page_boundary
from brcc_core.ui.meeting import render_meeting

route_through_entry_script()
boxoffice = get_boxoffice()
demo_banner(boxoffice)
with page_boundary("loading the meeting view"):
    render_meeting(boxoffice)
