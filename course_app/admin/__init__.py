"""Administration (blueprint `admin`, /admin): staff accounts, roles, activation, the mail outbox's
counts. The rules are in services/accounts.py; this package has the views and forms."""
