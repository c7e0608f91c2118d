"""Layer 2: the offline guard, limits and bounded workers, atomic writes, the one query screen, the HTTP client."""
