"""Tiering use cases: schemes, runs, overrides, previews and history."""
