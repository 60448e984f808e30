"""Accounts from the user's side (blueprint `auth`): register, log in and out, change and reset a
password; the participant's own data (download, deletion: `privacy`). Sessions and their
generation: services/accounts.py and security.py."""
from . import privacy  # noqa: F401  (its views are on the `auth` blueprint)
