"""Administration (blueprint `admin`, /admin): staff accounts — created from the web with an
invitation, or imported from a CSV of officiants —, roles, activation, reset links, the mail
outbox's counts. The rules are in services/accounts.py, services/staff.py and
services/staff_import.py. Views: `routes` (users, roles, activation, the outbox),
`staff_accounts` (new accounts, invitations, reset links, institutions), `staff_import`."""
