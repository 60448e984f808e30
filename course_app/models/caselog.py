"""Case-log: cases, victims, perpetrators, services, lookups, audit — issue 5."""
