"""Onboarding: plans of milestones, each account's status, time to first value."""
