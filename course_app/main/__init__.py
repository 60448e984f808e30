"""Public pages (blueprint `main`): home, help and contacts, language choice, health checks."""
