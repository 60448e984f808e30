"""The participant's home page (blueprint `dashboard`, /beranda): the couple's checklist and the
certificate panel, from services/dashboard.py and services/certificates/."""
