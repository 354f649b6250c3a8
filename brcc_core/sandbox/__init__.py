"""The sandbox: an embedded twin of the club's WordPress database, WooCommerce REST API and
Eventbrite API (see ``brcc_core.sandbox.twin.Sandbox``)."""

from __future__ import annotations

from typing import Any

__all__ = ["Sandbox", "SandboxError"]


def __getattr__(name: str) -> Any:
    # Lazy, so importing one sandbox module (e.g. schema) does not load all of them.
    if name in __all__:
        from brcc_core.sandbox import twin

        return getattr(twin, name)
    raise AttributeError(name)
