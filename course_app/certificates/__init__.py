"""Certificates for staff and couples (blueprint `certificates`, /sertifikat): downloads, the
reviewers' list, revocation, dispensations; `flask certificates ...` and `flask keys ...`. The
rules live in services/certificates/."""
