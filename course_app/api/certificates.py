"""Certificate status, public keys and status list API (issue 4)."""
