"""Onboarding use cases: plans, each account's onboarding, the daily check, segment figures."""
