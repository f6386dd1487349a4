"""Channels: the only code that talks to the outside world (SMTP, webhooks, in-app)."""
