"""Reference data of the insight package (name variants for the pseudonymiser)."""
