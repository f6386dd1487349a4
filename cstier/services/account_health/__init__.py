"""Account health use cases: scorecards, scoring the book, overrides, history, the back-test."""
