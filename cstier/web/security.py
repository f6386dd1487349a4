"""Security headers on every response: no framing, no sniffing, scripts only from our own files."""

from flask import Flask, Response, request

# Styles keep 'unsafe-inline': Chart.js and htmx set style attributes and elements.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(response: Response, https_only: bool) -> Response:
    """Add the security headers the response does not already set."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if https_only or request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def register_security_headers(app: Flask) -> None:
    """Send the security headers from every response of the app."""
    # Production cookies are Secure: it is served over HTTPS even where a proxy ends TLS.
    https_only = bool(app.config.get("SESSION_COOKIE_SECURE"))
    app.after_request(lambda response: security_headers(response, https_only))
