"""Accounts from the user's side (blueprint `auth`): register, log in and out, change and reset a
password. Sessions and their generation: services/accounts.py and security.py."""
