"""Rules every capability shares: the app's one clock first (see ARCHITECTURE.md)."""
