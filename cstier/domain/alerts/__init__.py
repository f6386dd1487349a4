"""Alerts: which change is worth telling whom, retry timing, webhook URL safety, signatures."""
