"""identity's rules in plain Python: RFC format, password policy, user states, mail texts."""
