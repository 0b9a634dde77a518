"""Infrastructure every portal service shares: never domain code."""
