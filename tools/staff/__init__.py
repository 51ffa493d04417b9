"""`python -m tools.staff`: staff accounts in a deployed staff user pool."""
