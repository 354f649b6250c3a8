"""Capacity changes: the preview with the one rule for whether a listing may be written,
the change engine, sync across channels and the per-listing leases.
"""
