"""Certificates, signing keys metadata and marriage records — issue 4."""
