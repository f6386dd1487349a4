"""Render what people and receivers get: email bodies (autoescaped HTML, text) and webhook bodies."""

import json
from datetime import datetime

from flask import current_app, render_template

from cstier.services.alerts_delivery.changes import ToldChange

# Links in alerts need an address even before CSTIER_BASE_URL is set: the local app's.
LOCAL_APP_URL = "http://localhost:5000"


def app_url() -> str:
    """Return where the links in alerts point: CSTIER_BASE_URL, else the local app."""
    return current_app.config.get("BASE_URL") or LOCAL_APP_URL


def alert_email(change: ToldChange) -> dict:
    """Return the subject, text and HTML of one alert email."""
    context = {"change": change, "app_url": app_url()}
    return {
        "subject": f"[cstier] {change.subject}",
        "text": render_template("email/alert.txt", **context),
        "html": render_template("email/alert.html", **context),
    }


def digest_email(period: str, label: str, items: list[dict]) -> dict:
    """Return the subject, text and HTML of one digest of notifications."""
    context = {"period": period, "label": label, "items": items,
               "app_url": app_url()}  # fmt: skip
    return {
        "subject": f"[cstier] Your {period} alert digest: {len(items)} change(s), {label}",
        "text": render_template("email/digest.txt", **context),
        "html": render_template("email/digest.html", **context),
    }


def webhook_body(change: ToldChange, payload_format: str) -> str:
    """Return the JSON a receiver gets: a Standard Webhooks event, or Slack's {"text": ...}."""
    if payload_format == "slack":
        return json.dumps({"text": slack_text(change.subject, change.cause, change.explanation)})
    return json.dumps(
        {"type": change.event_type, "timestamp": change.at.isoformat(), "data": change.data},
        separators=(",", ":"),
    )


def endpoint_test_body(payload_format: str, now: datetime) -> str:
    """Return the body of an endpoint's test message."""
    if payload_format == "slack":
        return json.dumps({"text": "cstier test message: this endpoint receives alerts."})
    return json.dumps(
        {"type": "webhook.test", "timestamp": now.isoformat(), "data": {}}, separators=(",", ":")
    )


def slack_text(*parts: str) -> str:
    """Join parts as Slack text, escaping the three characters Slack's markup gives meaning."""
    text = "\n".join(p for p in parts if p)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
