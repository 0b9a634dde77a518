"""Service desk rules in plain Python: no database, no broker."""
