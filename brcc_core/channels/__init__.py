"""The club's systems: HTTP plumbing, the Eventbrite client with its call budget and seat
arithmetic, the WooCommerce client, FooEvents rules, and the WordPress database readers
with the tables they read.
"""
