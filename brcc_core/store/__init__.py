"""The app's own state database: audit, saved shows, and which systems its state belongs to."""
