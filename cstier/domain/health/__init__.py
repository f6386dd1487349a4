"""Account health: scorecards as data, vectorized scoring, bands with hysteresis, the back-test."""
