"""Case-log report API (issue 5)."""
