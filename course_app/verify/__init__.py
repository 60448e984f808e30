"""Verifying a certificate (blueprint `verify`): the page a QR code opens (/v/<id>), recording the
marriage for officiants, and the installable offline scanner (/verify/scan). The rules live in
services/certificates/verification.py and records.py."""
