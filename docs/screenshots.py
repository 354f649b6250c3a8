"""Regenerate the README's screenshots from the demo sandbox.

    python docs/screenshots.py [--out docs]

Serves the app on the demo in a temporary data dir (as the browser tests do) and saves,
with Debian's Chromium: ``dashboard.png`` (desk, 1400x1000), ``projector.png`` (a meeting
link's view at 1920x1080), ``phone.png`` (the dashboard on a 390x844 phone) and
``tonight.png`` (Tonight at the desk). Each is the first screen, as a manager sees it.
The demo is served at the script's moment: the README's shots were taken at a Wednesday
evening (``BRCC_NOW=2026-12-02T21:30:00-05:00 python docs/screenshots.py``), so Tonight
has both of that night's shows.

Headless Chromium draws emoji (the page icons, the flags) as empty boxes unless a colour
emoji font is installed: Debian's ``fonts-noto-color-emoji``. Without root, unpack it
(``apt-get download fonts-noto-color-emoji``, ``dpkg-deb -x``) and point ``FONTCONFIG_FILE``
at a fonts.conf that includes ``/etc/fonts/fonts.conf`` and that folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from brcc_core.boxoffice import BoxOffice  # noqa: E402
from brcc_core.people.access import Actor  # noqa: E402
from brcc_core.settings import load_settings  # noqa: E402
from tests import served_app  # noqa: E402
from tests.test_browser import launch_chromium, wait_until_drawn  # noqa: E402

DESK = {"width": 1400, "height": 1000}
PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
FIRST_RUN_MS = 180_000  # the first page seeds the sandbox and builds the catalog


def _shoot(browser, url: str, viewport: dict, path: Path, wait_for: str, **extra) -> None:
    context = browser.new_context(
        viewport=viewport, timezone_id="Europe/Berlin", locale="en-GB", **extra
    )
    page = context.new_page()
    page.set_default_timeout(FIRST_RUN_MS)
    try:
        page.goto(url)
        page.locator(wait_for).first.wait_for()
        wait_until_drawn(page)
        page.screenshot(path=path)
        print(f"saved {path}")
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    metric = '[data-testid="stMetricValue"] p'
    with (
        tempfile.TemporaryDirectory() as data,
        served_app.streamlit_server(Path(data)) as (
            base,
            _pid,
        ),
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        try:
            _shoot(browser, base, DESK, args.out / "dashboard.png", metric)
            settings = load_settings({"BRCC_DATA_DIR": data}, dotenv_path=None)
            _, token = BoxOffice.from_settings(settings).create_meeting_link(
                [], "1 hour", title="Monday programming", who=Actor.demo("manager")
            )
            _shoot(
                browser,
                f"{base}/?meeting={token}",
                PROJECTOR,
                args.out / "projector.png",
                metric,
            )
            _shoot(browser, base, PHONE, args.out / "phone.png", metric, user_agent=IPHONE)
            _shoot(
                browser,
                f"{base}/tonight",
                DESK,
                args.out / "tonight.png",
                # A show's per-channel table: its figures are drawn, not their placeholders
                # (every night of the demo has shows).
                '[data-testid="stTable"]',
            )
        finally:
            browser.close()


if __name__ == "__main__":
    main()
