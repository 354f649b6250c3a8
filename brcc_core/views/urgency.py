"""How urgent a show is, and the flag that says so (pure: a ``BoxOffice.shows`` row in,
words and a sort key out).

One order for every page that ranks shows: oversold first (the most seats too many
first), then over-exposed by the seats at risk (unlimited stock first: it bounds
nothing), then nearly full, then the rest; ties by start time. The dashboard's flag
column, *Act on a show* and the capacity chart's named bars all read it from here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from brcc_core.common.club import Channel
from brcc_core.common.values import known

OVERSOLD_ICON = "⛔"
EXPOSED_ICON = "🔓"
NEARLY_FULL_ICON = "⚠️"
UNKNOWN_ICON = "❓"


def _whole(value: object) -> int:
    return int(value) if known(value) else 0


def over_by(show: Mapping) -> int:
    """Seats sold and pending beyond the venue capacity (0 when not oversold)."""
    if not show["oversold"]:
        return 0
    return max(0, _whole(show["sold"]) + _whole(show["pending"]) - int(show["venue_capacity"]))


def seats_at_risk(show: Mapping) -> float:
    """Seats on sale across channels beyond what the room has left (0 when not
    over-exposed; infinite for unlimited stock on the site)."""
    if not show["over_exposed"]:
        return 0
    if show["on_sale_unlimited"]:
        return math.inf
    return _whole(show["exposure"])


def urgency(show: Mapping) -> tuple:
    """The sort key: lower is more urgent (see the module's docstring)."""
    if show["oversold"]:
        return (0, -over_by(show), show["starts_at"])
    if show["over_exposed"]:
        return (1, -seats_at_risk(show), show["starts_at"])
    if show["nearly_full"]:
        return (2, 0, show["starts_at"])
    return (3, 0, show["starts_at"])


def is_urgent(show: Mapping) -> bool:
    """Oversold, over-exposed or nearly full: a show a manager should look at."""
    return urgency(show)[0] < 3


def state_flag(show: Mapping) -> str:
    """The show's state in a few words: oversold (by how many), nearly full, sold
    unknown, or "" when none of these."""
    if show["oversold"]:
        return f"{OVERSOLD_ICON} oversold +{over_by(show)}"
    if show["nearly_full"]:
        return f"{NEARLY_FULL_ICON} nearly full"
    if not show["sold_known"]:
        return f"{UNKNOWN_ICON} sold unknown"
    return ""


def exposure_flag(show: Mapping) -> str:
    """The over-exposed warning in a few words, or "" when the show is not."""
    if not show["over_exposed"]:
        return ""
    if show["on_sale_unlimited"]:
        return f"{EXPOSED_ICON} unlimited on sale"
    return f"{EXPOSED_ICON} {_whole(show['exposure']):,} at risk"


def show_flag(show: Mapping) -> str:
    """The flag column: short enough to read whole in its column at 1400 px; the
    sentence is ``flag_detail``."""
    return " · ".join(part for part in (state_flag(show), exposure_flag(show)) if part)


def flag_detail(show: Mapping) -> str:
    """The flag spelled out, for the table's details and a hover."""
    parts = []
    if show["oversold"]:
        parts.append(f"oversold: {over_by(show):,} more seats sold than the room has")
    elif show["nearly_full"]:
        parts.append("nearly full")
    elif not show["sold_known"]:
        parts.append("sold unknown: a channel's numbers could not be read")
    if show["over_exposed"]:
        if show["on_sale_unlimited"]:
            website = Channel.WOOCOMMERCE.label.lower()
            parts.append(f"over-exposed: unlimited seats on sale on the {website}")
        else:
            parts.append(
                f"over-exposed: {_whole(show['exposure']):,} more seats on sale than the room has"
            )
    return "; ".join(parts)
