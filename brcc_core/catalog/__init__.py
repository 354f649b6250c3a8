"""The catalog: what the club sells (built from both channels), its disk cache and which
Eventbrite classes a refresh reads.
"""
