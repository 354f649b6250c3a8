"""The composition root and the facade the pages call: ``BoxOffice`` (``root``) builds
the services from settings; ``api`` names what a page may hand to it or catch from it."""

from brcc_core.boxoffice.root import BoxOffice, StartupError
from brcc_core.catalog.keeper import RefreshResult
from brcc_core.live.service import LIVE_HELD_UP, LIVE_READ_AT, SAVED_SHOWS_ERROR

__all__ = [
    "LIVE_HELD_UP",
    "LIVE_READ_AT",
    "SAVED_SHOWS_ERROR",
    "BoxOffice",
    "RefreshResult",
    "StartupError",
]
