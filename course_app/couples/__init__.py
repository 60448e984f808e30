"""Couples (blueprint `couples`, /pasangan): form a couple, join with an invite code, change the
wedding plan, leave. The rules live in services/couples.py."""
