"""Layer 2: offline guard, limits and workers, atomic writes, the query screen, HTTP client."""
