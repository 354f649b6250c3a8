"""Sales: the Eventbrite order store, the website's order history, both merged, pace,
takings and no-shows, and tonight at the door.
"""
