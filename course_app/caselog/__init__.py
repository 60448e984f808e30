"""The case-log for P3A case staff (blueprint `caselog`, /kasus; `flask caselog ...`): cases,
imports, reports, lookup lists and the audit log. Everyone else gets 404 (access.py). The rules
live in services/caselog/."""
