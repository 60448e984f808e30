"""File answers of the case-log (exports)."""

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
