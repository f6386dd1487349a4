"""Suggested segments from k-means clusters (routes on the tiers blueprint)."""
