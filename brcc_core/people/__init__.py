"""People, roles and meeting links."""
