"""Coverage use cases: models and matrix, derivation, capacity, assignment, suggestions, handoffs."""
