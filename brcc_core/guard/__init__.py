"""The unattended guard: ``python -m brcc_core.guard --every 2m`` keeps the shows that
have a saved sync policy from being offered beyond the room between a manager's visits,
by lowering what is on sale through the same change engine, leases and audit as the
pages (README, "The unattended guard"). It is a client of the facade (``BoxOffice``),
like the pages: the managers' say over it (policies, pause) is the capacity desk's."""
