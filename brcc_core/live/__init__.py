"""Live numbers: listings (one sellable unit per channel and performance), shows (listings
of one performance together), reads shared for a few seconds, and the systems' health.
"""
