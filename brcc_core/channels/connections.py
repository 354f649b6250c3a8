"""The club's systems as every service reaches them: one shared, replaceable set."""

from __future__ import annotations

from dataclasses import dataclass

from brcc_core.channels.eventbrite import EventbriteClient
from brcc_core.channels.woocommerce import WooCommerceClient
from brcc_core.channels.wordpress import WordPressReader
from brcc_core.settings import Settings


@dataclass
class Connections:
    """Settings and the three clients, held once by the composition root and read by
    each service at the moment it calls: replacing one (a reconnect, a test cutting the
    database) is seen by every service at once, rather than by the one holding a copy."""

    settings: Settings
    woocommerce: WooCommerceClient
    eventbrite: EventbriteClient
    wordpress: WordPressReader
