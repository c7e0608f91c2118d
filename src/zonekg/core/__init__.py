"""Layer 1: paths, prefixes and graph IRIs, errors, questions, result types and their writers."""
