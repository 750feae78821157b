"""Service layer (being written)."""
