"""Good-conduct letters (SKCK) and their file blobs — issue 3."""
